"""A prepared batch groups its functions by the entity each document is posted in."""

from __future__ import annotations

from include.pipeline.payloads import build_payload
from include.pipeline.posting import PreparedBatch, entity_of
from tests.unit.quality.builders import ap_bill, ar_invoice


def test_entity_of_reads_the_header_entity_and_treats_blank_as_none():
    assert entity_of(ar_invoice(entity_id="E100")) == "E100"
    assert entity_of(ar_invoice(entity_id=" E200 ")) == "E200"
    assert entity_of(ar_invoice(entity_id=None)) is None
    assert entity_of(ar_invoice(entity_id="  ")) is None


def test_function_groups_keep_each_entitys_documents_together_in_payload_order():
    documents = [ar_invoice("INV-1", entity_id="E200"), ar_invoice("INV-2"), ar_invoice("INV-3", entity_id="E100"),
                 ar_invoice("INV-4", entity_id="E200"), ar_invoice("INV-5")]
    batch = PreparedBatch("ar_invoice")
    for document in documents:
        batch.payloads.append((build_payload(document), document.posting_date))
        if entity_of(document):
            batch.entities[document.key] = entity_of(document)
    groups = batch.function_groups
    assert {entity: [f.controlid.split(":")[1] for f in functions] for entity, functions in groups.items()} == {
        "E200": ["INV-1", "INV-4"], None: ["INV-2", "INV-5"], "E100": ["INV-3"]}
    # The controlids are the usual document type + key + version, whatever the entity.
    assert sorted(f.controlid for fs in groups.values() for f in fs) == sorted(f.controlid for f in batch.functions)


def test_a_batch_without_entities_is_one_group_for_the_connections_session():
    batch = PreparedBatch("ap_bill")
    for key in ("B-1", "B-2"):
        document = ap_bill(key)
        batch.payloads.append((build_payload(document), document.posting_date))
    assert list(batch.function_groups) == [None]
    assert PreparedBatch("ap_bill").function_groups == {}
