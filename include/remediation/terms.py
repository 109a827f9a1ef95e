"""Payment terms: the ERP -> Intacct term mapping, near-match suggestions, and term names
read as due days and discount.

The mapping is a versioned CSV file (``settings.term_mapping_file``)::

    erp_term,intacct_term,doc_types
    NET-30,Net 30,
    2/10 N30,2% 10 Net 30,ar_invoice

``doc_types`` is optional (empty: every document type with a term; else names separated
by ``;``). A mapped term is applied to the document before validation and in its payload;
the ERP record itself is never changed. A near match (same name ignoring case, spaces and
punctuation) is only ever suggested: names in Intacct must match exactly.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

TERM_DOC_TYPES = ("ar_invoice", "ap_bill")
TERM_OBJECT = {"ar_invoice": "ARTERM", "ap_bill": "APTERM"}
_HEADER = ("erp_term", "intacct_term", "doc_types")
_NOISE = re.compile(r"[\s\-_.]+")


class TermMappingError(ValueError):
    """The mapping file is malformed; the message names the file, the line and the field."""


def term_shape(name: str) -> str:
    """A term name ignoring case, spaces and punctuation: ``Net30`` ~ ``net 30`` (``N30`` is not)."""
    return _NOISE.sub("", name).lower()


def near_matches(term: str, known: Iterable[str]) -> list[str]:
    """Known names that differ from ``term`` only in case, spacing or punctuation (never ``term`` itself)."""
    shape = term_shape(term)
    return sorted(name for name in known if name != term and term_shape(name) == shape)


@dataclass(frozen=True)
class TermRule:
    """What a term name says: due days and an optional early-payment discount."""

    due_days: int
    discount_percent: Decimal | None = None
    discount_days: int | None = None

    def intacct_fields(self, name: str, doc_type: str) -> dict:
        """The ``create_arterm`` / ``create_apterm`` fields for a term called ``name``."""
        basis = "from invoice date" if doc_type == "ar_invoice" else "from bill date"
        fields: dict = {"name": name, "description": f"{name} (created by the integration)", "status": "active",
                        "due": {"dueday": self.due_days, "duefrom": basis}}
        if self.discount_percent is not None:
            fields["discount"] = {"discday": self.discount_days, "discfrom": basis,
                                  "discamount": format(self.discount_percent.normalize(), "f"),
                                  "discpercamn": "Percentage"}
        return fields


class UnparseableTerm(ValueError):
    """A term name that does not say its due days (``N30``, ``EOM``): not created automatically."""


_NET = re.compile(r"^net\s*(\d{1,3})$", re.IGNORECASE)
_DISCOUNT_NET = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\s*%\s*(\d{1,3})\s*,?\s*net\s*(\d{1,3})$", re.IGNORECASE)
_SLASH_NET = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\s*/\s*(\d{1,3})\s*,?\s*net\s*(\d{1,3})$", re.IGNORECASE)
_ON_RECEIPT = re.compile(r"^due\s+(?:on|upon)\s+receipt$", re.IGNORECASE)


def parse_term_name(name: str) -> TermRule:
    """``Net 45`` -> 45 days; ``2% 10 Net 30`` (or ``2/10 Net 30``) -> 2 % within 10 days, due in 30;
    ``Due on Receipt`` -> 0 days. Anything else raises UnparseableTerm saying why."""
    text = " ".join((name or "").split())
    if not text:
        raise UnparseableTerm("the term name is empty")
    if _ON_RECEIPT.match(text):
        return TermRule(0)
    if match := _NET.match(text):
        return TermRule(int(match.group(1)))
    if match := _DISCOUNT_NET.match(text) or _SLASH_NET.match(text):
        percent, discount_days, due_days = Decimal(match.group(1)), int(match.group(2)), int(match.group(3))
        if not 0 < percent < 100:
            raise UnparseableTerm(f"discount {percent}% in {name!r} is not between 0 and 100")
        if discount_days > due_days:
            raise UnparseableTerm(f"{name!r}: the discount period ({discount_days} days) ends after the due date "
                                  f"({due_days} days)")
        return TermRule(due_days, percent, discount_days)
    raise UnparseableTerm(f"{name!r} does not read as 'Net <days>', '<percent>% <days> Net <days>' or "
                          "'Due on Receipt', so its due days are unknown")


@dataclass(frozen=True)
class TermMapping:
    """ERP term name -> exact Intacct term name, per document type."""

    entries: dict[tuple[str, str], str]  # (doc_type, erp term) -> intacct term
    source: str = ""

    @classmethod
    def empty(cls) -> TermMapping:
        return cls({})

    @classmethod
    def load(cls, path: Path | str | None) -> TermMapping:
        """Read the mapping file; a missing file is an empty mapping, a malformed one fails naming the line."""
        if path is None or not Path(path).exists():
            return cls.empty()
        path = Path(path)
        lines = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if line.strip() and not line.lstrip().startswith("#")]
        if not lines:
            return cls({}, str(path))
        reader = csv.reader([line for _, line in lines])
        header = [h.strip() for h in next(reader)]
        if tuple(header[:2]) != _HEADER[:2] or any(h not in _HEADER for h in header):
            raise TermMappingError(f"{path}:{lines[0][0]}: header must be {','.join(_HEADER)} "
                                   f"(doc_types optional), got {','.join(header)}")
        entries: dict[tuple[str, str], str] = {}
        for (line_no, _), values in zip(lines[1:], reader, strict=True):
            where = f"{path}:{line_no}"
            row = dict(zip(header, (v.strip() for v in values), strict=False))
            erp_term, intacct_term = row.get("erp_term", ""), row.get("intacct_term", "")
            if not erp_term:
                raise TermMappingError(f"{where}: field erp_term is empty")
            if not intacct_term:
                raise TermMappingError(f"{where}: field intacct_term is empty for ERP term {erp_term!r}")
            doc_types = [d.strip() for d in (row.get("doc_types") or "").split(";") if d.strip()] or TERM_DOC_TYPES
            unknown = [d for d in doc_types if d not in TERM_DOC_TYPES]
            if unknown:
                raise TermMappingError(f"{where}: field doc_types names {unknown}; terms exist on "
                                       f"{list(TERM_DOC_TYPES)} only")
            for doc_type in doc_types:
                previous = entries.get((doc_type, erp_term))
                if previous is not None and previous != intacct_term:
                    raise TermMappingError(f"{where}: ERP term {erp_term!r} is already mapped to {previous!r} "
                                           f"for {doc_type}")
                entries[(doc_type, erp_term)] = intacct_term
        return cls(entries, str(path))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def intacct_term(self, doc_type: str, erp_term: str | None) -> str | None:
        if not erp_term:
            return None
        return self.entries.get((doc_type, erp_term.strip()))

    def apply(self, document):
        """The document with its mapped term (a changed copy), or the document itself when unmapped."""
        mapped = self.intacct_term(document.doc_type, document.header.get("term_name"))
        if mapped is None or mapped == document.header.get("term_name"):
            return document
        return replace(document, header={**document.header, "term_name": mapped})
