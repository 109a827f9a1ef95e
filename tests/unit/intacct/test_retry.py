"""Retry policy: backoff delays, jitter bounds, Retry-After, and which failures may be sent again."""

import random
from datetime import UTC, datetime

import pytest

from include.intacct.errors import ControlError, FunctionError, TransportError
from include.intacct.retry import RetryPolicy, parse_retry_after


def policy(**kwargs):
    return RetryPolicy(rng=random.Random(7), **kwargs)


@pytest.mark.parametrize("attempt, ceiling", [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (7, 60.0), (30, 60.0)])
def test_delay_grows_exponentially_with_jitter_between_half_and_full_ceiling(attempt, ceiling):
    retry = policy(base_delay=1.0, max_delay=60.0)
    delays = [retry.delay(attempt) for _ in range(200)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len({round(d, 6) for d in delays}) > 150  # jittered, not constant


def test_retry_after_is_honoured_instead_of_backoff_and_capped():
    retry = policy(base_delay=1.0, max_retry_after=120.0)
    assert retry.delay(1, retry_after=30.0) == 30.0
    assert retry.delay(5, retry_after=0.0) == 0.0
    assert retry.delay(1, retry_after=3600.0) == 120.0


def test_attempt_numbers_start_at_one():
    with pytest.raises(ValueError, match="retry attempt must be >= 1"):
        policy().delay(0)


def test_parse_retry_after_seconds_and_http_date():
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_reads_are_retried_on_any_transient_failure_including_unknown_outcome():
    retry = policy(max_retries=3)
    for error in (TransportError("timeout", outcome_unknown=True), TransportError("429", http_status=429),
                  TransportError("html", http_status=502)):
        assert retry.may_retry(error, 1, is_write=False, unique_id=False)


def test_write_with_unknown_outcome_is_never_resent_without_uniqueid():
    retry = policy(max_retries=3)
    error = TransportError("HTTP 524", http_status=524, outcome_unknown=True)
    assert not retry.may_retry(error, 1, is_write=True, unique_id=False)


def test_write_with_unknown_outcome_may_be_resent_under_uniqueid_with_same_controlids():
    retry = policy(max_retries=3)
    error = TransportError("read timeout", outcome_unknown=True)
    assert retry.may_retry(error, 1, is_write=True, unique_id=True)


def test_write_refused_before_processing_may_be_sent_again():
    retry = policy(max_retries=3)
    assert retry.may_retry(TransportError("429", http_status=429), 1, is_write=True, unique_id=False)


def test_no_retry_after_max_retries():
    retry = policy(max_retries=2)
    error = TransportError("502", http_status=502)
    assert retry.may_retry(error, 2, is_write=False, unique_id=False)
    assert not retry.may_retry(error, 3, is_write=False, unique_id=False)


def test_business_and_control_failures_are_not_retried():
    retry = policy(max_retries=3)
    assert not retry.may_retry(FunctionError("x"), 1, is_write=False, unique_id=False)
    assert not retry.may_retry(ControlError("x"), 1, is_write=False, unique_id=False)
    assert not retry.may_retry(TransportError("too big", transient=False), 1, is_write=False, unique_id=False)
