"""The session store: expiry with a refresh margin, sliding timeout, secret-free repr."""

from datetime import UTC, datetime, timedelta

from include.intacct.session import ApiSession, SessionStore

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_session_is_reused_until_its_timeout_minus_the_refresh_margin():
    store = SessionStore(refresh_margin=60)
    store.store(ApiSession("SID-secret-1", "https://na12.example/ia/xml/xmlgw.phtml", NOW + timedelta(minutes=5)))
    assert store.current(NOW + timedelta(minutes=3)).session_id == "SID-secret-1"
    assert store.current(NOW + timedelta(minutes=4, seconds=1)) is None


def test_every_response_slides_the_timeout_of_the_session_it_used():
    store = SessionStore(refresh_margin=0)
    store.store(ApiSession("SID-secret-1", "https://e", NOW + timedelta(minutes=5)))
    store.slide("SID-secret-1", NOW + timedelta(minutes=30))
    store.slide("SID-other", NOW + timedelta(hours=5))  # a stale session's answer changes nothing
    assert store.current(NOW + timedelta(minutes=29)) is not None
    assert store.current(NOW + timedelta(minutes=31)) is None


def test_session_without_timeout_is_kept_until_the_gateway_rejects_it():
    store = SessionStore()
    store.store(ApiSession("SID-secret-1", "https://e", None))
    assert store.current(NOW + timedelta(days=3)) is not None
    store.invalidate("SID-other")
    assert store.current() is not None
    store.invalidate("SID-secret-1")
    assert store.current() is None


def test_session_id_is_not_in_repr_or_str():
    session = ApiSession("SID-secret-1", "https://e", NOW)
    store = SessionStore()
    store.store(session)
    assert "SID-secret-1" not in repr(session) + str(session) + repr(store)
