"""A posted document whose lines change in the ERP while its period is open is updated in
Intacct by the next night: the same RECORDNO carries the new lines and total, the ledger
records the new version as posted, and nothing is posted twice."""

import sqlite3
from datetime import timedelta
from decimal import Decimal

from include.erp.documents import DOCUMENT_SPECS
from include.erp.source import open_source
from include.ledger import Ledger

OBJECTS = {"ar_invoice": "ARINVOICE", "ap_bill": "APBILL", "journal_entry": "GLBATCH"}


def _number(record: dict) -> str:
    return record.get("REFERENCENO") or record["RECORDID"]


def _rows(erp, table: str, key_column: str, key: str) -> list[dict]:
    erp.row_factory = sqlite3.Row
    rows = erp.execute(f"SELECT * FROM {table} WHERE {key_column} = ? ORDER BY CAST(line_no AS INTEGER)",
                       (key,)).fetchall()
    return [dict(r) for r in rows]


def _change_lines(erp, doc_type: str, key: str, stamp: str) -> None:
    """A person edits a posted document in the ERP: new amounts, one line added or dropped."""
    spec = DOCUMENT_SPECS[doc_type]
    table, key_column = spec.lines_table, spec.key_column
    lines = _rows(erp, table, key_column, key)
    if doc_type == "journal_entry":  # stays balanced: the first debit and the first credit grow alike
        debit = next(line for line in lines if line["debit"])
        credit = next(line for line in lines if line["credit"])
        for line, side in ((debit, "debit"), (credit, "credit")):
            erp.execute(f"UPDATE {table} SET {side} = ? WHERE {key_column} = ? AND line_no = ?",
                        (str(Decimal(line[side]) + Decimal("10.05")), key, line["line_no"]))
    elif len(lines) > 1:  # the last line is dropped, the first one changes
        erp.execute(f"DELETE FROM {table} WHERE {key_column} = ? AND line_no = ?", (key, lines[-1]["line_no"]))
        erp.execute(f"UPDATE {table} SET amount = '123.45' WHERE {key_column} = ? AND line_no = ?",
                    (key, lines[0]["line_no"]))
    else:  # a second line is added next to a changed first one
        added = {**lines[0], "line_no": "2", "amount": "7.70", "memo": "added after posting"}
        erp.execute(f"INSERT INTO {table} ({', '.join(added)}) VALUES ({', '.join('?' * len(added))})",
                    tuple(added.values()))
        erp.execute(f"UPDATE {table} SET amount = '123.45' WHERE {key_column} = ? AND line_no = ?",
                    (key, lines[0]["line_no"]))
    erp.execute(f"UPDATE {spec.header_table} SET updated_at = ? WHERE {key_column} = ?", (stamp, key))


def test_document_changed_in_an_open_period_is_updated_under_the_same_recordno(night):
    # Both nights lie in the past, so the change stamped during the second is never further ahead of
    # the clock than the reader's tolerance for future updated_at, whatever the hour the test runs.
    night.as_of -= timedelta(days=2)
    night.generate(lines=60, seed=31)
    first = night.run()
    assert first["summary"]["ok"]
    ledger = Ledger(night.settings.integration_db_url)
    posted_before = night.sandbox.admin.posted()
    changed = {t: ledger.find(object_type=t, status="success")[0] for t in OBJECTS}

    # The next day someone changes one posted document of each type in the ERP.
    _, end = night.night_interval()
    stamp = (end + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with sqlite3.connect(night.erp_path) as erp:
        for doc_type, row in changed.items():
            _change_lines(erp, doc_type, row.key, stamp)
    source = open_source(night.settings.erp_source)
    new_versions = {t: source.get_documents(t, [row.key])[0] for t, row in changed.items()}
    source.close()
    assert all(new_versions[t].source_version != row.source_version for t, row in changed.items())

    second = night.run(run_id="scheduled__the-next-night", data_interval=(end, end + timedelta(days=1)))

    assert second["summary"]["ok"] and sum(item["sent"] for item in second["loaded"]) == len(changed)
    posted_after = night.sandbox.admin.posted()
    assert len(posted_after) == len(posted_before)  # updated in place, nothing posted twice
    for doc_type, row in changed.items():
        document = new_versions[doc_type]
        records = [r for r in posted_after if r["OBJECT"] == OBJECTS[doc_type] and _number(r) == row.key]
        assert len(records) == 1, f"{doc_type} {row.key}: {len(records)} documents in Intacct"
        [record] = records
        assert record["RECORDNO"] == row.intacct_record_no
        if doc_type == "journal_entry":
            sent = [(line["account_no"], "1" if line["debit"] else "-1", line["debit"] or line["credit"])
                    for line in document.lines]
            stored = [(line["ACCOUNTNO"], line["TR_TYPE"], Decimal(line["AMOUNT"])) for line in record["LINES"]]
        else:
            sent = [(line["account_no"], line["amount"]) for line in document.lines]
            stored = [(line["ACCOUNTNO"], Decimal(line["AMOUNT"])) for line in record["LINES"]]
            assert Decimal(record["TOTALENTERED"]) == sum(line["amount"] for line in document.lines)
        assert stored == sent, f"{doc_type} {row.key}"
        updated = ledger.get(doc_type, row.key)
        assert updated.status == "success" and updated.intacct_record_no == row.intacct_record_no
        assert updated.posted_version == updated.source_version == document.source_version
    untouched = {(r["OBJECT"], r["RECORDNO"]): r for r in posted_before}
    changed_numbers = {(OBJECTS[t], r.key) for t, r in changed.items()}
    for record in posted_after:
        if (record["OBJECT"], _number(record)) not in changed_numbers:
            assert record == untouched[(record["OBJECT"], record["RECORDNO"])]
