"""The token store: minted once for many threads, renewed before it expires, forgotten when refused, never shown."""

import threading
import time

from include.intacct.rest.token import AccessToken, TokenStore


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_many_threads_meeting_no_token_share_one_mint():
    store = TokenStore(refresh_margin=60)
    mints = []

    def mint():
        mints.append(1)
        time.sleep(0.05)  # the other threads arrive while this mint is under way
        return "jwt-secret-value", 3600.0, "Bearer"

    tokens = []
    threads = [threading.Thread(target=lambda: tokens.append(store.get(mint))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mints) == 1 and store.mints == 1
    assert {id(t) for t in tokens} == {id(tokens[0])}


def test_a_token_is_kept_until_the_refresh_margin_then_minted_again():
    clock = Clock()
    store = TokenStore(refresh_margin=300, clock=clock)
    values = iter(["first", "second"])
    mint = lambda: (next(values), 3600.0, "Bearer")  # noqa: E731
    assert store.get(mint).value == "first"
    clock.now += 3600 - 301  # still more than the margin left
    assert store.get(mint).value == "first"
    clock.now += 2  # within the last 300 s
    assert store.get(mint).value == "second" and store.mints == 2


def test_a_short_lived_token_is_renewed_in_its_last_fifth_not_at_once():
    clock = Clock()
    store = TokenStore(refresh_margin=300, clock=clock)
    values = iter(["short", "next"])
    mint = lambda: (next(values), 100.0, "Bearer")  # noqa: E731
    assert store.get(mint).value == "short"
    clock.now += 79
    assert store.get(mint).value == "short"
    clock.now += 2
    assert store.get(mint).value == "next"


def test_a_missing_lifetime_falls_back_to_six_hours():
    clock = Clock()
    store = TokenStore(clock=clock)
    token = store.get(lambda: ("value", 0, "Bearer"))
    assert token.expires_at - clock.now == 21600


def test_only_the_first_thread_to_see_a_refused_token_forgets_it():
    store = TokenStore()
    refused = store.get(lambda: ("old", 3600.0, "Bearer"))
    assert store.invalidate(refused) is True
    fresh = store.get(lambda: ("new", 3600.0, "Bearer"))
    assert store.invalidate(refused) is False  # another thread already replaced it
    assert store.current() is fresh


def test_the_token_value_never_appears_in_repr_or_str():
    store = TokenStore()
    token = store.get(lambda: ("eyJhbGciOi.secret.signature", 3600.0, "Bearer"))
    for text in (repr(token), str(token), repr(store)):
        assert "secret" not in text
    assert token.authorization == "Bearer eyJhbGciOi.secret.signature"
    assert isinstance(token, AccessToken)
