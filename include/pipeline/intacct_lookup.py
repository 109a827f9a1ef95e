"""Finding posted documents in Intacct: by ERP document number, or by RECORDNO.

One query per 100 numbers (or 1,000 RECORDNOs): the cost stays a small fraction
of the posting itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from include.pipeline.payloads import DOCUMENT_NUMBER_FIELDS

NUMBERS_PER_QUERY = 100
RECORDNOS_PER_QUERY = 1000
# Fields worth comparing before linking an existing document (documents without one: number only).
TOTAL_FIELDS = {"ARINVOICE": "TOTALENTERED", "APBILL": "TOTALENTERED"}


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _all_pages(client, object_name: str, select: list[str], filter_, expected: int) -> list[dict]:
    records, offset = [], 0
    while True:
        page = client.query(object_name, select, filter=filter_, page_size=2000, offset=offset)
        records.extend(page.records)
        offset += len(page.records)
        if not page.records or not page.num_remaining or len(records) >= max(expected, 1) * 50:
            return records


def find_by_number(client, doc_type: str, numbers: Iterable[str]) -> dict[str, list[dict]]:
    """ERP document number -> the Intacct records carrying it (RECORDNO, number, total when known)."""
    from include.intacct.query_filter import Filter

    object_name, number_field = DOCUMENT_NUMBER_FIELDS[doc_type]
    select = ["RECORDNO", number_field, *([TOTAL_FIELDS[object_name]] if object_name in TOTAL_FIELDS else [])]
    found: dict[str, list[dict]] = {}
    for chunk in _chunks(list(dict.fromkeys(numbers)), NUMBERS_PER_QUERY):
        for record in _all_pages(client, object_name, select, Filter.in_(number_field, chunk), len(chunk)):
            found.setdefault(str(record.get(number_field, "")), []).append(record)
    return found


def existing_record_nos(client, doc_type: str, record_nos: Iterable[str]) -> set[str]:
    """Which of these RECORDNOs exist in Intacct (for the reconciliation)."""
    from include.intacct.query_filter import Filter

    object_name, _ = DOCUMENT_NUMBER_FIELDS[doc_type]
    present: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(record_nos)), RECORDNOS_PER_QUERY):
        records = _all_pages(client, object_name, ["RECORDNO"], Filter.in_("RECORDNO", chunk), len(chunk))
        present.update(str(r.get("RECORDNO")) for r in records)
    return present
