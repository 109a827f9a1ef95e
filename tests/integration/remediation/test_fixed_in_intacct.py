"""Remediation closes the loop by itself: a fix made in Intacct is picked up by the next run.

A common case: an invoice fails for a payment term Intacct does not have; the fix is to create
that exact term in Intacct and sync again. The next transactions run reads the terms again before
refusing the invoice, and posts it, once. The same for a department created after an
invalid_reference, a user-defined dimension granted again while another stays revoked, and a
department Intacct refused although the run's copy of the list showed it active. Every read of
Intacct's lists costs at most one query per list per run, counted in the run's API cost.
"""

from include.erp.source import open_source
from include.masterdata import run as masterdata
from include.reference_store import refreshes
from include.remediation.data_quality import safe_name
from tests.integration.remediation.helpers import erp_documents, ledger, planted, posted_numbers


def _reads(night, run_id: str) -> dict[str, int]:
    """Stream -> API calls the run spent reading it again."""
    book = ledger(night)
    return {record.stream: record.api_calls for record in refreshes.of_run(book.engine, run_id)}


def _failed_events(night, doc_type: str, key: str) -> list:
    return [e for e in ledger(night).events(doc_type, key) if e.kind == "failed"]


def test_a_term_created_in_intacct_after_the_failure_lets_the_next_run_post_the_invoice_once(night):
    manifest = night.generate(lines=120, seed=11, defect_rate=None, defect_rates={"term_unknown": 0.3})
    failing = planted(manifest, "term_unknown")
    terms = {}
    for doc_type in ("ar_invoice", "ap_bill"):
        documents = erp_documents(night, doc_type, [k for t, k in failing if t == doc_type])
        terms.update({(doc_type, key): d.header["term_name"] for key, d in documents.items()})
    fixed = {(t, k) for (t, k), term in terms.items() if term == "Net 120"}
    assert fixed and len(fixed) < len(terms), terms

    first = night.run()
    book = ledger(night)
    for doc_type, key in fixed:
        row = book.get(doc_type, key)
        assert (row.status, row.error_class) == ("error", "payment_term"), row.last_message
        # What was looked for, in which Intacct list, when that list was read: the next step is clear.
        kind, list_name = ("AR", "AR terms") if doc_type == "ar_invoice" else ("AP", "AP terms")
        assert f"Looked for {kind} payment term 'Net 120'" in row.last_message
        assert f"Setup > Payment Terms / {list_name}" in row.last_message
        assert "read again from Intacct at" in row.last_message and "in this run: not there" in row.last_message
        assert "Create exactly that term in Intacct" in row.last_message
        # Nothing was sent: the event log does not say "posting failed".
        assert [e.reason for e in _failed_events(night, doc_type, key)] == [
            "failed validation (payment_term): nothing was sent to Intacct"]
    assert _reads(night, first["plan"]["run_id"]) == {"ARTERM": 1, "APTERM": 1}

    # The article's fix, in Intacct only: no mapping, no auto-create, no master-data run.
    for object_name in ("ARTERM", "APTERM"):
        night.sandbox.admin.create_record(object_name, {"NAME": "Net 120", "STATUS": "active", "DUEDATE": "120",
                                                        "DUEFROM": "from invoice date", "DESCRIPTION": "Net 120"})
    before = night.sandbox.admin.counters()["DEMO"]["api_transactions"]
    second = night.run()

    posted = posted_numbers(night)
    for doc_type, key in fixed:
        assert book.get(doc_type, key).status == "success" and posted[key] == 1, book.get(doc_type, key).last_message
    for doc_type, key in set(terms) - fixed:  # the terms nobody created: still refused, with the same words
        row = book.get(doc_type, key)
        assert row.status == "error" and "Looked for" in row.last_message and posted[key] == 0
    run_id = second["plan"]["run_id"]
    assert _reads(night, run_id) == {"ARTERM": 1, "APTERM": 1}  # one query per list, however many documents
    spent = night.sandbox.admin.counters()["DEMO"]["api_transactions"] - before
    assert second["summary"]["api_cost"]["api_transactions"] == spent  # the reads are in the run's API cost
    report = night.settings.reports_dir / f"reconciliation_{safe_name(run_id)}.md"
    assert "## Master data read again before refusing documents" in report.read_text()

    night.run()
    assert all(n == 1 for n in posted_numbers(night).values())


