"""Remediation routes, one handler per error class.

Adding a route is adding one module with a ``Handler`` subclass and one entry in
``HANDLERS`` below; the DAG creates one task per entry and the routing branch
sends each error class that has records in the run to its task.
"""

from __future__ import annotations

from importlib import import_module

from include.error_classes import ErrorClass
from include.remediation.base import Handler, RemediationContext, RemediationResult

# error class -> "module:Class". Classes whose automatic route is not built yet are
# recorded and reported (record_only) so nothing goes unseen.
HANDLERS: dict[ErrorClass, str] = {
    ErrorClass.TRANSIENT: "include.remediation.transient:TransientHandler",
    ErrorClass.DUPLICATE: "include.remediation.duplicate:DuplicateHandler",
    ErrorClass.DATA_QUALITY: "include.remediation.data_quality:DataQualityHandler",
    ErrorClass.PAYMENT_TERM: "include.remediation.payment_term:PaymentTermHandler",
    ErrorClass.DIMENSION_UNAVAILABLE: "include.remediation.dimension_unavailable:DimensionUnavailableHandler",
    ErrorClass.INVALID_REFERENCE: "include.remediation.invalid_reference:InvalidReferenceHandler",
    ErrorClass.CLOSED_PERIOD: "include.remediation.closed_period:ClosedPeriodHandler",
    ErrorClass.VALIDATION: "include.remediation.record_only:RecordOnlyHandler",
    ErrorClass.UNKNOWN: "include.remediation.record_only:RecordOnlyHandler",
}

TASK_PREFIX = "remediate_"


def task_id_for(error_class: ErrorClass | str) -> str:
    return f"{TASK_PREFIX}{ErrorClass(error_class).value}"


def load_handler(error_class: ErrorClass | str) -> Handler:
    """A handler instance for ``error_class`` (imported only when needed)."""
    error_class = ErrorClass(error_class)
    try:
        target = HANDLERS[error_class]
    except KeyError:
        raise LookupError(f"no remediation route for error class {error_class.value!r}") from None
    module_name, _, class_name = target.partition(":")
    handler_class = getattr(import_module(module_name), class_name)
    return handler_class(error_class)


__all__ = ["HANDLERS", "TASK_PREFIX", "Handler", "RemediationContext", "RemediationResult", "load_handler",
           "task_id_for"]
