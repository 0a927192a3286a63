"""Hostile input to every JSON endpoint and every web form: never a 5xx, never a half change.

For each endpoint a valid request is the starting point; hypothesis then spoils one field at a
time (or the whole body) with what an attacker or a broken client sends: control characters
and line breaks, NUL, lone surrogates, text far over any limit, deep nesting, wrong types,
numbers and dates at the ends of their range, look-alike digits, invalid UTF-8 and other
encodings. Every answer must be below 500; an answer that refuses (4xx) must leave the
database exactly as it was (bookkeeping of failed log-ins aside).

The number of examples per endpoint is modest in CI (``SIGNALS_FUZZ_EXAMPLES``, default 25);
the generation is derandomised, so a run is repeatable, and never shrinks (the database moves
on between examples, so a shrunk example would not mean the same thing).
"""

import base64
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from signals.audit.models import AccessLogEntry
from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.services import create_kwestie
from signals.workflow.services import accept_signal, resolve_signal, submit_signal
from tests.fixtures.api import ApiClient
from tests.fixtures.people import PASSWORD, WebSession
from tests.fixtures.snapshot import AUTH_BOOKKEEPING, database_state
from tests.helpers import RESOLUTION, Api, Login, MakeUser

pytestmark = pytest.mark.fuzz

