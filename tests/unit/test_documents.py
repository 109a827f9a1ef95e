from datetime import UTC, date, datetime
from decimal import Decimal

from include.erp.documents import SourceDocument, content_hash


def _invoice(amount: str, updated_at: datetime) -> SourceDocument:
    return SourceDocument("ar_invoice", "INV-1", {"invoice_no": "INV-1", "invoice_date": date(2026, 10, 5),
                                                   "updated_at": updated_at},
                          [{"line_no": 1, "amount": Decimal(amount), "dimensions": {"REGION": "10001"}}])


def test_the_same_amount_written_differently_has_the_same_version():
    at = datetime(2026, 10, 5, tzinfo=UTC)
    assert _invoice("100.10", at).source_version == _invoice("100.1", at).source_version


def test_a_new_updated_at_alone_does_not_change_the_version():
    assert (_invoice("5", datetime(2026, 10, 5, tzinfo=UTC)).source_version
            == _invoice("5", datetime(2026, 11, 1, tzinfo=UTC)).source_version)


def test_a_changed_amount_changes_the_version():
    at = datetime(2026, 10, 5, tzinfo=UTC)
    assert _invoice("100.10", at).source_version != _invoice("100.11", at).source_version


def test_key_order_does_not_matter():
    assert content_hash({"a": 1, "b": [1, {"y": 2, "x": 3}]}) == content_hash({"b": [1, {"x": 3, "y": 2}], "a": 1})


def test_a_changed_copy_has_its_own_version():
    import dataclasses

    at = datetime(2026, 10, 5, tzinfo=UTC)
    original = _invoice("5", at)
    redated = dataclasses.replace(original, header={**original.header, "invoice_date": date(2026, 10, 1)})
    assert original.source_version != redated.source_version
