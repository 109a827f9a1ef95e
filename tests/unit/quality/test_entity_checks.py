"""Entity checks of multi-entity companies: a document's entity_id must be an active entity of
the company, and its lines' locations must belong to that entity."""

from __future__ import annotations

from dataclasses import replace

import pytest

from include import demo_company as demo
from include.error_classes import ErrorClass
from include.pipeline.outcomes import validation_outcome
from include.quality import DocumentValidator
from tests.unit.quality.builders import ap_bill, ar_invoice, journal_entry, with_line

REF = ErrorClass.INVALID_REFERENCE
LOCATION_ENTITIES = {location: entity for entity, locations in demo.ENTITY_LOCATIONS.items()
                     for location in locations} | {"190": "E100", "300": "E300", "900": ""}  # 900: top level


@pytest.fixture(scope="module")
def multi_entity_snapshot(snapshot):
    locations = {**snapshot.locations, "200": "active", "210": "active", "300": "active", "900": "active"}
    return replace(snapshot, locations=locations, entities={"E100": "active", "E200": "active", "E300": "inactive"},
                   location_entities=LOCATION_ENTITIES)


@pytest.fixture(scope="module")
def me_validators(multi_entity_snapshot):
    return {doc_type: DocumentValidator(doc_type, multi_entity_snapshot)
            for doc_type in ("ar_invoice", "ap_bill", "journal_entry")}


def validate(validators, *documents):
    by_type: dict[str, list] = {}
    for document in documents:
        by_type.setdefault(document.doc_type, []).append(document)
    results = {}
    for doc_type, chunk in by_type.items():
        outcome = validators[doc_type].validate(chunk)
        results.update({d.key: None for d in outcome.valid})
        results.update({f.document.key: f for f in outcome.failed})
    return results


def _located(document, location_id):
    for line in document.lines:
        line["location_id"] = location_id
    return document


def only_issue(failure):
    assert failure is not None, "passed validation"
    assert len(failure.issues) == 1, failure.message
    return failure.issues[0]


def test_documents_of_an_active_entity_with_its_locations_pass(me_validators):
    results = validate(me_validators,
                       ar_invoice("AR-E100", entity_id="E100"),  # locations 110, 130: E100
                       with_line(with_line(ap_bill("AP-E200", entity_id="E200"), 0, location_id="200"), 1,
                                 location_id="210"),
                       _located(journal_entry("JE-E100", entity_id="E100"), "110"),
                       ar_invoice("AR-TOP", entity_id=None),
                       ar_invoice("AR-BLANK", entity_id="  "))
    assert results == dict.fromkeys(["AR-E100", "AP-E200", "JE-E100", "AR-TOP", "AR-BLANK"])


def test_unknown_entity_is_invalid_reference_naming_document_field_value_and_the_fix(me_validators):
    issue = only_issue(validate(me_validators, ar_invoice("AR-E9", entity_id="E9"))["AR-E9"])
    assert (issue.error_class, issue.field, issue.line_no) == (REF, "entity_id", None)
    assert issue.expectation == "expect_column_values_to_be_in_set"
    assert issue.message == ("ar_invoice 'AR-E9', field entity_id: entity 'E9' is not an entity of this Intacct "
                             "company (active entities: 'E100', 'E200'); use one of them, or leave entity_id "
                             "empty to post at the top level")


def test_inactive_entity_is_invalid_reference(me_validators):
    bill = with_line(with_line(ap_bill("AP-E300", entity_id="E300"), 0, location_id="300"), 1, location_id="300")
    issue = only_issue(validate(me_validators, bill)["AP-E300"])
    assert (issue.error_class, issue.field) == (REF, "entity_id")
    assert "entity 'E300' is inactive in Intacct; activate it in Intacct" in issue.message


def test_line_location_of_another_entity_is_invalid_reference_on_that_line(me_validators):
    invoice = with_line(ar_invoice("AR-MIXED", entity_id="E100"), 1, location_id="210")
    issue = only_issue(validate(me_validators, invoice)["AR-MIXED"])
    assert (issue.error_class, issue.field, issue.line_no) == (REF, "location_id", 2)
    assert issue.message == ("ar_invoice 'AR-MIXED' line 2, field location_id: location '210' belongs to entity "
                             "'E200', not to the document's entity 'E100'; use a location of entity 'E100', or "
                             "change the document's entity_id")


