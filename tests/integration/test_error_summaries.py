"""Every form's error summary names each field by the field's own label and links to it.

Each form is sent empty (or wrong) through the real views; the summary above it must say, per
error, the label (or legend) the person sees at the field, then the message.
"""

from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask

from signals.auth.models import User
from signals.clock import Clock
from signals.kwesties.services import create_kwestie
from signals.retention.services import place_legal_hold
from signals.scheduler.jobs import sweep
from signals.web.views import SIGNAL_ACTIONS_BY_SLUG
from signals.workflow.services import request_info, resolve_signal, submit_signal
from tests.fixtures.app import csrf_token_from
from tests.helpers import RESOLUTION, Login, MakeUser


class Form(HTMLParser):
    """The error summary's links and the label or legend of every element with an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.labels: dict[str, str] = {}  # element id -> its label's or legend's text
        self.links: list[tuple[str, str]] = []  # (target id, text) in the summary
        self.summaries = 0
        self._label_for: str | None = None
        self._fieldsets: list[str | None] = []
        self._legend: str | None = None
        self._summary_depth = 0
        self._link: str | None = None
        self._hidden_depth = 0
        self._text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")
        if self._summary_depth and tag == "div":
            self._summary_depth += 1
        if tag == "div" and "data-error-summary" in attributes:
            self.summaries += 1
            self._summary_depth = 1
        if tag == "fieldset":
            self._fieldsets.append(attributes.get("id"))
        elif tag == "legend" and self._fieldsets and self._fieldsets[-1]:
            self._legend, self._text = self._fieldsets[-1], ""
        elif tag == "label" and attributes.get("for"):
            self._label_for, self._text = attributes["for"], ""
        elif tag == "a" and self._summary_depth:
            self._link, self._text = (attributes.get("href") or "").removeprefix("#"), ""
        elif tag == "span" and "optional" in (attributes.get("class") or ""):
            self._hidden_depth += 1  # "(optioneel)" belongs to the label, not to its name

    def handle_endtag(self, tag: str) -> None:
        text = " ".join(self._text.split())
        if tag == "div" and self._summary_depth:
            self._summary_depth -= 1
        elif tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        elif tag == "legend" and self._legend is not None:
            self.labels[self._legend], self._legend = text, None
        elif tag == "label" and self._label_for is not None:
            self.labels[self._label_for], self._label_for = text, None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link, text))
            self._link = None
        elif tag == "span" and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._text += data


def check_summary(html: str) -> list[tuple[str, str]]:
    """Each summary link starts with its field's label; returns the (id, text) pairs."""
    form = Form(html)
    assert form.summaries == 1, "expected one error summary"
    assert form.links, "the summary lists no error"
    for target, text in form.links:
        assert target in form.ids, f"the summary links to #{target}, which is not on the page"
        label = form.labels.get(target)
        assert label, f"#{target} has no label or legend"
        separator = " " if label[-1] in "?:!" else ": "
        assert text.startswith(label + separator), (text, label)
        assert len(text) > len(label + separator), text  # and then the message
    return form.links


@pytest.fixture
def signals_in_every_state(
    clock: Clock, reporter: User, manager: User, admin: User, signal_data: dict[str, Any]
) -> dict[str, str]:
    """References of the reporter's signals: open, awaiting the reporter, resolved, held."""
    open_signal = submit_signal(reporter, signal_data)
    awaiting = submit_signal(reporter, signal_data)
    request_info(manager, awaiting.reference, {"message": "Om hoeveel inwoners gaat het?"})
    resolved = submit_signal(reporter, signal_data)
    resolve_signal(manager, resolved.reference, RESOLUTION)
    held = submit_signal(reporter, signal_data)
    place_legal_hold(admin, held.reference, {"reason": "Een bezwaar loopt nog."})
    sweep(clock.now() + timedelta(minutes=5))  # asks the reporter's verdict on the resolved one
    return {
        "open": open_signal.reference,
        "awaiting": awaiting.reference,
        "resolved": resolved.reference,
        "held": held.reference,
    }


# (slug, who acts, the signal's state); every action of a signal's page but accepting.
ACTIONS = [
    ("terugkoppeling", "manager", "open"),
    ("vraag", "manager", "open"),
    ("doorsturen", "manager", "open"),
    ("afhandelen", "manager", "open"),
    ("antwoord", "reporter", "awaiting"),
    ("aanvullen", "reporter", "open"),
    ("intrekken", "reporter", "open"),
    ("heropenen", "reporter", "resolved"),
    ("publiceren", "manager", "resolved"),
    # An administrator's (signals.retention).
    ("bewaarplicht", "admin", "resolved"),
    ("bewaarplicht-opheffen", "admin", "held"),
]


