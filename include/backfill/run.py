"""Post what a reopened period held: release its holds, then backfill the transactions DAG.

Two ways in:

* ``handle_reopening`` runs after every master-data sync of the closed-books date. When the
  date moved back, it releases the ``closed_period`` holds of every reopened period and starts
  one backfill of ``intacct_post_transactions`` over the reopened dates through Airflow's REST
  API (connection ``airflow_api``); without that connection it logs the command to run.
* ``backfill_period`` is the ``python -m include.backfill 2026-09`` wrapper: it reads the
  closed-books date from Intacct (refusing a period that is still closed), releases the
  period's holds, and runs ``airflow backfill create`` (or POSTs /api/v2/backfills).

Each backfill run then claims the released documents of its day and posts them. Re-running a
backfill posts nothing twice: posted documents are ``success`` in the ledger, which refuses to
claim them again, and a resend reuses the controlid Intacct already recorded.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from include.airflow_api import AirflowApi, AirflowApiError, AirflowApiNotConfigured
from include.backfill.airflow_cli import run_airflow_cli
from include.backfill.periods import PeriodWindow, period_bounds, reopened_windows
from include.settings import Settings

log = logging.getLogger(__name__)

TRANSACTIONS_DAG_ID = "intacct_post_transactions"
CLOSED_PERIOD_HOLD = "closed_period"


class PeriodStillClosed(RuntimeError):
    pass


class DagPaused(RuntimeError):
    """The transactions DAG is paused: a backfill's runs would wait, unnoticed, until someone unpauses it."""


PAUSED_ADVICE = (f"{TRANSACTIONS_DAG_ID} is paused, so its backfill runs would wait without running. Unpause it "
                 f"(airflow dags unpause {TRANSACTIONS_DAG_ID}, or the toggle in the UI) and run this again, or "
                 "run it with --unpause")


def _dag_paused_by_cli(runner) -> bool:
    result = runner(["dags", "details", TRANSACTIONS_DAG_ID, "--output", "json"])
    if result.returncode != 0:
        raise RuntimeError(f"airflow dags details {TRANSACTIONS_DAG_ID} exited {result.returncode}: "
                           f"{(result.stderr or result.stdout or '')[-1000:]}")
    start = result.stdout.find("[{")  # the CLI may log lines before its JSON
    if start < 0:
        raise RuntimeError(f"airflow dags details {TRANSACTIONS_DAG_ID} printed no JSON: {result.stdout[-1000:]}")
    details, _ = json.JSONDecoder().raw_decode(result.stdout, start)
    return bool(details[0].get("is_paused"))


def _ensure_unpaused(api: AirflowApi | None, runner, unpause: bool) -> bool:
    """Refuse (DagPaused) or, with ``unpause``, unpause the transactions DAG; True when it unpaused it."""
    paused = api.is_paused(TRANSACTIONS_DAG_ID) if api else _dag_paused_by_cli(runner)
    if not paused:
        return False
    if not unpause:
        raise DagPaused(PAUSED_ADVICE)
    if api:
        api.unpause(TRANSACTIONS_DAG_ID)
    else:
        done = runner(["dags", "unpause", TRANSACTIONS_DAG_ID])
        if done.returncode != 0:
            raise RuntimeError(f"airflow dags unpause {TRANSACTIONS_DAG_ID} exited {done.returncode}: "
                               f"{(done.stderr or done.stdout or '')[-1000:]}")
    log.warning("%s was paused: unpaused it so the backfill's runs execute", TRANSACTIONS_DAG_ID)
    return True


@dataclass
class BackfillOutcome:
    """What a reopening or the wrapper did (JSON-safe via to_json)."""

    windows: list[PeriodWindow] = field(default_factory=list)
    released: dict[str, int] = field(default_factory=dict)  # period -> documents released now
    waiting: int = 0  # released closed-period documents in the backfill's dates
    from_date: date | None = None
    to_date: date | None = None
    command: list[str] = field(default_factory=list)
    started: str = "not needed"  # "cli", "api", "dry run", "skipped: <why>", "not needed"
    backfill: dict | None = None
    unpaused: bool = False  # the wrapper unpaused the transactions DAG (--unpause)

    def to_json(self) -> dict:
        return {"windows": [w.to_json() for w in self.windows], "released": self.released, "waiting": self.waiting,
                "from_date": self.from_date.isoformat() if self.from_date else None,
                "to_date": self.to_date.isoformat() if self.to_date else None,
                "command": " ".join(self.command), "started": self.started, "backfill": self.backfill,
                "unpaused": self.unpaused}


