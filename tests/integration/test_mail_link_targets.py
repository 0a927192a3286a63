"""Every link in every kind of e-mail opens a page for the person the e-mail is for.

One scenario writes every kind of e-mail that has templates in ``signals/templates/mail/``:
people acting through the services (signals, kwesties, a pattern) and the scheduler's sweep
on the injected clock (reminders, breaches with the lead's copy, escalations, status updates,
surveys, follow-ups, digests, the trust pulse's invitations). As soon as an e-mail is
written, every link in its text and in its HTML body is followed with the test client,
logged in as its recipient: it must start at the base URL and answer 200, or redirect to a
page that does (not to the log-in page). The reader of an invitation or a reset link, and an
anonymous reporter, is not logged in: their links are followed without a session.
A kind of e-mail the scenario does not write fails the test, so a new template cannot slip
past it.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from signals.anonymous.services import submit_anonymous_signal
from signals.auth.links import MAIL_KIND, invite_user, request_reset
from signals.auth.models import User
from signals.auth.services import user_by_email
from signals.clock import Clock
from signals.extensions import db
from signals.kwesties.services import create_kwestie, decide_kwestie, kwestie_message, link_signal
from signals.notifications.models import OutboxMessage
from signals.notifications.services import SUBJECTS, base_url
from signals.scheduler.jobs import sweep
from signals.workflow.clocks import FOLLOWUP_REMINDER_AFTER
from signals.workflow.models import Signal
from signals.workflow.services import (
    accept_signal,
    add_info,
    forward_signal,
    give_feedback,
    reopen_signal,
    reply_to_question,
    request_info,
    resolve_signal,
    submit_signal,
    withdraw_signal,
)
from tests.fixtures.app import START
from tests.fixtures.meeting_scenario import finish, meet_about
from tests.fixtures.people import WebSession
from tests.helpers import RESOLUTION, Login, MakeUser

LOGIN_PATH = "/inloggen"
TEXT_LINK = re.compile(r"https?://\S+")
HTML_LINK = re.compile(r'href="([^"]*)"')
SWEEP_HOUR = 13  # UTC: in office hours, so the managers' digests go out too
SWEPT_DAYS = 45  # every day: reminders, breaches, escalations, status updates, digests
FOLLOWUP_AFTER = timedelta(days=200)  # past the check six months after a resolution
# Monday 1 March 2027, the first working day of a trust pulse month: everyone is invited.
ANONYMOUS_REPORTERS = ("tip@voorbeeld.test",)
PULSE_OPENS = datetime(2027, 3, 1, SWEEP_HOUR, tzinfo=UTC)
# Mail whose reader cannot log in yet (an invitation) or any more (a forgotten password).
NOT_LOGGED_IN_KINDS = frozenset(MAIL_KIND.values())


def mail_kinds(app: Flask) -> set[str]:
    """The kinds of e-mail: a text and an HTML template of one name (``_…`` are parts)."""
    folder = Path(app.root_path, app.template_folder or "templates", "mail")
    return {
        path.stem
        for path in folder.glob("*.txt")
        if not path.stem.startswith("_") and path.with_suffix(".html").exists()
    }


def links_in(body_text: str, body_html: str) -> set[str]:
    """Every link in an e-mail: the addresses in its text, the ``href``\\s of its HTML."""
    in_html = {html.unescape(link) for link in HTML_LINK.findall(body_html)}
    return set(TEXT_LINK.findall(body_text)) | in_html


@dataclass(frozen=True)
class Mail:
    """What the follower needs of an outbox row, read before the test's session lets go."""

    kind: str
    recipient: str
    subject: str
    links: set[str]


@dataclass
class Visitor:
    """Someone who is not logged in (an anonymous reporter): a client without a session."""

    client: FlaskClient


@dataclass
class LinkFollower:
    """Follows the links of each new e-mail as its recipient, the moment it was written."""

    app: Flask
    log_in: Login
    read_up_to: int = 0
    kinds: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    followed: int = 0
    sessions: dict[str, WebSession] = field(default_factory=dict)

    def follow_new_mail(self) -> None:
        for mail in self._new_mail():
            assert mail.links, f"{mail.kind} to {mail.recipient} links nowhere"
            for link in sorted(mail.links):
                self._follow(mail, link)
            self.kinds.add(mail.kind)
            self.subjects.add(mail.subject)

    def _new_mail(self) -> list[Mail]:
        db.session.expire_all()
        query = select(OutboxMessage).where(OutboxMessage.id > self.read_up_to)
        rows = list(db.session.scalars(query.order_by(OutboxMessage.id)))
        if rows:
            self.read_up_to = rows[-1].id
        new = [
            Mail(row.kind, row.recipient, row.subject, links_in(row.body_text, row.body_html))
            for row in rows
        ]
        db.session.rollback()  # the pages are read in requests of their own
        return new

    def _follow(self, mail: Mail, link: str) -> None:
        where = f"{mail.kind} to {mail.recipient}: {link}"
        start = base_url()
        assert link.startswith(f"{start}/"), where
        response = self._session_of(mail).client.get(
            link.removeprefix(start), follow_redirects=True
        )
        assert response.status_code == 200, (where, response.status_code)
        assert response.request.path != LOGIN_PATH, where
        self.followed += 1

    def _session_of(self, mail: Mail) -> WebSession | Visitor:
        email = mail.recipient
        if email in ANONYMOUS_REPORTERS:  # a person we do not know: links open public pages
            return Visitor(self.app.test_client())
        if mail.kind in NOT_LOGGED_IN_KINDS:  # an invitation, a reset: read before logging in
            return Visitor(self.app.test_client())
        if email not in self.sessions:
            user = user_by_email(email)
            assert user is not None, email
            self.sessions[email] = self.log_in(user)
        return self.sessions[email]


