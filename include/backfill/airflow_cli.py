"""Run an ``airflow`` CLI command, retrying SQLite's "database is locked".

On the embedded SQLite metadata database the scheduler writes all the time. A CLI command
that reads and then writes in one transaction (``backfill create --reprocess-behavior
completed`` clears the day's run) must upgrade its read lock while the scheduler holds the
write lock; SQLite then answers "database is locked" at once, whatever the busy timeout,
to avoid a deadlock. Such a command failed as a whole and rolled back, so running it again is
safe. PostgreSQL never answers this, so the retry only ever applies to SQLite.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

log = logging.getLogger(__name__)

SQLITE_LOCKED = "database is locked"
ATTEMPTS = 5
PAUSE_SECONDS = 2.0


def run_airflow_cli(args: Sequence[str], *, python: str = sys.executable, env: Mapping[str, str] | None = None,
                    timeout: float | None = None, attempts: int = ATTEMPTS,
                    pause: float = PAUSE_SECONDS) -> subprocess.CompletedProcess:
    """``python -m airflow *args``; a run that failed only on SQLite's lock is run again."""
    for attempt in range(1, attempts + 1):
        result = subprocess.run([python, "-m", "airflow", *args], env=None if env is None else dict(env),
                                capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode == 0 or not locked_out(result) or attempt == attempts:
            return result
        log.warning("airflow %s met SQLite's write lock (attempt %d of %d); running it again",
                    " ".join(args[:2]), attempt, attempts)
        time.sleep(pause * attempt)
    raise AssertionError("unreachable")  # the loop returns on its last attempt


def locked_out(result: subprocess.CompletedProcess) -> bool:
    """Whether a failed command failed on SQLite's lock (Airflow prints it in the traceback)."""
    return SQLITE_LOCKED in (result.stderr or "") or SQLITE_LOCKED in (result.stdout or "")
