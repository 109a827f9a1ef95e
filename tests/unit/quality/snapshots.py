"""Reference snapshots built from the seeded demo company (include/demo_company.py):
the same master data the Intacct sandbox serves."""

from __future__ import annotations

from datetime import UTC, date, datetime

from include import demo_company as demo
from include.quality import AccountRef, ReferenceSnapshot, UddRef

AS_OF = date(2026, 11, 22)


def _required_dimensions(account: demo.Account) -> frozenset[str]:
    flags = {"department_id": account.require_dept, "location_id": account.require_loc,
             "project_id": account.require_project, "class_id": account.require_class,
             "customer_id": account.require_customer, "vendor_id": account.require_vendor,
             "item_id": account.require_item}
    return frozenset(line_field for line_field, required in flags.items() if required)


def demo_snapshot(as_of: date = AS_OF) -> ReferenceSnapshot:
    customers = [demo.customer(n) for n in range(demo.SEEDED_CUSTOMER_COUNT)]
    vendors = [demo.vendor(n) for n in range(demo.SEEDED_VENDOR_COUNT)]
    items = [demo.item(n) for n in range(demo.SEEDED_ITEM_COUNT)]
    terms = {term.name: term.status for term in demo.TERMS}
    return ReferenceSnapshot(
        customers={c["customer_id"]: c["status"] for c in customers},
        vendors={v["vendor_id"]: v["status"] for v in vendors},
        items={i["item_id"]: i["status"] for i in items},
        departments={d.id: d.status for d in demo.DEPARTMENTS},
        locations={d.id: d.status for d in demo.LOCATIONS},
        classes={d.id: d.status for d in demo.CLASSES},
        projects={d.id: d.status for d in demo.PROJECTS},
        journals={j.symbol: j.status for j in demo.JOURNALS},
        accounts={a.accountno: AccountRef(a.status, _required_dimensions(a))
                  for a in demo.ACCOUNTS},
        ar_terms=dict(terms),
        ap_terms=dict(terms),
        udds={u.object_name: UddRef(available=u.status == "active" and u.permitted,
                                    values={value_id: status for value_id, _, status in u.values})
              for u in demo.UDDS},
        closed_books_date=demo.default_closed_books_date(as_of),
        refreshed_at=datetime(2026, 11, 22, 2, 0, tzinfo=UTC),
    )