def backfill_cli_args(from_date: date, to_date: date, *, dag_id: str = TRANSACTIONS_DAG_ID,
                      reprocess_behavior: str | None = None) -> list[str]:
    """``airflow`` CLI arguments of the documented backfill command."""
    args = ["backfill", "create", "--dag-id", dag_id, "--from-date", from_date.isoformat(),
            "--to-date", to_date.isoformat()]
    if reprocess_behavior:
        args += ["--reprocess-behavior", reprocess_behavior]
    return args


def last_complete_day(timezone: str, now: datetime | None = None) -> date:
    """Yesterday in the schedule timezone: the last day whose data interval is complete."""
    return (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def _range_of(windows: Sequence[PeriodWindow], last_day: date) -> tuple[date, date] | None:
    if not windows:
        return None
    first, last = min(w.date_from for w in windows), min(max(w.date_to for w in windows), last_day)
    return (first, last) if first <= last else None


def _waiting(ledger, windows: Sequence[PeriodWindow], first: date, last: date) -> int:
    rows = [row for w in windows for row in ledger.find(held_for_period=w.period, released=True)]
    return sum(1 for r in rows if r.posting_date and first <= r.posting_date <= last)


def release_windows(ledger, windows: Sequence[PeriodWindow], *, reason: str, run_id: str | None = None,
                    actor: str | None = None) -> dict[str, int]:
    """Release the closed-period holds of each window's period; period -> how many were released."""
    return {w.period: ledger.release_holds(hold=CLOSED_PERIOD_HOLD, period=w.period, reason=reason, run_id=run_id,
                                           actor=actor) for w in windows}


def handle_reopening(previous_close: date | None, current_close: date | None, *, ledger, run_id: str,
                     settings: Settings, start_backfill: bool = True,
                     api_factory: Callable[[], AirflowApi] = AirflowApi.from_connection,
                     now: datetime | None = None) -> dict:
    """After a sync of the closed-books date: if it moved back, release and (when the REST API is
    configured) start the backfill of the reopened dates. Never raises for the backfill's start:
    the held documents are released either way, and the log says what to run."""
    held = sorted({r.held_for_period for r in ledger.find(hold=CLOSED_PERIOD_HOLD, held=True) if r.held_for_period})
    outcome = BackfillOutcome(windows=reopened_windows(previous_close, current_close, held))
    if not outcome.windows:
        return outcome.to_json()
    periods = ", ".join(w.period for w in outcome.windows)
    reason = (f"Intacct reopened {periods}: the books were closed through {previous_close}, now "
              f"{'through ' + current_close.isoformat() if current_close else 'no period is closed'}")
    outcome.released = release_windows(ledger, outcome.windows, reason=reason, run_id=run_id)
    log.info("%s; released %s held document(s)", reason, sum(outcome.released.values()))
    span = _range_of(outcome.windows, last_complete_day(settings.schedule_timezone, now))
    if span is None:
        outcome.started = "not needed: the reopened dates are not complete days yet; the next nightly run posts them"
        return outcome.to_json()
    outcome.from_date, outcome.to_date = span
    outcome.command = ["airflow", *backfill_cli_args(*span)]
    outcome.waiting = _waiting(ledger, outcome.windows, *span)
    if not start_backfill:
        outcome.started = "left to the caller"
        return outcome.to_json()
    try:
        api = api_factory()
        outcome.backfill = api.create_backfill(TRANSACTIONS_DAG_ID, *span, timezone=settings.schedule_timezone)
        outcome.started = "api"
        log.info("Started backfill %s of %s for %s .. %s", outcome.backfill.get("id"), TRANSACTIONS_DAG_ID, *span)
    except AirflowApiNotConfigured as exc:
        outcome.started = f"skipped: {exc}"
        log.warning("Not starting the backfill automatically (%s). To post the %d released document(s), run: %s",
                    exc, outcome.waiting, " ".join(outcome.command))
    except (AirflowApiError, OSError) as exc:
        outcome.started = f"failed: {exc}"
        log.error("Could not start the backfill through Airflow's REST API: %s. Run: %s", exc,
                  " ".join(outcome.command))
    return outcome.to_json()


def _run_airflow_cli(args: list[str]) -> subprocess.CompletedProcess:
    return run_airflow_cli(args)


def backfill_period(period: str, *, settings: Settings, ledger, client, dry_run: bool = False, use_api: bool = False,
                    runner: Callable[[list[str]], subprocess.CompletedProcess] = _run_airflow_cli,
                    api_factory: Callable[[], AirflowApi] = AirflowApi.from_connection,
                    now: datetime | None = None, actor: str | None = None, unpause: bool = False) -> BackfillOutcome:
    """The wrapper: post the documents held for ``period`` (``YYYY-MM``) once Intacct has reopened it.
    A paused transactions DAG is refused with DagPaused (``unpause``: unpause it, and say so)."""
    from include.masterdata.dimensions import sync_closed_books_date
    from include.reference_store import ReferenceStore

    first, last = period_bounds(period)
    store = ReferenceStore(ledger.engine)
    previous = store.closed_books_date()
    run_id = f"backfill-{period}-{datetime.now(ZoneInfo('UTC')):%Y%m%dT%H%M%S}"
    closed_through = client.get_closed_books_date()
    if closed_through is not None and closed_through >= last:
        raise PeriodStillClosed(f"period {period} is still closed in Intacct (books closed through {closed_through}): "
                                "reopen it there first (General Ledger > Close books, open the period)")
    window = PeriodWindow(period, max(first, closed_through + timedelta(days=1)) if closed_through else first, last)
    outcome = BackfillOutcome(windows=[window])
    span = _range_of([window], last_complete_day(settings.schedule_timezone, now))
    if span is None:
        raise PeriodStillClosed(f"period {period} has no complete day to backfill yet (last complete day: "
                                f"{last_complete_day(settings.schedule_timezone, now)})")
    outcome.from_date, outcome.to_date = span
    outcome.command = ["airflow", *backfill_cli_args(*span)]
    if dry_run:
        held = ledger.held_for_period(period, hold=CLOSED_PERIOD_HOLD)
        in_span = sum(1 for r in held if r.posting_date and span[0] <= r.posting_date <= span[1])
        outcome.waiting = in_span + _waiting(ledger, [window], *span)
        outcome.started = "dry run"
        return outcome
    api = api_factory() if use_api else None
    # Before anything changes: a paused DAG would leave the released documents waiting unnoticed.
    outcome.unpaused = _ensure_unpaused(api, runner, unpause)
    # The reference store learns the new date too, so validation no longer sees the period closed.
    sync_closed_books_date(client, store, run_id=run_id)
    released: dict[str, int] = {}
    if previous is not None and (closed_through is None or closed_through < previous):
        # Every period the move opened is released, not only this one: the store now has the new date,
        # so the next master-data sync would not see the move.
        released = handle_reopening(previous, closed_through, ledger=ledger, run_id=run_id, settings=settings,
                                    start_backfill=False, now=now)["released"]
    reason = f"period {period} reopened in Intacct (books now closed through {closed_through or 'nothing'})"
    for name, count in release_windows(ledger, [window], reason=reason, run_id=run_id, actor=actor).items():
        released[name] = released.get(name, 0) + count
    outcome.released = released
    outcome.waiting = _waiting(ledger, [window], *span)
    if use_api:
        outcome.backfill = api.create_backfill(TRANSACTIONS_DAG_ID, *span, timezone=settings.schedule_timezone)
        outcome.started = "api"
        return outcome
    result = runner(backfill_cli_args(*span))
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(outcome.command)} exited {result.returncode}: "
                           f"{(result.stderr or result.stdout or '')[-2000:]}")
    outcome.started = "cli"
    return outcome
