"""payment_term end to end against the sandbox: suggest, map, create by policy, post once."""

from dataclasses import replace

from include.remediation.terms import near_matches
from tests.integration.remediation.helpers import decisions, erp_documents, ledger, planted, posted_numbers

ACTIVE_DEMO_TERMS = ["N30", "N15", "Net 30", "Net 45", "Net 60", "2% 10 Net 30", "Due on Receipt"]


def test_unmatched_terms_are_suggested_then_mapped_or_created_by_policy_and_posted_exactly_once(night, tmp_path):
    manifest = night.generate(lines=160, seed=11, defect_rate=None,
                              defect_rates={"term_near_match": 0.3, "term_unknown": 0.3})
    defective = planted(manifest, "term_near_match") + planted(manifest, "term_unknown")
    terms = {}
    for doc_type in ("ar_invoice", "ap_bill"):
        docs = erp_documents(night, doc_type, [k for t, k in defective if t == doc_type])
        terms.update({(doc_type, k): d.header["term_name"] for k, d in docs.items()})
    values = set(terms.values())
    assert {"Net 120", "Net 10", "Net 90", "EOM 25"} <= values and len(values) >= 8, values

    night.run()
    book = ledger(night)
    for (doc_type, key), term in terms.items():
        row = book.get(doc_type, key)
        assert (row.status, row.error_class) == ("error", "payment_term"), (key, row.last_message)
        assert row.hold is None
        unmatched = [e for e in decisions(night, doc_type, key) if e.kind == "term_unmatched"]
        assert unmatched and "term_mapping" in unmatched[-1].reason  # where the mapping goes
        if near_matches(term, ACTIVE_DEMO_TERMS):
            assert "did you mean" in row.last_message and "not applied" in row.last_message
    assert not any(posted_numbers(night)[k] for _, k in terms)

    # The fix: map the near matches in the file, and let the policy create the rest.
    near = {(t, k): near_matches(term, ACTIVE_DEMO_TERMS)[0] for (t, k), term in terms.items()
            if near_matches(term, ACTIVE_DEMO_TERMS)}
    mapping = tmp_path / "term_mapping.csv"
    rows = sorted({(terms[key], target, key[0]) for key, target in near.items()})
    mapping.write_text("erp_term,intacct_term,doc_types\n" + "".join(f'"{a}",{b},{c}\n' for a, b, c in rows))
    night.settings = replace(night.settings, term_mapping_file=mapping, payment_term_auto_create=True)
    result = night.run()

    posted = posted_numbers(night)
    for (doc_type, key), term in terms.items():
        row = book.get(doc_type, key)
        if (doc_type, key) in near:
            assert row.status == "success" and posted[key] == 1, (key, row.last_message)
            assert any(e.kind == "term_mapped" for e in decisions(night, doc_type, key))
        elif term in ("Net 120", "Net 10"):
            assert row.status == "success" and posted[key] == 1, (key, row.last_message)
            made = [e for e in decisions(night, doc_type, key) if e.kind == "term_created"]
            assert made and "auto-create policy" in made[0].reason and f"{term!r}" in made[0].reason
        elif term == "Net 90":  # exists in Intacct, inactive: never re-created
            assert row.status == "error" and "activate it" in decisions(night, doc_type, key)[-1].reason
        else:  # "EOM 25": the name does not say its due days
            assert row.status == "error" and "does not read as" in decisions(night, doc_type, key)[-1].reason
    assert "payment_term" in " ".join(result["routes"])
    created = {(o, r["NAME"]) for o in ("ARTERM", "APTERM")
               for r in night.client().read_by_name(o, ["Net 120", "Net 10"], fields=["NAME", "DUEDATE"])}
    wanted = {({"ar_invoice": "ARTERM", "ap_bill": "APTERM"}[t], term) for (t, _), term in terms.items()
              if term in ("Net 120", "Net 10")}
    assert wanted <= created
    sent_before = len(night.sandbox.admin.posted())

    night.run()
    assert len(night.sandbox.admin.posted()) == sent_before
    assert all(n == 1 for n in posted_numbers(night).values())
