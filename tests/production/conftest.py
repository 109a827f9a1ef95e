"""The production path's services: a fresh PostgreSQL database for Airflow's metadata and a Redis
database for Celery's broker. A missing server fails the tests, naming it (deselect them with
``-m "not postgres"``), so a green suite always means they ran."""

import os
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.fixtures.databases import POSTGRES_URL, service_unavailable

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _follow_test_clock(url, name: str, skew: float) -> None:
    """The suite's future-clock check runs the test's processes ahead of the PostgreSQL server, and
    Airflow's scheduler compares run_after with the database's now(): this database's now() then
    follows the processes' clock (a function ahead of pg_catalog on its search_path)."""
    engine = sa.create_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("create schema test_clock"))
        conn.execute(sa.text("create function test_clock.now() returns timestamptz language sql stable as "
                             f"$$ select pg_catalog.now() + interval '{skew:.3f} seconds' $$"))
        conn.execute(sa.text(f'alter database "{name}" set search_path = "$user", public, test_clock, pg_catalog'))
    engine.dispose()


@pytest.fixture
def metadata_database(_postgres_engine):
    """The URL of a new, empty PostgreSQL database (Airflow migrates it), dropped afterwards."""
    name = f"airflow_{uuid.uuid4().hex[:10]}"
    admin = _postgres_engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
        skew = (datetime.now(UTC) - conn.execute(sa.text("select now()")).scalar_one()).total_seconds()
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    if abs(skew) > 60:
        _follow_test_clock(url, name, skew)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))


@pytest.fixture
def redis_broker():
    """A Redis database for Celery's broker, emptied before and after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