# A knowledge article's fields, as its owner sends them.
ARTICLE = {
    "title": "Voorschot op het eerste loon",
    "summary": "Het eerste loon komt pas na een maand; een voorschot overbrugt dat.",
    "what_was_done": "Werkinstructie aangepast.",
}
EXAMPLES = int(os.environ.get("SIGNALS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)

# Hostile values ------------------------------------------------------------------------------

CONTROL = st.sampled_from(
    ["\r\n", "\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u202e"]
)
ODD_TEXTS = st.sampled_from(
    [
        "",
        " ",
        "\u200b",  # zero width space
        "\ufeff",  # byte order mark
        "Ａｂｃ１２３",  # full-width letters and digits
        "\u0661\u0662\u0663",  # Arabic-Indic digits
        "e\u0301",  # a combining accent
        "\U0001f600" * 3,
        "\ud800",  # a lone surrogate
        "<script>alert(1)</script>",
        "'; DROP TABLE signals; --",
        "%00%0d%0a",
        "../../etc/passwd",
        "KM-2026-000001\r\nBcc: x@example.org",
        "123456782",  # a BSN that passes the elfproef
    ]
)
DATES = st.sampled_from(
    [
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59-23:59",
        "1970-01-01",
        "2026-02-30",
        "9" * 40,
    ]
)
NUMBERS = st.sampled_from(
    [0, -1, 1.5, 2**31, 2**63, 10**400, -(10**400), 1e308, float("inf"), float("nan"), True]
)


def texts() -> st.SearchStrategy[str]:
    spoiled = st.tuples(st.text(max_size=20), CONTROL, st.text(max_size=20)).map("".join)
    return st.one_of(spoiled, ODD_TEXTS, DATES, st.just("x" * 70_000), st.text(max_size=200))


def nested(depth: int) -> Any:
    value: Any = "diep"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value an attacker may put where a field belongs."""
    scalars = st.one_of(texts(), NUMBERS, st.none(), st.booleans())
    containers = st.one_of(
        st.lists(scalars, max_size=5),
        st.dictionaries(st.text(max_size=5), scalars, max_size=3),
        st.sampled_from([nested(20), nested(2_000), [[]] * 10_000, {"": ""}]),
    )
    return st.one_of(scalars, containers)


def form_values() -> st.SearchStrategy[str | list[str]]:
    """What a hostile browser may send for one form field: one text, or many.

    A form is sent as UTF-8, which cannot carry a lone surrogate; broken bytes are sent in
    :func:`test_form_bodies_that_are_not_utf8_are_refused_cleanly`.
    """
    return st.one_of(encodable_texts(), st.lists(encodable_texts(), min_size=2, max_size=4))


def encodable_texts() -> st.SearchStrategy[str]:
    """:func:`texts` that can be sent in a form or a URL (which are UTF-8)."""
    return texts().filter(lambda value: "\ud800" not in value)


@st.composite
def spoiled_json(draw: st.DrawFn, valid: dict[str, Any]) -> bytes:
    """``valid`` with one field spoiled or added, or a body that is no object at all."""
    choice = draw(st.integers(min_value=0, max_value=9))
    if choice == 0:  # the whole body
        whole = draw(st.one_of(json_values(), st.just(nested(100_000))))
        return _dumps(whole)
    if choice == 1:  # not JSON, or not UTF-8
        return draw(
            st.sampled_from(
                [
                    b"\xff\xfe{\x00}\x00",
                    json.dumps(valid).encode("utf-16"),
                    b'{"title": "\xc3\x28"}',
                    b"{" * 50_000,
                    b'{"title": NaN, "version": Infinity}',
                    b"",
                ]
            )
        )
    name = draw(st.sampled_from(sorted(valid) + ["onbekend", "__proto__"]))
    return _dumps({**valid, name: draw(json_values())})


@st.composite
def spoiled_form(draw: st.DrawFn, valid: dict[str, Any]) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(valid) + ["onbekend"]))
    return {**valid, name: draw(form_values())}


def _dumps(value: Any) -> bytes:
    try:
        text = json.dumps(value, allow_nan=True)
    except (RecursionError, ValueError):
        text = "[" * 100_000 + "]" * 100_000
    return text.encode("utf-8", "surrogatepass")


# The world -----------------------------------------------------------------------------------


@dataclass
class World:
    reporter: User
    manager: User
    policy: User
    admin: User
    new: str  # a new signal at the teamleider
    accepted: str  # one the manager accepted
    kwestie: int  # a kwestie at beleid, owned by the policy group
    resolved: str  # one the manager resolved: theirs to publish as a knowledge article


@pytest.fixture
def world(
    clock: Clock,
    make_user: MakeUser,
    reporter: User,
    manager: User,
    admin: User,
    signal_data: dict[str, Any],
) -> World:
    policy = make_user("member", groups=["beleid"], name="Bas Beleid")
    new = submit_signal(reporter, signal_data).reference
    accepted = submit_signal(reporter, {**signal_data, "title": "Opgepakt"}).reference
    accept_signal(manager, accepted, {})
    kwestie = create_kwestie(policy, {"title": "Eerste loon", "node": "beleid"}).id
    resolved = submit_signal(reporter, {**signal_data, "title": "Afgehandeld"}).reference
    resolve_signal(manager, resolved, RESOLUTION)
    return World(reporter, manager, policy, admin, new, accepted, kwestie, resolved)


def check(send: Callable[[], Any], what: str) -> None:
    """Send a request: below 500, and a refusal changes nothing.

    Nothing but the access log: a refused form shows the signal's page again, with its
    messages, and that is a view of the signal like any other (logged).
    """
    before = database_state(NOT_CHANGED_BY_A_REFUSAL)
    logged_before = logged_actions()
    response = send()
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert database_state(NOT_CHANGED_BY_A_REFUSAL) == before, (what, response.status_code)
        logged = logged_actions()
        assert logged[: len(logged_before)] == logged_before, what
        assert set(logged[len(logged_before) :]) <= {"signal_viewed"}, (what, logged)


# What a refusal may write: the bookkeeping of authentication, and a view in the access log.
NOT_CHANGED_BY_A_REFUSAL = AUTH_BOOKKEEPING | {AccessLogEntry.__tablename__}


def logged_actions() -> list[str]:
    """The access log's actions, oldest first."""
    actions = db.session.scalars(select(AccessLogEntry.action).order_by(AccessLogEntry.id)).all()
    db.session.rollback()
    return list(actions)


# JSON endpoints ------------------------------------------------------------------------------


def json_targets(
    world: World, signal_data: dict[str, Any]
) -> Iterator[tuple[str, User, dict[str, Any]]]:
    yield "/signals", world.reporter, signal_data
    yield "/routes/preview", world.reporter, {"urgency": "acute", "title": "Voorbeeld"}
    yield (
        f"/signals/{world.accepted}/actions",
        world.manager,
        {
            "action": "resolve",
            "outcome": "not_possible",
            "rationale": "Kan niet.",
            "message": "Helaas.",
            "version": 2,
        },
    )
    yield (
        f"/signals/{world.new}/actions",
        world.manager,
        {
            "action": "forward",
            "to": "casuistiek",
            "message": "Verder.",
        },
    )
    yield f"/signals/{world.new}/actions", world.manager, {"action": "link", "kwestie": 1}
    yield "/kwesties", world.manager, {"title": "Kwestie", "node": "beleid", "regulation": "wmo"}
    yield f"/signals/{world.resolved}/actions", world.manager, {"action": "publish", **ARTICLE}
    yield (
        f"/kwesties/{world.kwestie}/actions",
        world.policy,
        {
            "action": "decide",
            "outcome": "policy_changed",
            "rationale": "Beleid aangepast.",
            "message": "Dank u.",
        },
    )


def test_hostile_json_to_every_endpoint_is_refused_cleanly(
    app: Flask, world: World, api: Api, signal_data: dict[str, Any]
) -> None:
    for path, caller, valid in json_targets(world, signal_data):
        fuzz_json(api(caller), path, valid)


def fuzz_json(client: ApiClient, path: str, valid: dict[str, Any]) -> None:
    @FUZZ
    @given(body=spoiled_json(valid))
    def send(body: bytes) -> None:
        check(
            lambda: client.client.post(
                f"/api/v1{path}",
                data=body,
                headers={**client.headers, "Content-Type": "application/json"},
            ),
            path,
        )

    send()


def test_hostile_json_when_asking_for_a_token_is_refused_cleanly(
    client: FlaskClient, world: World
) -> None:
    credentials = base64.b64encode(f"{world.reporter.email}:{PASSWORD}".encode()).decode()

    @FUZZ
    @given(body=spoiled_json({"name": "Zaaksysteem"}))
    def send(body: bytes) -> None:
        check(
            lambda: client.post(
                "/api/v1/tokens",
                data=body,
                headers={
                    "Authorization": f"Basic {credentials}",
                    "Content-Type": "application/json",
                },
            ),
            "/tokens",
        )

    send()


@st.composite
def hostile_queries(draw: st.DrawFn, names: list[str]) -> list[tuple[str, str]]:
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3))
    return [(name, draw(encodable_texts())) for name in chosen]


