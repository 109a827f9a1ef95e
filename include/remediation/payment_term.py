"""Payment-term failures: explain with near matches, or create the term by policy and post.

A document reaches this route when its term (after the mapping file) is not an active
Intacct term. Without the auto-create policy it stays in error, not held: every run
validates it again after reading the terms again from Intacct (one query per run), so a
mapping row or a term created in Intacct lets it pass. When Intacct itself refused the
term (the run's copy of the terms said it was active), the route reads the terms again at
once: a term now missing or inactive is recorded with when the list was read, a list that
changed lets the document go out again in this run. With ``settings.payment_term_auto_create`` the missing term is created (ARTERM
for invoices, APTERM for bills, due days and discount read from its name) and the
documents waiting on it are posted in the same run. A term is never created when its
name cannot be read, when Intacct has a near match (that is a mapping to add, not a new
term), when it exists but is inactive, or when the document also failed another check.
"""

from __future__ import annotations

import os
from collections import defaultdict

from include.error_classes import ErrorClass
from include.masterdata.lookups import referenced_lookups
from include.pipeline.outcomes import validation_outcome
from include.pipeline.posting import PostingStats, claimed_from_rows, post_claimed
from include.remediation.base import Handler, RemediationContext, RemediationResult
from include.remediation.recheck import check_intacct_refusals, refused_by_intacct
from include.remediation.terms import (
    TERM_DOC_TYPES,
    TERM_OBJECT,
    TermMapping,
    UnparseableTerm,
    near_matches,
    parse_term_name,
)

POLICY_SWITCH = "INTEGRATION_PAYMENT_TERM_AUTO_CREATE"


def _only_term_issues(ledger, doc_type: str, key: str) -> bool:
    for event in reversed(ledger.events(doc_type, key)):
        if event.kind == "validation_failed" and event.details:
            issues = event.details.get("issues") or []
            return bool(issues) and all(i.get("error_class") == ErrorClass.PAYMENT_TERM.value for i in issues)
    return True  # refused by Intacct itself: the term was the only complaint


def term_controlid(object_name: str, name: str) -> str:
    return f"term:{object_name}:{name}"[:100]


def _term_lookups(document) -> list:
    return [lookup for lookup in referenced_lookups(document) if lookup.field == "term_name"]


def _read_at(store, object_name: str) -> str:
    state = store.state(object_name)
    when = state.last_refreshed_at if state else None
    return f"{when:%Y-%m-%d %H:%M:%S} UTC" if when else "never"


