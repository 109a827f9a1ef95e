"""dimension_unavailable and invalid_reference end to end against the sandbox."""

from include.masterdata import run as masterdata
from tests.integration.remediation.helpers import decisions, ledger, planted, posted_numbers

# The values the generator's dimension_value_unknown defect uses, as Intacct records to create.
MISSING_VALUES = [("DEPARTMENT", {"DEPARTMENTID": "MKTG", "TITLE": "Marketing"}),
                  ("LOCATION", {"LOCATIONID": "999", "NAME": "Overflow"}),
                  ("CLASS", {"CLASSID": "EXPORT", "NAME": "Export"}),
                  ("PROJECT", {"PROJECTID": "P-7777", "NAME": "Project 7777", "PROJECTCATEGORY": "Contract"}),
                  ("REGION", {"id": "19999", "name": "Overseas", "status": "active"})]


def _sync(night, *streams):
    for stream in streams:
        masterdata.extract(stream, run_id="master-data-fix", settings=night.settings, client=night.client())


def test_unavailable_dimension_holds_documents_without_retrying_and_posts_them_once_after_the_sync(night):
    manifest = night.generate(lines=90, seed=13, defect_rate=None, defect_rates={"udd_unpermitted": 0.25})
    held = planted(manifest, "udd_unpermitted")
    assert held

    night.run()
    book = ledger(night)
    for doc_type, key in held:
        row = book.get(doc_type, key)
        assert (row.status, row.error_class, row.hold) == ("error", "dimension_unavailable", "dimension_unavailable")
        assert "Platform Services > Objects" in row.last_message and "intacct_master_data" in row.last_message
        assert any(e.kind == "held_for_dimension" for e in decisions(night, doc_type, key))
    attempts = {k: book.get(t, k).attempts for t, k in held}

    night.run()  # not fixed yet: held documents are not tried again
    assert {k: book.get(t, k).attempts for t, k in held} == attempts

    night.sandbox.admin.grant_udd("CHANNEL")
    _sync(night, "DIMENSIONS")  # the master-data sync reads CHANNEL again and releases the holds
    assert all(book.get(t, k).released_at for t, k in held)
    night.run()
    posted = posted_numbers(night)
    assert all(book.get(t, k).status == "success" and posted[k] == 1 for t, k in held)

    night.run()
    assert all(n == 1 for n in posted_numbers(night).values())


def test_missing_erp_masters_are_pushed_in_the_run_and_intacct_owned_values_are_posted_once_intacct_has_them(night):
    manifest = night.generate(lines=120, seed=17, defect_rate=None,
                              defect_rates={"customer_not_in_intacct": 0.2, "vendor_not_in_intacct": 0.2,
                                            "item_not_in_intacct": 0.1, "dimension_value_unknown": 0.2})
    erp_owned = [d for name in ("customer_not_in_intacct", "vendor_not_in_intacct", "item_not_in_intacct")
                 for d in planted(manifest, name)]
    intacct_owned = planted(manifest, "dimension_value_unknown")
    assert erp_owned and intacct_owned

    result = night.run()
    assert "remediate_invalid_reference" in result["routes"]
    book = ledger(night)
    posted = posted_numbers(night)
    for doc_type, key in erp_owned:  # pushed the customer/vendor/item, then posted in the same run
        row = book.get(doc_type, key)
        assert row.status == "success" and posted[key] == 1, (key, row.last_message)
        assert any(e.kind == "pushed_masters" for e in decisions(night, doc_type, key))
    for doc_type, key in intacct_owned:
        row = book.get(doc_type, key)
        assert (row.status, row.error_class, row.hold) == ("error", "invalid_reference", "invalid_reference")
        assert "Create it (or activate it) in Intacct, or map" in row.last_message
        assert "read again from Intacct at" in row.last_message  # looked again before refusing
        assert posted[key] == 0

    for object_name, fields in MISSING_VALUES:
        night.sandbox.admin.create_record(object_name, fields)
    night.run()  # no master-data run: the transactions run reads those lists again itself
    posted = posted_numbers(night)
    for doc_type, key in intacct_owned:
        row = book.get(doc_type, key)
        assert row.status == "success" and posted[key] == 1, (key, row.last_message)
    night.run()
    assert all(n == 1 for n in posted_numbers(night).values())
