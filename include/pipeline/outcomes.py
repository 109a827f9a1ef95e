"""How a failure becomes a ledger outcome: its error class, message and hold.

A document is held (not retried automatically) when what it needs is outside the
product's reach: a closed period, an unavailable user-defined dimension, or an
Intacct-owned master (account, department, location, class, project, dimension
value) that is missing or inactive. A missing ERP-owned master (customer, vendor,
item) is not held: pushing it to Intacct fixes it (the invalid_reference route).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from include.error_classes import ErrorClass
from include.ledger import Hold, Outcome
from include.masterdata.dimensions import int402_steps

# Document fields that reference masters the ERP owns (pushed to Intacct by the master-data DAG).
ERP_OWNED_FIELDS = frozenset({"customer_id", "vendor_id", "item_id"})
# Intacct's messages about ERP-owned masters, e.g. "Customer 'C-9' specified is not valid."
_ERP_OWNED_MESSAGE = re.compile(r"^\s*(Customer|Vendor|Item)\b", re.IGNORECASE)


def period_of(posting_date: date | None) -> str | None:
    return f"{posting_date:%Y-%m}" if posting_date else None


def hold_for(error_class: ErrorClass | str, *, doc_type: str, posting_date: date | None,
             closed_period_policy: dict[str, str], fields: Iterable[str] = (),
             messages: Iterable[str] = ()) -> tuple[str | None, str | None]:
    """(hold, held_for_period) for a failure of ``error_class``; (None, None) when not held."""
    error_class = ErrorClass(error_class)
    if error_class is ErrorClass.CLOSED_PERIOD:
        policy = closed_period_policy.get(doc_type, "hold")
        if policy == "next_open_period":
            return None, None  # the closed_period route re-dates and posts it in this run
        hold = Hold.MANUAL if policy == "manual" else Hold.CLOSED_PERIOD
        return hold.value, period_of(posting_date) if hold is Hold.CLOSED_PERIOD else None
    if error_class is ErrorClass.DIMENSION_UNAVAILABLE:
        return Hold.DIMENSION_UNAVAILABLE.value, None
    if error_class is ErrorClass.INVALID_REFERENCE:
        fields, messages = list(fields), list(messages)
        intacct_owned = any(f not in ERP_OWNED_FIELDS for f in fields) or any(
            not _ERP_OWNED_MESSAGE.match(m) for m in messages)
        return (Hold.INVALID_REFERENCE.value, None) if intacct_owned else (None, None)
    return None, None


# What a person does, appended to the message of a held document so it reaches whoever reads it.
DIMENSION_ADMIN_STEPS = "Administrator: " + int402_steps()
INTACCT_OWNED_STEPS = (
    "Create it (or activate it) in Intacct, or map the ERP value to an existing Intacct one: the document is "
    "held, and every transactions run (and a Force synchronize) reads that Intacct list again before refusing it, "
    "so it is posted by the first run after the fix.")
PAYMENT_TERM_STEPS = (
    "Create exactly that term in Intacct (Setup > Payment Terms), or map the ERP term to an existing Intacct term "
    "in the term mapping file: every transactions run (and a Force synchronize) reads the terms again before "
    "refusing the document, so it is posted by the first run after the fix.")
NOT_SENT = "failed validation ({error_class}): nothing was sent to Intacct"


def remedy(error_class: ErrorClass | str, hold: str | None) -> str | None:
    """The next step to add to a failure's message, when the document waits on someone."""
    if hold == Hold.DIMENSION_UNAVAILABLE.value:
        return DIMENSION_ADMIN_STEPS
    if hold == Hold.INVALID_REFERENCE.value:
        return INTACCT_OWNED_STEPS
    if error_class == ErrorClass.PAYMENT_TERM:
        return PAYMENT_TERM_STEPS
    return None


def _with_remedy(message: str, error_class, hold: str | None, note: str | None = None,
                 step: str | None = None) -> str:
    step = step or remedy(error_class, hold)
    return "\n".join(part for part in (message, note, step) if part)


_ENTITY_FIELDS = frozenset({"entity_id"})
_LOCATION_OUTSIDE_ENTITY = "not to the document's entity"  # the validation's own words (include.quality.checks)


def _erp_document_fix(deciding) -> str | None:
    """The next step when what failed is the document's own entity/location choice: the fix is in the
    ERP document, never "create it in Intacct" (ERROR_CASES, the one table of such situations)."""
    from include.error_classes import ERROR_CASES, ErrorCase

    entity_issues = [i for i in deciding if (i.field.split(".")[0] in _ENTITY_FIELDS
                                             and "is inactive in Intacct" not in i.message)
                     or _LOCATION_OUTSIDE_ENTITY in i.message]
    if not deciding or len(entity_issues) != len(deciding):
        return None
    return ERROR_CASES[ErrorCase.LOCATION_OUTSIDE_ENTITY].person_does


def validation_outcome(failure, *, closed_period_policy: dict[str, str], note: str | None = None) -> Outcome:
    """The ledger outcome of a document that failed validation (a ``quality.DocumentFailure``).

    ``note``: what the run looked for in Intacct's lists before refusing it, where and when
    (``include.remediation.recheck``). Nothing was sent to Intacct, and the event log says so."""
    document = failure.document
    deciding = [issue for issue in failure.issues if issue.error_class == failure.error_class]
    hold, period = hold_for(failure.error_class, doc_type=document.doc_type, posting_date=document.posting_date,
                            closed_period_policy=closed_period_policy,
                            fields=[issue.field.split(".")[0] for issue in deciding])
    return Outcome.error(document.doc_type, document.key, error_class=str(failure.error_class),
                         message=_with_remedy(failure.message, failure.error_class, hold, note,
                                              step=_erp_document_fix(deciding)), hold=hold,
                         held_for_period=period, not_sent=NOT_SENT.format(error_class=failure.error_class))


def write_failure_message(outcome) -> str:
    """One line per Intacct error of a failed write (``WriteOutcome``), most specific first."""
    lines = [error.text() for error in outcome.errors]
    return "\n".join(line for line in lines if line) or f"Intacct answered {outcome.status} ({outcome.resolution})"


def write_outcome(doc_type: str, key: str, posting_date: date | None, outcome, *,
                  closed_period_policy: dict[str, str]) -> Outcome:
    """The ledger outcome of one Intacct write (``include.intacct.WriteOutcome``)."""
    if outcome.ok:
        note = None if outcome.resolution == "sent" else f"posted ({outcome.resolution.replace('_', ' ')})"
        # Legacy functions (create_invoice) answer with <key>, which is the new RECORDNO.
        return Outcome.success(doc_type, key, record_no=outcome.record_no or outcome.key, intacct_key=outcome.key,
                               message=note, controlid=outcome.controlid)
    error_class = ErrorClass(outcome.error_class or ErrorClass.UNKNOWN)
    if outcome.status == "aborted" and outcome.error_class is None:
        error_class = ErrorClass.TRANSIENT  # rolled back with others: nothing wrong with this document
    message = write_failure_message(outcome)
    descriptions = [e.description2 or e.description for e in outcome.errors if (e.description2 or e.description)]
    hold, period = hold_for(error_class, doc_type=doc_type, posting_date=posting_date,
                            closed_period_policy=closed_period_policy, messages=descriptions[:1])
    return Outcome.error(doc_type, key, error_class=error_class.value, message=_with_remedy(message, error_class, hold),
                         hold=hold, held_for_period=period, controlid=outcome.controlid)