class PaymentTermHandler(Handler):
    error_class = ErrorClass.PAYMENT_TERM

    def remediate(self, context: RemediationContext) -> RemediationResult:
        from include.reference_store import ReferenceStore

        result = RemediationResult(self.error_class.value)
        mapping = context.term_mapping
        store = ReferenceStore(context.ledger.engine)
        mapping_file = context.settings.term_mapping_file
        for doc_type, rows in self.rows_by_type(context, result,
                                                [t for t in context.doc_types if t in TERM_DOC_TYPES]):
            object_name = TERM_OBJECT[doc_type]
            by_intacct = [r.key for r in rows if refused_by_intacct(context.ledger, doc_type, r.key, context.run_id)]
            if by_intacct:
                sent_again = self._read_again_and_retry(context, doc_type, by_intacct, result)
                rows = [r for r in rows if r.key not in sent_again]
            known = store.statuses(object_name)
            active = [name for name, status in known.items() if (status or "").lower() == "active"]
            documents = {d.key: mapping.apply(d) for d in context.source.get_documents(doc_type, [r.key for r in rows])}
            to_create: dict[str, list[str]] = defaultdict(list)
            for row in rows:
                document = documents.get(row.key)
                if document is None:
                    result.outcomes["missing_in_erp"] += 1
                    continue
                term = (document.header.get("term_name") or "").strip()
                near = near_matches(term, active)
                suggestion = (f"Intacct has {', '.join(repr(n) for n in near)}: add the row "
                              f"'{term},{near[0]},{doc_type}' to {mapping_file} to use it (near matches are "
                              "never applied by themselves)") if near else None
                why_not = None
                if not context.settings.payment_term_auto_create:
                    why_not = (suggestion or f"add the ERP term to {mapping_file}, or create {term!r} exactly in "
                               f"Intacct (Setup > Payment Terms), or set {POLICY_SWITCH}=true")
                elif term in known:
                    why_not = f"{object_name} {term!r} exists in Intacct but is {known[term] or 'not active'}: activate it"
                elif near:
                    why_not = f"not created: {suggestion}"
                elif not _only_term_issues(context.ledger, doc_type, row.key):
                    why_not = "not created: the document also failed other checks; correct it in the ERP first"
                else:
                    try:
                        parse_term_name(term)
                    except UnparseableTerm as exc:
                        why_not = f"not created: {exc}; create it in Intacct by hand or map it in {mapping_file}"
                if why_not:
                    result.outcomes["awaiting_person"] += 1
                    context.ledger.log_decision(doc_type, row.key, run_id=context.run_id, decision="term_unmatched",
                                                reason=f"payment term {term!r} is not an active Intacct "
                                                       f"{object_name} (terms last read from Intacct "
                                                       f"{_read_at(store, object_name)}): {why_not}",
                                                details={"term": term, "near_matches": near})
                    continue
                to_create[term].append(row.key)
            ready = self._create_terms(context, doc_type, to_create, result)
            if ready:
                self._post(context, doc_type, ready, mapping, result)
        if (result.outcomes.get("term_created") or result.outcomes.get("posted") is not None
                or result.outcomes.get("read_again") is not None):
            result.api = context.client.metrics.snapshot()
        return result

    def _read_again_and_retry(self, context, doc_type: str, keys: list[str], result) -> set[str]:
        """Intacct refused a term the run's copy of the terms showed as active: read the terms again.
        A term missing or inactive now is recorded with when the list was read (nothing sent) and
        goes on through this route; one a changed list now shows is sent again. The keys sent again."""
        worker = f"remediate_payment_term:{os.getpid()}"
        check = check_intacct_refusals(context, doc_type, keys, lookups_for=_term_lookups, worker=worker)
        result.outcomes["read_again"] += len(keys)
        for key, note in check.unchanged.items():
            context.ledger.log_decision(doc_type, key, run_id=context.run_id, decision="term_unmatched",
                                        reason=f"Intacct refused the term, which its terms, read again, show as "
                                               f"active: check the term in Intacct. {note}")
        retry = [*check.post_again, *(f.document.key for f in check.failures)]
        if not retry:
            return set()
        claims = context.ledger.claim(doc_type, retry, run_id=context.run_id, worker=worker, action="retry",
                                      reason="Intacct's terms read again after it refused the document's term",
                                      lease_seconds=context.settings.claim_lease_seconds)
        claimed = {c.key for c in claims}
        failed = [f for f in check.failures if f.document.key in claimed]
        if failed:
            context.ledger.record_outcomes(
                [validation_outcome(f, closed_period_policy=context.settings.closed_period_policy,
                                    note=check.notes.get(f.document.key)) for f in failed], run_id=context.run_id)
        again = [c for c in claims if c.key in check.post_again]
        if again:
            stats = PostingStats()
            stats.add(post_claimed(doc_type, claimed_from_rows(again), run_id=context.run_id, ledger=context.ledger,
                                   source=context.source, client=context.client,
                                   closed_period_policy=context.settings.closed_period_policy,
                                   transform=context.term_mapping.apply))
            result.outcomes["posted_after_reading_again"] += stats.posted
            result.outcomes.update({f"now_{cls}": n for cls, n in stats.failed.items()})
        return {c.key for c in again}

    def _create_terms(self, context, doc_type: str, to_create: dict[str, list[str]], result) -> list[str]:
        """Create each missing term once; the keys whose term now exists."""
        from include.intacct.functions import CreateApTerm, CreateArTerm

        if not to_create:
            return []
        object_name = TERM_OBJECT[doc_type]
        function_class = CreateArTerm if doc_type == "ar_invoice" else CreateApTerm
        terms = sorted(to_create)
        rules = {term: parse_term_name(term) for term in terms}
        outcomes = context.client.execute_writes(
            [function_class(rules[t].intacct_fields(t, doc_type), controlid=term_controlid(object_name, t))
             for t in terms])
        ready = []
        for term, outcome in zip(terms, outcomes, strict=True):
            texts = " ".join(e.text() for e in outcome.errors)
            exists = not outcome.ok and "already exists" in texts.lower()
            rule = rules[term]
            described = f"due in {rule.due_days} days" + (
                f", {rule.discount_percent}% discount within {rule.discount_days} days"
                if rule.discount_percent is not None else "")
            for key in to_create[term]:
                if outcome.ok or exists:
                    ready.append(key)
                    result.outcomes["term_created"] += 1
                    context.ledger.log_decision(
                        doc_type, key, run_id=context.run_id, decision="term_created",
                        reason=f"auto-create policy ({POLICY_SWITCH}): {object_name} {term!r} "
                               f"{'created' if outcome.ok else 'already existed'} in Intacct ({described}); "
                               "posting the document in this run",
                        details={"term": term, "object": object_name, "due_days": rule.due_days,
                                 "discount_percent": rule.discount_percent, "discount_days": rule.discount_days})
                else:
                    result.outcomes["term_not_created"] += 1
                    context.ledger.log_decision(
                        doc_type, key, run_id=context.run_id, decision="term_unmatched",
                        reason=f"creating {object_name} {term!r} failed: {texts or outcome.resolution}")
        return ready

    def _post(self, context, doc_type: str, keys: list[str], mapping: TermMapping, result) -> None:
        claims = context.ledger.claim(doc_type, keys, run_id=context.run_id,
                                      worker=f"remediate_payment_term:{os.getpid()}", action="retry",
                                      reason="its payment term was created in Intacct by the auto-create policy",
                                      lease_seconds=context.settings.claim_lease_seconds)
        stats = PostingStats()
        stats.add(post_claimed(doc_type, claimed_from_rows(claims), run_id=context.run_id, ledger=context.ledger,
                               source=context.source, client=context.client,
                               closed_period_policy=context.settings.closed_period_policy, transform=mapping.apply))
        result.outcomes["posted"] += stats.posted
        result.outcomes.update({f"now_{cls}": n for cls, n in stats.failed.items()})