def test_top_level_location_on_an_entity_document_is_refused(me_validators):
    entry = with_line(_located(journal_entry("JE-TOP-LOCATION", entity_id="E200"), "200"), 2, location_id="900")
    issue = only_issue(validate(me_validators, entry)["JE-TOP-LOCATION"])
    assert (issue.field, issue.line_no) == ("location_id", 3)
    assert "location '900' belongs to no entity (the top level), not to the document's entity 'E200'" in issue.message


def test_unknown_entity_is_reported_once_not_once_per_line(me_validators):
    invoice = with_line(ar_invoice("AR-E9-MIXED", entity_id="E9"), 1, location_id="210")
    failure = validate(me_validators, invoice)["AR-E9-MIXED"]
    assert [issue.field for issue in failure.issues] == ["entity_id"]


def test_location_without_a_known_entity_is_left_to_intacct(me_validators, multi_entity_snapshot):
    # A location read before master data selected ENTITY has no entity on record: not guessed.
    snapshot = replace(multi_entity_snapshot,
                       location_entities={k: v for k, v in LOCATION_ENTITIES.items() if k != "130"})
    validator = DocumentValidator("ar_invoice", snapshot)
    failure = validate({"ar_invoice": validator}, ar_invoice("AR-E200", entity_id="E200"))["AR-E200"]
    assert [(issue.field, issue.line_no) for issue in failure.issues] == [("location_id", 1)]  # 110, not 130


def test_entity_in_a_company_without_entities_is_invalid_reference(validators):
    issue = only_issue(validate(validators, ar_invoice("AR-SINGLE", entity_id="E100"))["AR-SINGLE"])
    assert (issue.error_class, issue.field) == (REF, "entity_id")
    assert issue.message == ("ar_invoice 'AR-SINGLE', field entity_id: entity 'E100' is set, but this Intacct "
                             "company has no entities (it is not a multi-entity company); leave entity_id empty")


def test_entity_failures_are_held_with_the_fix_in_the_erp_document(me_validators):
    # The document chose the entity (or mixed entities): the fix is in the ERP, not "create it in Intacct".
    results = validate(me_validators, ar_invoice("AR-E9", entity_id="E9"),
                       with_line(ar_invoice("AR-MIXED", entity_id="E100"), 1, location_id="210"))
    for key in ("AR-E9", "AR-MIXED"):
        outcome = validation_outcome(results[key], closed_period_policy={})
        assert outcome.hold == "invalid_reference"
        assert "Correct the document in the ERP" in outcome.message
        assert "Create it (or activate it) in Intacct" not in outcome.message


def test_a_line_without_a_location_in_a_multi_entity_company_is_data_quality(me_validators):
    # Intacct refuses it ("Use of empty Location is invalid"): caught before sending, fixed in the ERP.
    entry = with_line(_located(journal_entry("JE-NO-LOCATION", entity_id="E100"), "110"), 1, location_id="")
    issue = only_issue(validate(me_validators, entry)["JE-NO-LOCATION"])
    assert (issue.error_class, issue.field, issue.line_no) == (ErrorClass.DATA_QUALITY, "location_id", 2)
    assert issue.message == ("journal_entry 'JE-NO-LOCATION' line 2, field location_id: missing: this Intacct "
                             "company has entities, so every line needs a location (Intacct refuses an empty one); "
                             "set location_id to a location of entity 'E100'")
    top = with_line(_located(ar_invoice("AR-TOP-NO-LOCATION", entity_id=None), "110"), 0, location_id=None)
    assert "set location_id to a location" in only_issue(validate(me_validators, top)["AR-TOP-NO-LOCATION"]).message


def test_lines_without_a_location_pass_in_a_company_without_entities(validators):
    entry = journal_entry("JE-SINGLE")
    assert all(not line.get("location_id") for line in entry.lines)
    assert validate(validators, entry) == {"JE-SINGLE": None}
