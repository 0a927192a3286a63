"""HEAD and GET change nothing, on any route, for anyone, whatever form data comes along.

Every route of the app that answers GET is asked with HEAD and with GET, carrying the form
data its POST branch would act on (a full signal, a log-in, a kwestie, a survey answer, a
token name, a trust pulse answer), without and with each kind of log-in. The database must
be exactly as it was, no answer may be a server error, and a HEAD must carry no body.

The one deliberate exception is the access log: reading a signal's content or exporting is
logged, also on a GET. Only that table is left out of the comparison, and what it gained
must be views and exports, nothing else.
"""

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from signals.audit.models import AccessLogEntry
from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.knowledge.models import KnowledgeArticle
from signals.knowledge.services import publish_signal
from signals.kwesties.services import create_kwestie
from signals.notifications.models import OutboxMessage
from signals.trust.pulse import open_pulse_round
from signals.workflow.services import resolve_signal, submit_signal
from tests.fixtures.people import PASSWORD
from tests.fixtures.snapshot import AUTH_BOOKKEEPING, database_state
from tests.helpers import Api, Login

PULSE_LINK = re.compile(r"/peiling/([\w-]+)")
ACCESS_LOG = "access_log_entries"
# What a GET may log: a view of a signal's content, an export.
LOGGED_ON_GET = {"signal_viewed", "signals_exported", "meeting_record_exported"}


def get_routes(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())),
        key=lambda rule: rule.rule,
    )


def url_of(app: Flask, rule: Rule, values: dict[str, Any]) -> str:
    adapter = app.url_map.bind("localhost")
    arguments = {name: values[name] for name in rule.arguments}
    return adapter.build(rule.endpoint, arguments, method="GET")


def form_for_everything(signal_data: dict[str, Any], email: str) -> dict[str, Any]:
    """What the POST branches of the routes that also answer GET would act on."""
    return {
        **signal_data,
        "email": email,
        "password": PASSWORD,
        "name": "Een sleutel",
        "node": "beleid",
        "score": "5",
        "comment": "Prima",
        "trust": "4",
        "heard": "4",
        "references": ["KM-2026-000001"],
    }


def open_trust_pulse(user: User) -> str:
    """Open a round of the trust pulse (1 March 2027); the token of ``user``'s invitation."""
    open_pulse_round(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    body = db.session.scalar(
        select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "trust_pulse", OutboxMessage.recipient == user.email
        )
    )
    assert body is not None
    match = PULSE_LINK.search(body)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize("who", ["nobody", "reporter", "manager", "admin"])
@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_head_and_get_change_nothing_on_any_route(
    app: Flask,
    clock: Clock,
    login: Login,
    api: Api,
    reporter: User,
    manager: User,
    admin: User,
    signal_data: dict[str, Any],
    who: str,
    method: str,
) -> None:
    signal = submit_signal(reporter, signal_data)
    resolve_signal(
        manager,
        signal.reference,
        {"outcome": "not_possible", "rationale": "Kan niet.", "message": "Helaas."},
    )
    kwestie = create_kwestie(manager, {"title": "Eerste loon", "node": "beleid"})
    publish_signal(manager, signal.reference, {"summary": "Het eerste loon komt pas na een maand."})
    article = db.session.scalars(select(KnowledgeArticle)).one()
    pulse_token = open_trust_pulse(reporter)
    people = {"reporter": reporter, "manager": manager, "admin": admin}
    if who == "nobody":
        client, headers = app.test_client(), {}
    else:
        client = login(people[who]).client
        api_client = api(people[who])
        api_client.get("/codes")  # the token's first use is written now, not below
        headers = api_client.headers
    values = {
        "reference": signal.reference,
        "kwestie_id": kwestie.id,
        "article_id": article.id,
        "meeting_id": 1,
        "item_id": 1,
        "token_id": 1,
        "message_id": 1,
        "filename": "style.css",
        "token": pulse_token,
        "receipt": "AAAA-BBBB-CCCC-DDDD-EEEE",
    }
    data = form_for_everything(signal_data, reporter.email)
    leave_out = AUTH_BOOKKEEPING | {ACCESS_LOG}
    before = database_state(leave_out)
    logged_before = database_state()[ACCESS_LOG]

    for rule in get_routes(app):
        url = url_of(app, rule, values)
        response = client.open(url, method=method, data=data, headers=headers)

        assert response.status_code < 500, (url, response.status_code)
        if method == "HEAD":
            assert response.data == b"", url
        assert database_state(leave_out) == before, url
    logged = database_state()[ACCESS_LOG]
    action = [column.name for column in AccessLogEntry.__table__.columns].index("action")
    new_actions = {row[action] for row in logged[len(logged_before) :]}
    assert logged[: len(logged_before)] == logged_before
    assert new_actions <= LOGGED_ON_GET, new_actions
    if who in ("reporter", "admin"):  # they read the signal's page (and the API's view)
        assert "signal_viewed" in new_actions
