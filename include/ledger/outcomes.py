"""Recording posting results: an outcome applies only while its run still holds the claim."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from include.error_classes import ErrorClass
from include.ledger.db import write_transaction
from include.ledger.inputs import LedgerInputError, checked_enum, checked_period, checked_text
from include.ledger.records import Outcome, OutcomeReport, Refusal
from include.ledger.schema import objects
from include.ledger.transitions import Action, Hold, Status, TransitionRefused, refusal_reason, require
from include.ledger.types import utcnow
from include.ledger.writes import LedgerWriter, key_chunks, sql_timestamp


class RecordingOutcomes(LedgerWriter):
    """The Ledger's part that records posting results against the claims they answer."""

    def record_success(
        self,
        object_type: str,
        key: str,
        *,
        run_id: str,
        record_no: str | None,
        intacct_key: str | None = None,
        message: str | None = None,
    ) -> None:
        self._record_one(
            Outcome.success(object_type, key, record_no=record_no, intacct_key=intacct_key, message=message),
            run_id,
        )

    def record_error(
        self,
        object_type: str,
        key: str,
        *,
        run_id: str,
        error_class: str,
        message: str,
        hold: str | None = None,
        held_for_period: str | None = None,
    ) -> None:
        self._record_one(
            Outcome.error(
                object_type,
                key,
                error_class=error_class,
                message=message,
                hold=hold,
                held_for_period=held_for_period,
            ),
            run_id,
        )

    def _record_one(self, outcome: Outcome, run_id: str) -> None:
        report = self.record_outcomes([outcome], run_id=run_id)
        if report.refused:
            refusal = report.refused[0]
            to_status = Status.SUCCESS if outcome.ok else Status.ERROR
            raise TransitionRefused(
                refusal.object_type, refusal.key, refusal.status, to_status, refusal.reason
            )

    def record_outcomes(self, outcomes: Iterable[Outcome], *, run_id: str) -> OutcomeReport:
        """Record posting results in one transaction.

        An outcome for an object that this run no longer holds (not pending, or re-claimed by
        another run after its lease expired) is not applied: it is returned in ``refused`` and
        logged as an ``outcome_refused`` event with everything it said, so nothing is lost.
        Invalid input (unknown error class, bad period) fails before anything is written.
        """
        checked_text("outcome", None, "run_id", run_id, 250)
        by_type: dict[str, dict[str, Outcome]] = {}
        for outcome in outcomes:
            self._check_outcome(outcome)
            per_type = by_type.setdefault(outcome.object_type, {})
            if outcome.key in per_type:
                raise LedgerInputError(outcome.object_type, outcome.key, "key", "two outcomes in one batch")
            per_type[outcome.key] = outcome
        applied, refused = 0, []
        with write_transaction(self.engine) as conn:
            now = utcnow()
            for object_type, per_type in by_type.items():
                for chunk in key_chunks(sorted(per_type)):
                    count, chunk_refused = self._record_chunk(
                        conn, object_type, [per_type[k] for k in chunk], run_id, now
                    )
                    applied += count
                    refused.extend(chunk_refused)
        return OutcomeReport(applied, refused)

    @staticmethod
    def _check_outcome(outcome: Outcome) -> None:
        ot, key = outcome.object_type, outcome.key
        checked_text("outcome", key, "object_type", ot, 32)
        checked_text(ot, key, "key", key, 128)
        checked_text(ot, key, "record_no", outcome.record_no, 64, required=False)
        checked_text(ot, key, "intacct_key", outcome.intacct_key, 128, required=False)
        checked_text(ot, key, "controlid", outcome.controlid, 256, required=False)
        if outcome.ok:
            if outcome.error_class or outcome.hold or outcome.held_for_period:
                raise LedgerInputError(ot, key, "error_class", "a success carries no error class or hold")
            return
        if outcome.error_class is None:
            raise LedgerInputError(ot, key, "error_class", "required for an error")
        checked_enum(ErrorClass, ot, key, "error_class", outcome.error_class)
        checked_text(ot, key, "message", outcome.message, 100_000)
        checked_enum(Hold, ot, key, "hold", outcome.hold)
        checked_period(ot, key, outcome.held_for_period)
        if outcome.held_for_period and not outcome.hold:
            raise LedgerInputError(ot, key, "held_for_period", "given without a hold")

    def _record_chunk(
        self, conn: Connection, object_type: str, outcomes: list[Outcome], run_id: str, now: datetime
    ) -> tuple[int, list[Refusal]]:
        t = objects
        rows = self._lock_rows(
            conn,
            object_type,
            [o.key for o in outcomes],
            (
                "id",
                "key",
                "status",
                "source_version",
                "claimed_version",
                "claim_run_id",
                "claimed_by",
                "posting_date",
                "controlid",
            ),
        )
        successes, errors, new_events, refused = [], [], [], []
        for outcome in outcomes:
            row = rows.get(outcome.key)
            details = {
                k: v
                for k, v in (
                    ("record_no", outcome.record_no),
                    ("intacct_key", outcome.intacct_key),
                    ("error_class", outcome.error_class),
                    ("hold", outcome.hold),
                    ("held_for_period", outcome.held_for_period),
                    ("message", outcome.message),
                )
                if v is not None
            }
            if row is None:
                refused.append(Refusal(object_type, outcome.key, None, "not in the ledger"))
                continue
            status = Status(row["status"])
            reason = None
            if status is not Status.PENDING:
                reason = refusal_reason(Action.SUCCEED if outcome.ok else Action.FAIL, status)
            elif row["claim_run_id"] != run_id:
                reason = (
                    f"claimed by run {row['claim_run_id']} ({row['claimed_by']}) "
                    "since this run's lease expired"
                )
            if reason:
                refused.append(Refusal(object_type, outcome.key, status, reason))
                new_events.append(
                    self._event(
                        row["id"],
                        "outcome_refused",
                        status,
                        status,
                        row["source_version"],
                        run_id=run_id,
                        reason=reason,
                        details={"ok": outcome.ok, **details},
                    )
                )
                continue
            outdated = row["source_version"] != row["claimed_version"]
            controlid = outcome.controlid or row["controlid"]
            if outcome.ok:
                action = Action.SUCCEED_OUTDATED if outdated else Action.SUCCEED
            else:
                action = Action.FAIL_OUTDATED if outdated else Action.FAIL
            transition = require(action, status, object_type=object_type, key=outcome.key)
            after = transition.to_status
            if outcome.ok:
                successes.append(
                    {
                        "b_id": row["id"],
                        "b_status": after.value,
                        "b_record_no": outcome.record_no,
                        "b_intacct_key": outcome.intacct_key,
                        "b_message": outcome.message,
                        "b_controlid": controlid,
                    }
                )
            else:
                hold = outcome.hold if after is Status.ERROR else None
                period = outcome.held_for_period
                if hold == Hold.CLOSED_PERIOD and period is None and row["posting_date"] is not None:
                    period = f"{row['posting_date']:%Y-%m}"
                errors.append(
                    {
                        "b_id": row["id"],
                        "b_status": after.value,
                        "b_error_class": outcome.error_class,
                        "b_message": outcome.message,
                        "b_hold": hold,
                        "b_held_for_period": period if hold else None,
                        "b_controlid": controlid,
                    }
                )
            new_events.append(
                self._event(
                    row["id"],
                    "succeeded" if outcome.ok else "failed",
                    status,
                    after,
                    row["claimed_version"],
                    run_id=run_id,
                    reason=_outcome_reason(outcome, transition),
                    details={"controlid": controlid, **details, **({"sent": False} if outcome.not_sent else {})},
                )
            )
        common = dict(
            claimed_by=None,
            claim_run_id=None,
            claim_expires_at=None,
            last_run_id=run_id,
            updated_at=sql_timestamp(now),
            controlid=sa.bindparam("b_controlid"),
            last_message=sa.bindparam("b_message"),
            status=sa.bindparam("b_status"),
        )
        if successes:
            conn.execute(
                t.update()
                .where(t.c.id == sa.bindparam("b_id"))
                .values(
                    intacct_record_no=sa.bindparam("b_record_no"),
                    intacct_key=sa.bindparam("b_intacct_key"),
                    posted_version=t.c.claimed_version,
                    synced_at=sql_timestamp(now),
                    error_class=None,
                    hold=None,
                    held_for_period=None,
                    **common,
                ),
                successes,
            )
        if errors:
            conn.execute(
                t.update()
                .where(t.c.id == sa.bindparam("b_id"))
                .values(
                    error_class=sa.bindparam("b_error_class"),
                    hold=sa.bindparam("b_hold"),
                    held_for_period=sa.bindparam("b_held_for_period"),
                    **common,
                ),
                errors,
            )
        self._append(conn, now, new_events)
        return len(successes) + len(errors), refused


def _outcome_reason(outcome: Outcome, transition) -> str:
    """The event's reason: the transition's meaning ("posting failed"), unless nothing was sent."""
    if not outcome.not_sent:
        return transition.meaning
    if transition.action is Action.FAIL_OUTDATED:
        return f"{outcome.not_sent}; a newer ERP version waits to be posted"
    return outcome.not_sent