def test_hostile_query_strings_are_refused_cleanly(
    app: Flask, world: World, api: Api, login: Login
) -> None:
    client = api(world.manager)
    browser = login(world.manager)
    api_filters = ["status", "node", "overdue", "mine", "cursor", "limit"]
    inbox_filters = [*api_filters, "regulation", "urgency", "scope", "reporter_kind"]
    knowledge_filters = ["regulation", "level", "outcome", "maatwerk", "cursor", "limit"]

    @FUZZ
    @given(
        api_query=hostile_queries(api_filters),
        inbox_query=hostile_queries(inbox_filters),
        knowledge_query=hostile_queries(knowledge_filters),
    )
    def send(
        api_query: list[tuple[str, str]],
        inbox_query: list[tuple[str, str]],
        knowledge_query: list[tuple[str, str]],
    ) -> None:
        check(
            lambda: client.client.get(
                "/api/v1/signals", query_string=api_query, headers=client.headers
            ),
            "api list",
        )
        check(lambda: browser.client.get("/inbox", query_string=inbox_query), "inbox")
        check(
            lambda: client.client.get(
                "/api/v1/knowledge", query_string=knowledge_query, headers=client.headers
            ),
            "knowledge list",
        )
        check(lambda: browser.client.get("/kennis", query_string=knowledge_query), "kennis")

    send()


# Web forms -----------------------------------------------------------------------------------


def form_targets(
    world: World, signal_data: dict[str, Any]
) -> Iterator[tuple[str, User, dict[str, Any]]]:
    yield "/signalen/nieuw", world.reporter, signal_data
    yield "/signalen/voorbeeld", world.reporter, signal_data
    yield f"/signalen/{world.new}/doorsturen", world.manager, {"to": "casuistiek", "version": "1"}
    yield (
        f"/signalen/{world.accepted}/afhandelen",
        world.manager,
        {
            "outcome": "not_possible",
            "rationale": "Kan niet.",
            "message": "Helaas.",
            "version": "2",
        },
    )
    yield f"/signalen/{world.accepted}/vraag", world.manager, {"message": "Hoe zit het?"}
    yield f"/kwesties/koppelen/{world.new}", world.manager, {"kwestie": "1", "version": "1"}
    yield f"/signalen/{world.resolved}/publiceren", world.manager, ARTICLE
    yield "/kwesties/nieuw", world.manager, {"title": "Kwestie", "node": "beleid"}
    yield f"/kwesties/{world.kwestie}/bericht", world.policy, {"message": "Stand van zaken."}
    yield (
        f"/kwesties/{world.kwestie}/besluit",
        world.policy,
        {
            "outcome": "policy_changed",
            "rationale": "Aangepast.",
            "message": "Dank u.",
        },
    )
    yield "/inbox/accepteren", world.manager, {"references": [world.new]}
    yield "/api-sleutels", world.reporter, {"name": "Zaaksysteem"}
    yield f"/signalen/{world.new}/evaluatie", world.reporter, {"score": "4", "comment": "Goed."}


def test_hostile_forms_are_refused_cleanly(
    app: Flask, world: World, login: Login, signal_data: dict[str, Any]
) -> None:
    for path, user, valid in form_targets(world, signal_data):
        fuzz_form(login(user), path, valid)


def fuzz_form(browser: WebSession, path: str, valid: dict[str, Any]) -> None:
    @FUZZ
    @given(data=spoiled_form(valid))
    def send(data: dict[str, Any]) -> None:
        check(lambda: browser.post(path, data), path)

    send()


def test_hostile_log_ins_are_refused_cleanly(client: FlaskClient, world: World) -> None:
    valid = {"email": world.reporter.email, "password": "niet het wachtwoord"}

    @FUZZ
    @given(data=spoiled_form(valid))
    def send(data: dict[str, Any]) -> None:
        page = client.get("/inloggen")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        check(lambda: client.post("/inloggen", data={**data, "csrf_token": token}), "log-in")

    send()


def test_form_bodies_that_are_not_utf8_are_refused_cleanly(world: World, login: Login) -> None:
    browser = login(world.reporter)
    token = f"&csrf_token={browser.token}".encode()
    for body in (b"title=\xff\xfe&situation=\xc3\x28", b"title=%ff%fe%00", b"%" * 10_000):

        def send(body: bytes = body) -> Any:
            return browser.client.post(
                "/signalen/nieuw",
                data=body + token,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )

        check(send, repr(body[:20]))