@pytest.fixture
def follower(app: Flask, login: Login) -> LinkFollower:
    return LinkFollower(app, login)


def test_every_link_in_every_kind_of_mail_opens_a_page_for_its_reader(
    app: Flask,
    clock: Clock,
    make_user: MakeUser,
    signal_data: dict[str, Any],
    follower: LinkFollower,
) -> None:
    head = make_user("manager", name="Hoofd Afdeling")
    manager = make_user("manager", manager=head, name="Marloes Teamleider")
    reporter = make_user("professional", manager=manager, name="Samira Melder")
    colleague = make_user("professional", manager=manager, name="Collega Zelfde Team")
    partner = make_user(
        "professional", organisation="Buurtteam Oost", kind="partner", name="Fatima Partner"
    )
    intake = make_user("member", groups=["intake"], name="Lotte Intake")
    table = make_user("member", groups=["casuistiek"], name="Casus Lid")
    policy = make_user("member", groups=["beleid"], name="Hans Beleid")
    make_user("manager", groups=["ombudsman"], name="Olga Ombudschef")
    make_user("member", groups=["bestuur"], name="Bert Bestuur")  # the quarterly report

    def submit(user: User, title: str, **fields: Any) -> Signal:
        signal: Signal = act(submit_signal, user, {**signal_data, "title": title, **fields})
        return signal

    def act(service: Callable[..., Any], *args: Any) -> Any:
        done = service(*args)
        follower.follow_new_mail()
        return done

    alfa = submit(reporter, "Alfa inkomensgat bij werkhervatting")
    act(accept_signal, manager, alfa.reference, {})
    act(request_info, manager, alfa.reference, {"message": "Welke maand ging het mis?"})
    act(reply_to_question, reporter, alfa.reference, {"message": "In september."})
    act(give_feedback, manager, alfa.reference, {"message": "We zoeken het uit."})
    act(resolve_signal, manager, alfa.reference, RESOLUTION)
    act(reopen_signal, reporter, alfa.reference, {"message": "Het speelt opnieuw."})
    act(resolve_signal, manager, alfa.reference, RESOLUTION)

    # An anonymous reporter who left an address: notices that link to the public follow page.
    anonymous = act(
        submit_anonymous_signal, {**signal_data, "email": ANONYMOUS_REPORTERS[0]}, None
    ).signal
    act(accept_signal, table, anonymous.reference, {})

    bravo = submit(partner, "Bravo bijzondere bijstand buurtteam")
    act(forward_signal, intake, bravo.reference, {"to": "casuistiek"})
    action_item = meet_about(act, table, partner, bravo.reference, (policy, colleague))

    charlie = submit(reporter, "Charlie ingetrokken")
    act(accept_signal, manager, charlie.reference, {})
    act(add_info, reporter, charlie.reference, {"message": "Er is een tweede gezin bij."})
    act(withdraw_signal, reporter, charlie.reference, {"reason": "Intussen opgelost."})

    # Three unlinked signals about one mechanism at UWV: the policy node is alerted.
    uwv = {"level": "other_organisation_practice", "source_organisation": "uwv"}
    echo = submit(reporter, "Echo UWV betaalt te laat", **uwv)
    submit(colleague, "Foxtrot UWV stopt te vroeg", **uwv)
    golf = submit(partner, "Golf UWV en bijstand sluiten niet aan", **uwv)
    kwestie = act(
        create_kwestie,
        manager,
        {"title": "Kwestie eerste loon", "node": "beleid", "from_signal": echo.reference},
    )
    act(link_signal, intake, golf.reference, {"kwestie": kwestie.id})
    act(kwestie_message, policy, kwestie.id, {"message": "Wij onderzoeken het."})
    act(decide_kwestie, policy, kwestie.id, {**RESOLUTION, "outcome": "policy_changed"})

    # For the sweep: one never taken on (a breach, the lead told, an escalation), one taken
    # on and left without feedback (a reminder), one left at the ombudsman (late for days).
    submit(reporter, "Delta nooit opgepakt")
    mike = submit(reporter, "Mike opgepakt en stil")
    act(accept_signal, manager, mike.reference, {})
    india = submit(reporter, "India bij de ombudsman")
    act(forward_signal, manager, india.reference, {"to": "ombudsman"})

    # Accounts: the links of an invitation and a reset open their pages without a log-in.
    act(invite_user, colleague, None)
    act(request_reset, {"email": partner.email}, None)

    first_sweep = START.replace(hour=SWEEP_HOUR)
    for at in [first_sweep + timedelta(days=day) for day in range(SWEPT_DAYS)] + [
        PULSE_OPENS,
        first_sweep + FOLLOWUP_AFTER,
        first_sweep + FOLLOWUP_AFTER + FOLLOWUP_REMINDER_AFTER,  # the question's one reminder
    ]:
        clock.set(at)
        sweep(at)
        follower.follow_new_mail()

    finish(act, table, action_item)

    assert follower.kinds == mail_kinds(app), follower.kinds ^ mail_kinds(app)
    assert SUBJECTS["deadline_breached_lead"] in follower.subjects  # its link: the start page
    assert follower.followed > 100
