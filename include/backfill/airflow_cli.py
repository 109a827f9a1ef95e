"""Run an ``airflow`` CLI command, retrying SQLite's "database is locked".

On the embedded SQLite metadata database the scheduler writes all the time. A CLI command
that reads and then writes in one transaction (``backfill create --reprocess-behavior
completed`` clears the day's run) must upgrade its read lock while the scheduler holds the
write lock; SQLite then answers "database is locked" at once, whatever the busy timeout,
to avoid a deadlock. Running the command again is safe, with one wrinkle: ``backfill create``
commits its backfill before it creates the runs, and when the lock also defeats its clean-up,
that empty backfill blocks the next attempt ("Another backfill is running") until the
scheduler completes it (an empty backfill older than two minutes: Airflow's
``_mark_backfills_complete``). So after a lock, that answer is waited out too. PostgreSQL
never answers either way here, so the retries only ever apply to SQLite.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

log = logging.getLogger(__name__)

SQLITE_LOCKED = "database is locked"
# Airflow's AlreadyRunningBackfill: after our own locked attempt, the empty backfill it left behind.
LEFT_BY_LOCKED_ATTEMPT = "Another backfill is running"
ATTEMPTS = 5
PAUSE_SECONDS = 2.0
EMPTY_BACKFILL_WAIT_SECONDS = 200.0  # the scheduler completes an empty backfill once it is 2 minutes old
EMPTY_BACKFILL_POLL_SECONDS = 10.0


def run_airflow_cli(args: Sequence[str], *, python: str = sys.executable, env: Mapping[str, str] | None = None,
                    timeout: float | None = None, attempts: int = ATTEMPTS, pause: float = PAUSE_SECONDS,
                    empty_backfill_wait: float = EMPTY_BACKFILL_WAIT_SECONDS,
                    empty_backfill_poll: float = EMPTY_BACKFILL_POLL_SECONDS) -> subprocess.CompletedProcess:
    """``python -m airflow *args``; a run that failed only on SQLite's lock is run again (and, after
    such a failure, one refused for the empty backfill it left behind, until the scheduler clears it)."""
    locked_attempts = 0
    waiting_until: float | None = None
    while True:
        result = subprocess.run([python, "-m", "airflow", *args], env=None if env is None else dict(env),
                                capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode == 0:
            return result
        if _says(result, SQLITE_LOCKED) and locked_attempts + 1 < attempts:
            locked_attempts += 1
            log.warning("airflow %s met SQLite's write lock (attempt %d of %d); running it again",
                        " ".join(args[:2]), locked_attempts, attempts)
            time.sleep(pause * locked_attempts)
            continue
        if locked_attempts and _says(result, LEFT_BY_LOCKED_ATTEMPT):
            waiting_until = waiting_until or time.monotonic() + empty_backfill_wait
            if time.monotonic() < waiting_until:
                log.warning("airflow %s: the backfill a locked attempt left empty still counts as running; "
                            "waiting for the scheduler to complete it", " ".join(args[:2]))
                time.sleep(empty_backfill_poll)
                continue
        return result


def _says(result: subprocess.CompletedProcess, text: str) -> bool:
    return text in (result.stderr or "") or text in (result.stdout or "")
