"""Registers secrets with Airflow's secrets masker when Airflow is running in this process.

Plain Python use (scripts, tests, the sandbox) never imports Airflow for this: masking is
only attempted when ``airflow.sdk`` has already been imported by the host process.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("include.intacct")


def mask_secret(secret: str | None) -> None:
    # No name is passed: with a name, Airflow masks only names that look sensitive
    # ("password", "secret", ...), and a session id would slip through.
    if not secret or "airflow.sdk" not in sys.modules:
        return
    try:
        from airflow.sdk.log import mask_secret as airflow_mask_secret

        airflow_mask_secret(secret)
    except Exception as exc:  # masking must never break a sync; say that it failed, without the value
        log.warning("Could not register a secret with Airflow's masker: %s", type(exc).__name__)
