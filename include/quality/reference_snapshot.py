"""What validation needs to know about Intacct's master data, as plain data.

The master-data feature fills a ``ReferenceSnapshot`` from the local reference
store; tests build one from the seeded demo company. Statuses are Intacct's words
(``active`` / ``inactive``); anything other than ``active`` (any case) counts as
not usable for posting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

ACTIVE = "active"


def is_active(status: str | None) -> bool:
    return isinstance(status, str) and status.strip().lower() == ACTIVE


@dataclass(frozen=True)
class AccountRef:
    """A GL account: its status and the line fields its REQUIRE* flags make mandatory
    (line field names such as ``department_id``, ``location_id``, ``customer_id``)."""

    status: str
    required_dimensions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class UddRef:
    """A user-defined dimension. ``available`` is false when it is inactive or not
    permitted for the integration user (Intacct cannot return or accept its values)."""

    available: bool
    values: Mapping[str, str] = field(default_factory=dict)  # value id -> status


@dataclass
class ReferenceSnapshot:
    """Intacct master data at ``refreshed_at``: ids mapped to their status."""

    customers: Mapping[str, str] = field(default_factory=dict)
    vendors: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)
    locations: Mapping[str, str] = field(default_factory=dict)
    classes: Mapping[str, str] = field(default_factory=dict)
    projects: Mapping[str, str] = field(default_factory=dict)
    journals: Mapping[str, str] = field(default_factory=dict)
    accounts: Mapping[str, AccountRef] = field(default_factory=dict)
    ar_terms: Mapping[str, str] = field(default_factory=dict)
    ap_terms: Mapping[str, str] = field(default_factory=dict)
    udds: Mapping[str, UddRef] = field(default_factory=dict)
    # Multi-entity companies: entity id (LOCATIONENTITY) -> status, and location id -> the
    # entity it belongs to ("" for a top-level location). Both empty in a single-entity company.
    entities: Mapping[str, str] = field(default_factory=dict)
    location_entities: Mapping[str, str] = field(default_factory=dict)
    closed_books_date: date | None = None
    refreshed_at: datetime | None = None

    def statuses_for(self, reference: str) -> Mapping[str, str]:
        """The id -> status table of one reference kind (``customers``, ``ar_terms``, ...)."""
        if reference == "accounts":
            return {accountno: ref.status for accountno, ref in self.accounts.items()}
        table = getattr(self, reference, None)
        if not isinstance(table, Mapping) or reference in ("udds", "location_entities"):
            raise ValueError(f"unknown reference table {reference!r}")
        return table

    def summary(self) -> dict[str, int | str | None]:
        """Counts per table, for logs and reports (plain JSON)."""
        counts: dict[str, int | str | None] = {
            name: len(getattr(self, name))
            for name in ("customers", "vendors", "items", "departments", "locations", "classes", "projects",
                         "journals", "accounts", "ar_terms", "ap_terms", "udds", "entities")
        }
        counts["closed_books_date"] = self.closed_books_date.isoformat() if self.closed_books_date else None
        counts["refreshed_at"] = self.refreshed_at.isoformat() if self.refreshed_at else None
        return counts
