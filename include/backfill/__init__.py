"""Reopened periods: release what a closed period held and backfill the transactions DAG.

``python -m include.backfill 2026-09 [--dry-run] [--api] [--unpause]``; see ``include.backfill.run``.
"""

from include.backfill.periods import PeriodError, PeriodWindow, period_bounds, reopened_windows
from include.backfill.run import (
    TRANSACTIONS_DAG_ID,
    BackfillOutcome,
    DagPaused,
    PeriodStillClosed,
    backfill_cli_args,
    backfill_period,
    handle_reopening,
)

__all__ = ["TRANSACTIONS_DAG_ID", "BackfillOutcome", "DagPaused", "PeriodError", "PeriodStillClosed", "PeriodWindow",
           "backfill_cli_args", "backfill_period", "handle_reopening", "period_bounds", "reopened_windows"]
