"""The throttle on failed log-ins: a person is never locked out by someone else's guessing.

Keys per (address, account) pair, per address and per account; the address and account
keys only for attempts from an address the account has not logged in from before. All with
the app's pinned clock: an attempt held back stays held back until the clock is moved.
"""

import base64
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from signals.auth.models import AuthFailure, LoginAddress, User
from signals.auth.services import LOGIN_FAILED, log_in
from signals.auth.throttle import (
    ADDRESS_KEPT,
    attempt_succeeded,
    begin_password_attempt,
    client_network,
    forget_old_failures,
)
from signals.clock import Clock
from signals.errors import InputInvalid, TooManyAttempts
from signals.extensions import db
from signals.scheduler.jobs import sweep
from signals.settings import settings_of
from tests.fixtures.app import Configure, csrf_token_from, make_test_app
from tests.fixtures.people import PASSWORD
from tests.helpers import MakeUser

VICTIM_HOME = "192.0.2.10"
ATTACKER = "198.51.100.66"
WRONG = "verkeerd geraden wachtwoord"
FREE = 10  # AUTH_FAILURE_LIMIT's default
LONGEST = 900  # AUTH_FAILURE_WINDOW's default


def form_login(app: Flask, address: str, email: str, password: str) -> Any:
    """One attempt on the log-in form from a fresh browser at ``address``."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    token = csrf_token_from(client.get("/inloggen", environ_base=environ).text)
    return client.post(
        "/inloggen",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def basic_login(app: Flask, address: str, email: str, password: str) -> Any:
    """One attempt with HTTP Basic (``POST /api/v1/tokens``) from ``address``."""
    credentials = base64.b64encode(f"{email}:{password}".encode()).decode()
    return app.test_client().post(
        "/api/v1/tokens",
        headers={"Authorization": f"Basic {credentials}"},
        environ_base={"REMOTE_ADDR": address},
    )


def failures() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuthFailure)) or 0


@pytest.fixture
def victim(app: Flask, clock: Clock, reporter: User) -> User:
    """The reporter, who has logged in from home before."""
    assert form_login(app, VICTIM_HOME, reporter.email, PASSWORD).status_code == 302
    return reporter


def test_the_victim_logs_in_from_their_own_address_while_an_attacker_elsewhere_is_held_back(
    app: Flask, clock: Clock, victim: User
) -> None:
    statuses = [form_login(app, ATTACKER, victim.email, WRONG).status_code for _ in range(15)]
    assert statuses == [422] * FREE + [429] * 5
    held_back = form_login(app, ATTACKER, victim.email, PASSWORD)
    assert held_back.status_code == 429, "the right password does not help the attacker"
    assert "Te veel mislukte pogingen" in held_back.text

    response = form_login(app, VICTIM_HOME, victim.email, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_guessing_one_account_from_many_addresses_is_held_back_but_not_its_owner(
    app: Flask, clock: Clock, victim: User
) -> None:
    botnet = [f"203.0.113.{number}" for number in range(1, 16)]
    statuses = [form_login(app, address, victim.email, WRONG).status_code for address in botnet]

    assert statuses == [422] * FREE + [429] * 5
    assert form_login(app, VICTIM_HOME, victim.email, PASSWORD).status_code == 302


def test_spraying_many_accounts_from_one_address_is_held_back(
    app: Flask, clock: Clock, make_user: MakeUser
) -> None:
    people = [make_user() for _ in range(FREE + 2)]
    colleague = people[-1]
    assert form_login(app, ATTACKER, colleague.email, PASSWORD).status_code == 302

    sprayed = [form_login(app, ATTACKER, person.email, WRONG) for person in people[: FREE + 1]]

    assert [response.status_code for response in sprayed] == [422] * FREE + [429]
    assert basic_login(app, ATTACKER, people[0].email, PASSWORD).status_code == 429
    # Someone who logged in from this (shared) address before is not held back by it ...
    assert form_login(app, ATTACKER, colleague.email, PASSWORD).status_code == 302
    # ... and the sprayer may try again once the delay has passed.
    clock.set(clock.now() + timedelta(seconds=1))
    assert form_login(app, ATTACKER, people[FREE].email, WRONG).status_code == 422
    assert form_login(app, ATTACKER, people[FREE].email, WRONG).status_code == 429


def test_a_pairs_delays_grow_and_stop_growing_at_the_longest(
    app: Flask, clock: Clock, victim: User
) -> None:
    # From the victim's own address only the pair key applies: someone at a shared address
    # guessing, or the victim mistyping.
    for _ in range(FREE):
        assert basic_login(app, VICTIM_HOME, victim.email, WRONG).status_code == 401
    waits = []
    for _ in range(13):
        refused = basic_login(app, VICTIM_HOME, victim.email, WRONG)
        assert refused.status_code == 429
        assert refused.get_json()["error"]["code"] == "too_many_attempts"
        wait = int(refused.headers["Retry-After"])
        waits.append(wait)
        clock.set(clock.now() + timedelta(seconds=wait - 1))
        assert basic_login(app, VICTIM_HOME, victim.email, WRONG).status_code == 429
        clock.set(clock.now() + timedelta(seconds=1))
        assert basic_login(app, VICTIM_HOME, victim.email, WRONG).status_code == 401

    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, LONGEST, LONGEST, LONGEST]
    clock.set(clock.now() + timedelta(seconds=LONGEST))
    assert basic_login(app, VICTIM_HOME, victim.email, PASSWORD).status_code == 201


def test_a_successful_log_in_clears_the_pairs_failures(
    app: Flask, clock: Clock, victim: User
) -> None:
    for _ in range(FREE - 1):
        assert form_login(app, VICTIM_HOME, victim.email, WRONG).status_code == 422
    assert form_login(app, VICTIM_HOME, victim.email, PASSWORD).status_code == 302
    assert failures() == 0

    statuses = [form_login(app, VICTIM_HOME, victim.email, WRONG).status_code for _ in range(11)]
    assert statuses == [422] * FREE + [429]


def test_failures_are_forgotten_after_the_memory(app: Flask, clock: Clock, victim: User) -> None:
    for _ in range(FREE):
        form_login(app, ATTACKER, victim.email, WRONG)
    assert form_login(app, ATTACKER, victim.email, WRONG).status_code == 429

    clock.set(clock.now() + timedelta(seconds=settings_of(app).auth_failure_memory))

    statuses = [form_login(app, ATTACKER, victim.email, WRONG).status_code for _ in range(11)]
    assert statuses == [422] * FREE + [429]


def test_an_ipv6_attacker_is_counted_per_64_network(
    app: Flask, clock: Clock, make_user: MakeUser
) -> None:
    people = [make_user() for _ in range(FREE + 1)]
    addresses = [f"2001:db8:1:2::{number:x}" for number in range(1, FREE + 2)]

    statuses = [
        form_login(app, address, person.email, WRONG).status_code
        for address, person in zip(addresses, people, strict=True)
    ]

    assert statuses == [422] * FREE + [429]
    assert client_network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert client_network("::ffff:192.0.2.1") == "192.0.2.1"


def test_an_attempt_in_progress_holds_back_a_concurrent_one(
    clock: Clock, victim: User, configure: Configure
) -> None:
    configure(auth_failure_limit=1)
    first = begin_password_attempt(victim.email, VICTIM_HOME, victim)
    assert failures() == 1, "recorded before its password is checked"

    with pytest.raises(TooManyAttempts) as second:
        log_in({"email": victim.email, "password": PASSWORD}, VICTIM_HOME)
    assert second.value.retry_after == 1
    assert failures() == 1, "a refused attempt is not recorded"

    attempt_succeeded(first, victim)
    assert failures() == 0
    assert log_in({"email": victim.email, "password": PASSWORD}, VICTIM_HOME) == victim


def test_an_incomplete_form_is_no_attempt(app: Flask, clock: Clock, victim: User) -> None:
    for _ in range(FREE + 5):
        response = form_login(app, ATTACKER, victim.email, "")
        assert response.status_code == 422
    assert failures() == 0


def test_log_in_remembers_the_address_as_a_keyed_hash(
    app: Flask, clock: Clock, victim: User
) -> None:
    stored = db.session.scalars(select(LoginAddress)).one()
    assert stored.user_id == victim.id
    assert VICTIM_HOME not in stored.address_hash and len(stored.address_hash) == 64
    assert stored.last_login_at == clock.now()
    with pytest.raises(InputInvalid) as wrong:
        log_in({"email": victim.email, "password": WRONG}, VICTIM_HOME)
    assert wrong.value.fields == {"password": [LOGIN_FAILED]}


def test_housekeeping_forgets_old_failures_and_addresses_no_longer_trusted(
    app: Flask, clock: Clock, victim: User
) -> None:
    form_login(app, ATTACKER, victim.email, WRONG)
    assert failures() == 3  # pair, address, account

    day_later = clock.now() + timedelta(days=1)
    assert forget_old_failures(day_later - timedelta(seconds=1)) == 0, "still counted"
    assert forget_old_failures(day_later + timedelta(seconds=1)) == 0, "not before the memory"
    clock.set(day_later + timedelta(seconds=1))
    sweep(clock.now())
    assert failures() == 0
    assert db.session.scalars(select(LoginAddress)).one().user_id == victim.id

    clock.set(clock.now() + ADDRESS_KEPT)
    sweep(clock.now())
    db.session.expire_all()
    assert db.session.scalars(select(LoginAddress)).all() == []


@pytest.mark.parametrize(("proxies", "counted"), [(0, "127.0.0.1"), (1, "203.0.113.5")])
def test_the_address_behind_a_trusted_proxy_is_the_clients(
    clock: Clock, victim: User, proxies: int, counted: str
) -> None:
    database = db.engine.url.render_as_string(hide_password=False)
    behind_proxy = make_test_app(database, TRUSTED_PROXIES=proxies, CLOCK=clock)
    behind_proxy.test_client().post(
        "/api/v1/tokens",
        headers={
            "Authorization": "Basic "
            + base64.b64encode(f"{victim.email}:{WRONG}".encode()).decode(),
            "X-Forwarded-For": "203.0.113.5",
        },
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    with behind_proxy.app_context():
        db.engine.dispose()

    keys = set(db.session.scalars(select(AuthFailure.key)))
    assert f"pair:{counted}|{victim.email!r}" in keys


def test_a_wait_is_said_in_seconds_under_a_minute_else_in_minutes() -> None:
    assert "over 1 seconde opnieuw" in TooManyAttempts(1).message
    assert "over 59 seconden opnieuw" in TooManyAttempts(59).message
    assert "over 1 minuut opnieuw" in TooManyAttempts(60).message
    assert "over 15 minuten opnieuw" in TooManyAttempts(899).message
