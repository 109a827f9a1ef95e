"""Great Expectations plumbing: one ephemeral context, suite and validation
definition per document type, built once and run on every chunk, returning the
failing row positions per check.

GX is imported here, inside functions, and only when a validator is created: its
import costs seconds and must not happen at DAG-parse time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from include.quality.checks import Check

if TYPE_CHECKING:
    import pandas as pd

# COMPLETE is the result format that lists every failing row (unexpected_index_list);
# the other switches drop parts of the payload we never read.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "return_unexpected_index_query": False,
}


class ExpectationError(RuntimeError):
    """An expectation could not be evaluated (as opposed to finding failing rows)."""


def _quiet_gx_loggers() -> None:
    """GX logs hundreds of INFO/DEBUG lines at import ("Skipping registering function ...")
    and some of its modules pin their logger to INFO; keep warnings and errors only."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if (name.startswith("great_expectations.") and isinstance(logger, logging.Logger)
                and logging.NOTSET < logger.level < logging.WARNING):
            logger.setLevel(logging.NOTSET)  # inherit WARNING from the package logger


def _import_gx() -> tuple[Any, Any]:
    _quiet_gx_loggers()
    import great_expectations as gx
    import great_expectations.expectations as gxe

    _quiet_gx_loggers()
    return gx, gxe


class SuiteRunner:
    """A reusable GX validation definition for one list of checks."""

    def __init__(self, suite_name: str, checks: Sequence[Check]):
        gx, gxe = _import_gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.suite_name = suite_name
        self._checks = {check.name: check for check in checks}
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        batch_definition = (self._context.data_sources.add_pandas(name="documents")
                            .add_dataframe_asset(name=suite_name)
                            .add_batch_definition_whole_dataframe(name="chunk"))
        expectations = []
        for check in checks:
            expectation = check.expectation(gxe)
            expectation.meta = {"check": check.name, "error_class": str(check.error_class)}
            expectations.append(expectation)
        # GX copies the whole frame whenever it filters rows for a metric, so it only gets
        # the columns its expectations read.
        self.columns = _columns_read_by(expectations)
        suite = self._context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
        self._validation = self._context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite_name}_chunk", data=batch_definition, suite=suite))

    @property
    def expectation_count(self) -> int:
        return len(self._checks)

    def failing_rows(self, frame: pd.DataFrame) -> dict[str, tuple[str, list[int]]]:
        """check name -> (expectation type, failing row positions) for every failed check."""
        result = self._validation.run(batch_parameters={"dataframe": frame[self.columns]},
                                      result_format=RESULT_FORMAT)
        failing: dict[str, tuple[str, list[int]]] = {}
        for expectation_result in result.results:
            config = expectation_result.expectation_config
            check_name = (config.meta or {}).get("check", config.type)
            _raise_on_exception(check_name, expectation_result.exception_info)
            if expectation_result.success:
                continue
            rows = expectation_result.result.get("unexpected_index_list")
            if rows is None:
                raise ExpectationError(f"expectation {config.type} of check {check_name!r} failed without "
                                       "listing its failing rows")
            failing[check_name] = (config.type, [int(row) for row in rows])
        return failing


def _columns_read_by(expectations: list[Any]) -> list[str]:
    columns: list[str] = []
    for expectation in expectations:
        named = [getattr(expectation, attribute, None) for attribute in ("column", "column_A", "column_B")]
        for name in [*named, *(getattr(expectation, "column_list", None) or [])]:
            if name and name not in columns:
                columns.append(name)
    return columns


def _raise_on_exception(check_name: str, exception_info: Any) -> None:
    """GX reports an expectation that crashed as a failure with exception_info; a crash is
    a bug or bad frame, not bad data, so it is raised instead of silently failing rows."""
    if not exception_info:
        return
    infos = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    for info in infos:
        if isinstance(info, dict) and info.get("raised_exception"):
            raise ExpectationError(f"check {check_name!r} could not be evaluated: "
                                   f"{info.get('exception_message')}")