def test_every_action_that_takes_input_is_checked_here() -> None:
    assert {slug for slug, _who, _state in ACTIONS} | {"accepteren"} == set(SIGNAL_ACTIONS_BY_SLUG)


@pytest.mark.parametrize(("slug", "who", "state"), ACTIONS)
def test_an_action_forms_summary_names_its_fields_by_their_labels(
    login: Login,
    reporter: User,
    manager: User,
    admin: User,
    signals_in_every_state: dict[str, str],
    slug: str,
    who: str,
    state: str,
) -> None:
    session = login({"reporter": reporter, "manager": manager, "admin": admin}[who])
    reference = signals_in_every_state[state]
    form = SIGNAL_ACTIONS_BY_SLUG[slug].name

    response = session.post(f"/signalen/{reference}/{slug}", {"message": "", "reason": ""})

    assert response.status_code == 422, response.text
    links = check_summary(response.text)
    assert all(target.startswith(f"{form}-") for target, _text in links)


def test_the_reopen_summary_asks_why_not_for_a_message(
    login: Login, reporter: User, signals_in_every_state: dict[str, str]
) -> None:
    reference = signals_in_every_state["resolved"]
    response = login(reporter).post(f"/signalen/{reference}/heropenen", {"message": ""})
    assert check_summary(response.text) == [
        ("reopen-message", "Waarom heropenen? Dit veld is verplicht.")
    ]
    assert "Bericht:" not in response.text


def test_the_report_forms_summary_names_its_fields_by_their_labels(
    login: Login, reporter: User
) -> None:
    response = login(reporter).post("/signalen/nieuw", {"situation": "Korte tekst."})
    assert response.status_code == 422
    links = dict(check_summary(response.text))
    assert links["title"] == "Titel: Dit veld is verplicht."
    assert links["regulations"].startswith("Om welke regeling gaat het? ")
    assert links["maatwerk"].startswith("Is maatwerk overwogen? ")


def test_the_kwestie_forms_summaries_name_their_fields_by_their_labels(
    login: Login, manager: User, make_user: MakeUser
) -> None:
    policy_member = make_user("member", groups=["beleid"])
    kwestie = create_kwestie(manager, {"title": "Inkomensgat na de bijstand", "node": "beleid"})
    session = login(manager)
    created = session.post("/kwesties/nieuw", {"title": ""})
    assert created.status_code == 422
    assert dict(check_summary(created.text))["node"].startswith(
        "Waar in de route wordt de kwestie behandeld? "
    )
    owner = login(policy_member)
    for action, form in (("bericht", "message"), ("besluit", "decide")):
        response = owner.post(f"/kwesties/{kwestie.id}/{action}", {"message": ""})
        assert response.status_code == 422, action
        links = check_summary(response.text)
        assert all(target.startswith(f"{form}-") for target, _text in links)


def test_the_account_and_survey_forms_summaries_name_their_fields_by_their_labels(
    login: Login, reporter: User, signals_in_every_state: dict[str, str]
) -> None:
    session = login(reporter)
    token = session.post("/api-sleutels", {"name": "x" * 101})
    assert token.status_code == 422
    assert check_summary(token.text)[0][1].startswith(
        "Waarvoor is de sleutel (bijvoorbeeld het systeem): "
    )
    password = session.post("/wachtwoord", {"current_password": ""})
    assert password.status_code == 422
    check_summary(password.text)
    reference = signals_in_every_state["resolved"]
    survey = session.post(f"/signalen/{reference}/evaluatie", {"score": ""})
    assert survey.status_code == 422
    assert check_summary(survey.text)[0][1].startswith("Was het antwoord duidelijk en bruikbaar? ")


def test_the_login_and_list_filter_summaries_name_their_fields_by_their_labels(
    app: Flask, login: Login, manager: User
) -> None:
    anonymous = app.test_client()
    page = anonymous.get("/inloggen")
    refused = anonymous.post(
        "/inloggen", data={"email": "", "password": "", "csrf_token": csrf_token_from(page.text)}
    )
    assert refused.status_code == 422
    check_summary(refused.text)
    session = login(manager)
    inbox = session.get("/inbox?urgency=zeer-hoog")
    assert inbox.status_code == 422
    assert check_summary(inbox.text)[0][0] == "urgency"
    mine = session.get("/signalen?status=zoek-maar")
    assert mine.status_code == 422
    assert check_summary(mine.text)[0][0] == "status"
