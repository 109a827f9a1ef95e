"""Great Expectations checks on what a stream extracted from Intacct.

Keys present and unique, status values known, keys well formed (account numbers).
A failed check never drops a record: every record is stored, the failures are
returned (and kept with the stream's state) so the run reports them.
GX is imported lazily: this module is imported at DAG-parse time.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from include.masterdata.streams import Stream

log = logging.getLogger(__name__)
_EXAMPLES = 10  # keys listed per failed check
_lock = threading.Lock()
_context: dict[str, Any] = {}


def _gx():
    """One ephemeral GX context per process, its pandas batch definition built once."""
    with _lock:
        if not _context:
            for noisy in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
                logging.getLogger(noisy).setLevel(logging.WARNING)
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            batch = (context.data_sources.add_pandas(name="masterdata")
                     .add_dataframe_asset(name="extracted")
                     .add_batch_definition_whole_dataframe(name="whole"))
            _context.update(gx=gx, context=context, batch=batch, definitions={})
        return _context


def _definition(stream: Stream):
    """The stream's validation definition, built on first use and reused afterwards."""
    ctx = _gx()
    definitions = ctx["definitions"]
    if stream.name not in definitions:
        import great_expectations.expectations as gxe

        gx = ctx["gx"]
        expectations = [
            gxe.ExpectColumnValuesToNotBeNull(column="key"),
            gxe.ExpectColumnValuesToBeUnique(column="key"),
            gxe.ExpectColumnValuesToNotBeNull(column="status"),
            gxe.ExpectColumnValuesToBeInSet(column="status", value_set=sorted(stream.status_values)),
        ]
        if stream.key_pattern:
            expectations.append(gxe.ExpectColumnValuesToMatchRegex(column="key", regex=stream.key_pattern))
        with _lock:
            suite = ctx["context"].suites.add(gx.ExpectationSuite(name=f"md_{stream.name}",
                                                                  expectations=expectations))
            definitions[stream.name] = ctx["context"].validation_definitions.add(
                gx.ValidationDefinition(name=f"md_{stream.name}_vd", data=ctx["batch"], suite=suite))
    return definitions[stream.name]


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _label(frame, index: int) -> str:
    """A failing row's key, or its RECORDNO when the key is missing (pandas holds None as NaN)."""
    key = frame.at[index, "key"]
    return str(key) if isinstance(key, str) and key else f"RECORDNO {frame.at[index, 'record_no']}"


def check_extracted(stream: Stream, rows: list[tuple[str | None, str | None, str | None]]) -> list[dict]:
    """Run the stream's checks on ``(RECORDNO, key, status)`` of every distinct record read.

    Returns one dict per failed check (JSON-safe): expectation, column, count and example keys.
    A record read twice in one run (changed during the read) has the same RECORDNO and is
    counted once; two records sharing a key under different RECORDNOs are a real duplicate.
    """
    if not rows:
        return []
    import pandas as pd

    latest = {record_no or f"row{i}": (key, status) for i, (record_no, key, status) in enumerate(rows)}
    frame = pd.DataFrame(
        [{"record_no": n, "key": _text(k), "status": _text(s)} for n, (k, s) in latest.items()]
    ).reset_index(drop=True)
    result = _definition(stream).run(batch_parameters={"dataframe": frame},
                                     result_format={"result_format": "COMPLETE"})
    failures = []
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        indexes = [int(i) for i in (outcome.result.get("unexpected_index_list") or [])]
        examples = [_label(frame, i) for i in indexes[:_EXAMPLES]]
        failure = {
            "stream": stream.name,
            "expectation": config.type,
            "column": config.kwargs.get("column"),
            "unexpected_count": len(indexes) or int(outcome.result.get("unexpected_count") or 0),
            "examples": examples,
        }
        log.warning("master data check failed on %s: %s", stream.name, failure)
        failures.append(failure)
    return failures