def _documents_using(night, manifest, defect: str, field: str, value: str) -> tuple[set, set]:
    """(planted documents whose only unknown value is field=value, the other planted ones)."""
    using, others = set(), set()
    for doc_type, key in planted(manifest, defect):
        document = erp_documents(night, doc_type, [key])[key]
        values = {line.get(field) for line in document.lines}
        (using if value in values else others).add((doc_type, key))
    return using, others


def test_a_department_created_in_intacct_lets_the_next_run_post_the_held_documents_once(night):
    manifest = night.generate(lines=160, seed=17, defect_rate=None, defect_rates={"dimension_value_unknown": 0.3})
    with_department, others = _documents_using(night, manifest, "dimension_value_unknown", "department_id", "MKTG")
    assert with_department and others

    night.run()
    book = ledger(night)
    for doc_type, key in with_department:
        row = book.get(doc_type, key)
        assert (row.status, row.hold) == ("error", "invalid_reference")
        assert "Looked for department 'MKTG'" in row.last_message and "Company > Departments" in row.last_message

    # Someone creates a department, but not the one the documents need: the run says what it looked for.
    night.sandbox.admin.create_record("DEPARTMENT", {"DEPARTMENTID": "MKT", "TITLE": "Marketing (typo)"})
    night.run()
    for doc_type, key in with_department:
        assert book.get(doc_type, key).hold == "invalid_reference"
        [still] = [e for e in book.events(doc_type, key) if e.kind == "still_held"]
        assert "Looked for department 'MKTG'" in still.reason and "read again from Intacct at" in still.reason

    night.sandbox.admin.create_record("DEPARTMENT", {"DEPARTMENTID": "MKTG", "TITLE": "Marketing"})
    result = night.run()

    posted = posted_numbers(night)
    for doc_type, key in with_department:
        assert book.get(doc_type, key).status == "success" and posted[key] == 1
    for doc_type, key in others:  # their values are still missing in Intacct: still held, with what was looked for
        row = book.get(doc_type, key)
        assert row.hold == "invalid_reference" and posted[key] == 0 and "Looked for" in row.last_message
        # Their lists did not change in Intacct: nothing new to say, so no event every night.
        assert not [e for e in ledger(night).events(doc_type, key) if e.kind == "still_held"]
    reads = _reads(night, result["plan"]["run_id"])
    assert reads["DEPARTMENT"] == 1 and all(calls <= 1 for calls in reads.values()), reads
    assert result["summary"]["ok"]

    night.run()
    assert all(n == 1 for n in posted_numbers(night).values())


