"""The CLI runner retries SQLite's lock, and nothing else."""

import stat

from include.backfill.airflow_cli import run_airflow_cli


def _fake_python(tmp_path, failures: int, message: str):
    """An executable standing in for ``python``: fails ``failures`` times with ``message``, then succeeds,
    counting its calls in a file."""
    calls = tmp_path / "calls"
    script = tmp_path / "python"
    script.write_text(f"""#!/bin/sh
n=$(cat {calls} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {calls}
if [ $n -le {failures} ]; then echo "sqlalchemy.exc.OperationalError: {message}" >&2; exit 1; fi
echo "ran: $*"
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), calls


def test_a_command_that_met_the_sqlite_lock_runs_again_until_it_succeeds(tmp_path):
    python, calls = _fake_python(tmp_path, failures=2, message="(sqlite3.OperationalError) database is locked")
    result = run_airflow_cli(["backfill", "create"], python=python, pause=0)
    assert result.returncode == 0 and result.stdout.strip() == "ran: -m airflow backfill create"
    assert calls.read_text().strip() == "3"


def test_the_last_attempt_is_returned_when_the_lock_never_clears(tmp_path):
    python, calls = _fake_python(tmp_path, failures=99, message="database is locked")
    result = run_airflow_cli(["backfill", "create"], python=python, attempts=3, pause=0)
    assert result.returncode == 1 and "database is locked" in result.stderr
    assert calls.read_text().strip() == "3"


def test_any_other_failure_is_returned_at_once(tmp_path):
    python, calls = _fake_python(tmp_path, failures=1, message="DAG 'x' not found")
    result = run_airflow_cli(["backfill", "create"], python=python, pause=0)
    assert result.returncode == 1 and "not found" in result.stderr
    assert calls.read_text().strip() == "1"


def _scripted_python(tmp_path, answers: list[str]):
    """An executable standing in for ``python`` that answers the n-th call with ``answers[n]``
    ("ok", or the error text it prints before exiting 1)."""
    calls = tmp_path / "calls"
    cases = "\n".join(f'  {n}) echo "{text}" >&2; exit 1;;' for n, text in enumerate(answers, start=1) if text != "ok")
    script = tmp_path / "python"
    script.write_text(f"""#!/bin/sh
n=$(cat {calls} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {calls}
case $n in
{cases}
esac
echo ran
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), calls


def test_after_a_locked_attempt_the_empty_backfill_it_left_is_waited_out(tmp_path):
    python, calls = _scripted_python(tmp_path, [
        "database is locked", "AlreadyRunningBackfill: Another backfill is running for Dag d.",
        "AlreadyRunningBackfill: Another backfill is running for Dag d.", "ok"])
    result = run_airflow_cli(["backfill", "create"], python=python, pause=0, empty_backfill_poll=0)
    assert result.returncode == 0 and calls.read_text().strip() == "4"


def test_a_backfill_already_running_without_a_locked_attempt_is_refused_at_once(tmp_path):
    python, calls = _scripted_python(tmp_path, ["AlreadyRunningBackfill: Another backfill is running for Dag d."])
    result = run_airflow_cli(["backfill", "create"], python=python, pause=0, empty_backfill_poll=0)
    assert result.returncode == 1 and "Another backfill is running" in result.stderr
    assert calls.read_text().strip() == "1"


def test_the_wait_for_an_empty_backfill_ends(tmp_path):
    python, calls = _scripted_python(tmp_path, ["database is locked"] + ["Another backfill is running"] * 50)
    result = run_airflow_cli(["backfill", "create"], python=python, pause=0, empty_backfill_wait=0.3,
                             empty_backfill_poll=0.1)
    assert result.returncode == 1 and "Another backfill is running" in result.stderr
    assert 2 <= int(calls.read_text()) < 10
