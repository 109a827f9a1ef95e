"""The defect catalogue: every real-world defect the synthetic ERP can plant, the
error class the pipeline must assign to a document carrying it, and the document
types it applies to. Used by the generator, its manifest and the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from include.error_classes import ErrorClass

AR, AP, JE = "ar_invoice", "ap_bill", "journal_entry"
ALL_TYPES = (AR, AP, JE)


@dataclass(frozen=True)
class Defect:
    name: str
    expected_error_class: ErrorClass | None  # None: not an error (the ledger reacts to it)
    doc_types: tuple[str, ...]
    description: str


_CATALOGUE = (
    Defect("term_near_match", ErrorClass.PAYMENT_TERM, (AR, AP),
           "payment term that only nearly matches an active term (`Net30`, `net 30`, `NET 45`, `n30`)"),
    Defect("term_unknown", ErrorClass.PAYMENT_TERM, (AR, AP),
           "payment term Intacct does not have or has inactive (`Net 120`, `Net 90`)"),
    Defect("closed_period", ErrorClass.CLOSED_PERIOD, ALL_TYPES,
           "posting date inside the closed month (the month of the closed-books date)"),
    Defect("dimension_value_inactive", ErrorClass.INVALID_REFERENCE, ALL_TYPES,
           "a line uses an inactive department, location, class, project or REGION value"),
    Defect("dimension_value_unknown", ErrorClass.INVALID_REFERENCE, ALL_TYPES,
           "a line uses a department, location, class, project or REGION value Intacct does not have"),
    Defect("udd_unpermitted", ErrorClass.DIMENSION_UNAVAILABLE, ALL_TYPES,
           'a line carries `{"CHANNEL": "20001"}`; CHANNEL is not permitted for the integration user'),
    Defect("customer_not_in_intacct", ErrorClass.INVALID_REFERENCE, (AR,),
           "the customer is a new ERP customer the sandbox does not have yet"),
    Defect("vendor_not_in_intacct", ErrorClass.INVALID_REFERENCE, (AP,),
           "the vendor is a new ERP vendor the sandbox does not have yet"),
    Defect("item_not_in_intacct", ErrorClass.INVALID_REFERENCE, (AR, AP),
           "a line's item is a new ERP item the sandbox does not have yet"),
    Defect("unbalanced_je", ErrorClass.DATA_QUALITY, (JE,),
           "debits and credits differ by a few cents"),
    Defect("missing_required_field", ErrorClass.DATA_QUALITY, ALL_TYPES,
           "the customer/vendor/journal of the header or the account of a line is empty"),
    Defect("bad_amount", ErrorClass.DATA_QUALITY, ALL_TYPES,
           "a line amount that is not a number (`12,5O`), has 3 decimals, or an extra line of 0.00"),
    Defect("bad_date", ErrorClass.DATA_QUALITY, ALL_TYPES,
           "a posting date that is not an ISO date (`2026-13-45`, `11/05/2026`, `2026-02-30`)"),
    Defect("orphan_lines", ErrorClass.DATA_QUALITY, ALL_TYPES,
           "lines whose header does not exist"),
    Defect("header_without_lines", ErrorClass.DATA_QUALITY, ALL_TYPES,
           "a header with no lines"),
    Defect("duplicate_document_number", ErrorClass.DATA_QUALITY, ALL_TYPES,
           "the same document number twice in the header table"),
)

DEFECTS: dict[str, Defect] = {d.name: d for d in _CATALOGUE}

# Written by `generate edit`, not by `generate`: a clean document changed after it
# was posted. Not an error: the ledger marks its success desynchronized.
EDITED_AFTER_POST = Defect("edited_after_post", None, ALL_TYPES,
                           "changed after posting (an amount, description or memo) with updated_at bumped")

CATALOGUE: dict[str, Defect] = {**DEFECTS, EDITED_AFTER_POST.name: EDITED_AFTER_POST}


def defects_for(doc_type: str) -> list[Defect]:
    return [d for d in DEFECTS.values() if doc_type in d.doc_types]


def resolve_rates(defect_rate: float | None, explicit: dict[str, float] | None) -> dict[str, dict[str, float]]:
    """Per document type, the probability that a document carries each defect.

    ``defect_rate`` is the share of documents of each type that carry one defect,
    spread evenly over the defects that apply to that type. ``explicit`` gives a
    defect's own rate instead (the share of the documents it applies to).
    """
    if defect_rate is not None and explicit:
        raise ValueError("give either a total defect rate or rates per defect, not both")
    rates: dict[str, dict[str, float]] = {}
    for doc_type in ALL_TYPES:
        applicable = defects_for(doc_type)
        if explicit:
            unknown = sorted(set(explicit) - set(DEFECTS))
            if unknown:
                raise ValueError(f"unknown defect {', '.join(unknown)}; known: {', '.join(DEFECTS)}")
            per_type = {d.name: explicit[d.name] for d in applicable if d.name in explicit}
        else:
            share = defect_rate or 0.0
            per_type = {d.name: share / len(applicable) for d in applicable}
        for name, rate in per_type.items():
            if not 0 <= rate <= 1:
                raise ValueError(f"defect rate for {name} must be between 0 and 1, got {rate}")
        if sum(per_type.values()) > 1:
            raise ValueError(f"defect rates for {doc_type} add up to more than 1 (one defect per document)")
        rates[doc_type] = per_type
    return rates


def markdown_table() -> str:
    rows = "\n".join(
        f"| `{d.name}` | {d.expected_error_class.value if d.expected_error_class else '(none: desynchronized)'} "
        f"| {', '.join(d.doc_types)} | {d.description} |" for d in CATALOGUE.values())
    return "| defect | expected error class | document types | what it looks like |\n|---|---|---|---|\n" + rows


if __name__ == "__main__":
    print(markdown_table())