def test_granting_one_dimension_releases_only_the_documents_held_for_it_without_a_master_data_run(night):
    manifest = night.generate(lines=200, seed=13, defect_rate=None, defect_rates={"udd_unpermitted": 0.25})
    night.sandbox.admin.revoke_udd("REGION")  # a second dimension the integration user cannot read
    masterdata.extract("DIMENSIONS", run_id="master-data-revoked", settings=night.settings, client=night.client())

    night.run()
    book = ledger(night)
    held = {(r.object_type, r.key) for r in book.find(status="error", hold="dimension_unavailable")}
    channel_only, with_region = set(), set()
    for doc_type, key in held:
        document = erp_documents(night, doc_type, [key])[key]
        used = {name for line in document.lines for name in (line.get("dimensions") or {})}
        (with_region if "REGION" in used else channel_only).add((doc_type, key))
    assert channel_only and with_region
    assert set(planted(manifest, "udd_unpermitted")) <= set(held)

    night.sandbox.admin.grant_udd("CHANNEL")  # REGION stays revoked; nobody runs intacct_master_data
    result = night.run()

    posted = posted_numbers(night)
    for doc_type, key in channel_only:
        assert book.get(doc_type, key).status == "success" and posted[key] == 1, book.get(doc_type, key).last_message
    for doc_type, key in with_region:
        row = book.get(doc_type, key)
        assert (row.status, row.hold) == ("error", "dimension_unavailable") and posted[key] == 0
    assert _reads(night, result["plan"]["run_id"]) == {"UDD:CHANNEL": 1, "UDD:REGION": 1}
    assert book.get("dimension", "CHANNEL").status == "success"  # the ledger's view of the dimension follows

    night.run()
    assert all(n == 1 for n in posted_numbers(night).values())


def test_a_department_intacct_refuses_is_read_again_and_posted_once_it_is_active_again(night):
    night.generate(lines=40, seed=5, defect_rate=0.0)
    source = open_source(night.settings.erp_source)
    try:
        documents = {d.key: d for page in source.iter_documents("ar_invoice") for d in page}
    finally:
        source.close()
    department = next(line["department_id"] for d in documents.values() for line in d.lines
                      if line.get("department_id"))
    using = {k for k, d in documents.items() if any(line.get("department_id") == department for line in d.lines)}
    night.sandbox.admin.deactivate("DEPARTMENT", department)  # after master data was read: the copy says active

    night.run()
    book = ledger(night)
    for key in using:
        row = book.get("ar_invoice", key)
        assert (row.status, row.error_class, row.hold) == ("error", "invalid_reference", "invalid_reference")
        assert f"Looked for department '{department}'" in row.last_message and "there, but inactive" in row.last_message
        reasons = [e.reason for e in _failed_events(night, "ar_invoice", key)]
        assert reasons[0] == "posting failed" and reasons[-1].startswith("failed validation (invalid_reference)")
    assert posted_numbers(night).keys().isdisjoint(using)

    night.sandbox.admin.activate("DEPARTMENT", department)
    night.run()
    posted = posted_numbers(night)
    assert all(book.get("ar_invoice", k).status == "success" and posted[k] == 1 for k in using)


def test_a_term_intacct_refuses_is_read_again_and_the_invoice_posts_once_it_is_active_again(night):
    night.generate(lines=40, seed=5, defect_rate=0.0)
    source = open_source(night.settings.erp_source)
    try:
        invoices = {d.key: d for page in source.iter_documents("ar_invoice") for d in page}
    finally:
        source.close()
    term = next(d.header["term_name"] for d in invoices.values() if d.header.get("term_name"))
    using = {k for k, d in invoices.items() if d.header.get("term_name") == term}
    night.sandbox.admin.deactivate("ARTERM", term)  # after master data was read: the run's copy says active

    result = night.run()
    book = ledger(night)
    for key in using:
        row = book.get("ar_invoice", key)
        assert (row.status, row.error_class) == ("error", "payment_term"), row.last_message
        assert f"term {term!r} is inactive in Intacct" in row.last_message
        assert f"Looked for AR payment term {term!r}" in row.last_message and "there, but inactive" in row.last_message
        reasons = [e.reason for e in _failed_events(night, "ar_invoice", key)]
        assert reasons == ["posting failed", "failed validation (payment_term): nothing was sent to Intacct"]
    assert _reads(night, result["plan"]["run_id"])["ARTERM"] == 1  # read by the route, once
    assert posted_numbers(night).keys().isdisjoint(using)

    night.sandbox.admin.activate("ARTERM", term)
    night.run()
    posted = posted_numbers(night)
    assert all(book.get("ar_invoice", k).status == "success" and posted[k] == 1 for k in using)
