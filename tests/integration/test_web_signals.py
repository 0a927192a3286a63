"""The web UI for signals: report form, my signals, inbox, a signal's page and owner actions."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import ColumnElement, func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.privacy import BSN_MESSAGE
from signals.validation import NOT_ONE_LINE
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import submit_signal
from tests.helpers import Login, signal_by_reference

REFERENCE = re.compile(r"KM-\d{4}-\d{6}")
VOID_ELEMENTS = {"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """What the tests read from a rendered page: texts by element id and form control state."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[tuple[str, str | None]] = []
        self._select: str | None = None
        self.texts: dict[str, str] = {}
        self.inputs: list[dict[str, str | None]] = []
        self.selected: dict[str, list[str]] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        element_id = attributes.get("id")
        if element_id is not None:
            assert element_id not in self.texts, f"duplicate id {element_id!r}"
            self.texts[element_id] = ""
        if tag == "input":
            self.inputs.append(attributes)
        elif tag == "select":
            self._select = element_id
            self.selected[element_id or ""] = []
        elif tag == "option" and "selected" in attributes and self._select is not None:
            self.selected[self._select].append(attributes.get("value") or "")
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self._open:
            if element_id is not None:
                self.texts[element_id] += data

    def text(self, element_id: str) -> str:
        """The element's text with whitespace collapsed."""
        assert element_id in self.texts, f"no element with id {element_id!r}"
        return " ".join(self.texts[element_id].split())

    def raw_text(self, element_id: str) -> str:
        assert element_id in self.texts, f"no element with id {element_id!r}"
        return self.texts[element_id]

    def error_ids(self) -> set[str]:
        return {element_id for element_id in self.texts if element_id.endswith("-error")}

    def value(self, name: str) -> str | None:
        """The value attribute of the text-like input called ``name``."""
        found = [
            attributes.get("value")
            for attributes in self.inputs
            if attributes.get("name") == name
            and attributes.get("type") not in ("checkbox", "radio")
        ]
        assert len(found) == 1, f"expected one input named {name!r}, found {len(found)}"
        return found[0]

    def checked(self, name: str) -> list[str]:
        return [
            attributes.get("value") or ""
            for attributes in self.inputs
            if attributes.get("name") == name and "checked" in attributes
        ]


def count(model: type, *where: ColumnElement[bool]) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def events_of(reference: str) -> list[SignalEvent]:
    db.session.expire_all()
    query = (
        select(SignalEvent)
        .join(Signal)
        .where(Signal.reference == reference)
        .order_by(SignalEvent.id)
    )
    return list(db.session.scalars(query))


def mails() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def references_in(html: str) -> list[str]:
    """The signal references on a page, in order, each once."""
    return list(dict.fromkeys(REFERENCE.findall(html)))


def state_of(reference: str) -> tuple[Any, ...]:
    """Everything an owner action could change, to compare before and after a refused one."""
    signal = signal_by_reference(reference)
    return (
        signal.status,
        signal.outcome,
        signal.rationale,
        signal.resolved_at,
        signal.updated_at,
        [(event.type, event.actor_id, event.data) for event in events_of(reference)],
        [(mail.kind, mail.recipient) for mail in mails()],
    )


# The report form -----------------------------------------------------------------------------


def test_the_report_form_explains_what_to_report_and_where_maatwerk_is_possible(
    login: Login, reporter: User
) -> None:
    response = login(reporter).get("/signalen/nieuw")

    assert response.status_code == 200
    page = Page(response.text)
    assert "Wat is een knellend mechanisme?" in response.text
    assert "Noem geen namen, adressen of BSN" in response.text
    assert "Awb artikel 4:84" in page.text("maatwerk-help")
    assert "artikel 18 lid 1 Participatiewet" in page.text("maatwerk-help")
    assert "Eén zin die het knelpunt samenvat" in page.text("title-help")
    assert "Maximaal 5000 tekens" in page.text("situation-help")
    assert page.error_ids() == set()
    assert page.value("title") == ""


def assert_form_keeps(page: Page, data: dict[str, Any]) -> None:
    """Every value in ``data`` is shown again in the re-rendered report form."""
    assert page.value("title") == data["title"]
    assert page.raw_text("situation") == data["situation"]
    assert page.raw_text("resident_experience") == data.get("resident_experience", "")
    # Checkboxes come in the order of the code list, not in the order they were ticked.
    assert sorted(page.checked("regulations")) == sorted(
        code for code in data["regulations"] if code != "belastingwet"
    )
    for name in ("level", "scope", "urgency", "source_organisation"):
        expected = [data[name]] if data.get(name) else []
        assert page.selected[name] == expected, name
    assert sorted(page.checked("impact")) == sorted(data.get("impact", []))
    assert page.checked("maatwerk") == [data["maatwerk"]]
    assert sorted(page.checked("maatwerk_grounds")) == sorted(data.get("maatwerk_grounds", []))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "Dit veld is verplicht."),
        ({"title": "Gif\r\nBcc: iedereen@example.org"}, "title", NOT_ONE_LINE),
        ({"title": "Omgekeerd \u202egnippets"}, "title", NOT_ONE_LINE),
        ({"title": "x" * 151}, "title", "Maximaal 150 tekens."),
        ({"situation": "Het BSN is 111222333, zie dossier."}, "situation", BSN_MESSAGE),
        (
            {"regulations": ["participatiewet", "belastingwet"]},
            "regulations",
            "Onbekende keuze: belastingwet.",
        ),
        ({"regulations": []}, "regulations", "Kies ten minste één."),
        ({"urgency": ""}, "urgency", "Dit veld is verplicht."),
        (
            {"level": "other_organisation_practice"},
            "source_organisation",
            "Geef aan bij welke organisatie de uitvoering knelt.",
        ),
        (
            {"maatwerk": "applied"},
            "maatwerk_grounds",
            "Geef aan op welke grond maatwerk is toegepast.",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_everything_typed_is_kept(
    login: Login,
    reporter: User,
    signal_data: dict[str, Any],
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    data = {**signal_data, "maatwerk": "not_possible", **change}

    response = login(reporter).post("/signalen/nieuw", data)

    assert response.status_code == 422
    page = Page(response.text)
    assert page.error_ids() == {f"{field}-error"}
    assert page.text(f"{field}-error") == message
    assert "Controleer de gemarkeerde velden" in response.text
    assert f'href="#{field}"' in response.text
    assert_form_keeps(page, data)
    assert count(Signal) == 0
    assert count(OutboxMessage) == 0


def test_all_choices_are_kept_when_another_field_is_wrong(
    login: Login, reporter: User, signal_data: dict[str, Any]
) -> None:
    data = {
        **signal_data,
        "title": "",
        "resident_experience": 'Zorgen & stress, "geen uitweg"',
        "regulations": ["participatiewet", "toeslagen"],
        "level": "other_organisation_practice",
        "source_organisation": "uwv",
        "urgency": "acute",
        "impact": ["debts", "eviction", "income_gap"],
        "maatwerk": "applied",
        "maatwerk_grounds": ["awb_4_84", "pw_18_1"],
    }

    response = login(reporter).post("/signalen/nieuw", data)

    assert response.status_code == 422
    page = Page(response.text)
    assert page.error_ids() == {"title-error"}
    assert_form_keeps(page, data)


def test_a_good_report_redirects_to_its_page_with_the_reference(
    clock: Clock, login: Login, reporter: User, signal_data: dict[str, Any]
) -> None:
    session = login(reporter)

    response = session.post("/signalen/nieuw", signal_data)

    assert response.status_code == 302
    signal = db.session.scalars(select(Signal)).one()
    assert signal.reference == "KM-2026-000001"
    assert signal.title == signal_data["title"]
    assert signal.reporter_id == reporter.id
    assert response.headers["Location"] == f"/signalen/{signal.reference}"
    page = session.get(response.headers["Location"])
    assert page.status_code == 200
    assert f"Uw signaal is ontvangen met kenmerk {signal.reference}." in page.text
    assert [mail.kind for mail in mails()] == ["receipt", "new_signal"]


# Lists ---------------------------------------------------------------------------------------


def test_my_signals_lists_only_the_users_own_signals(
    clock: Clock,
    login: Login,
    reporter: User,
    outsider: User,
    signal_data: dict[str, Any],
) -> None:
    mine = submit_signal(reporter, {**signal_data, "title": "Zoekperiode jongeren"})
    theirs = submit_signal(outsider, {**signal_data, "title": "Parkeervergunning mantelzorg"})

    response = login(reporter).get("/signalen")

    assert response.status_code == 200
    assert references_in(response.text) == [mine.reference]
    assert "Zoekperiode jongeren" in response.text
    assert "Parkeervergunning mantelzorg" not in response.text
    other = login(outsider).get("/signalen")
    assert references_in(other.text) == [theirs.reference]


def test_the_inbox_lists_open_signals_with_equal_due_dates_in_submission_order(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    start = clock.now()
    clock.set(start + timedelta(hours=1))
    first = submit_signal(reporter, {**signal_data, "title": "Eerste signaal"})
    clock.set(start + timedelta(hours=3))
    newest = submit_signal(reporter, {**signal_data, "title": "Nieuwste signaal"})
    clock.set(start + timedelta(hours=2))
    middle = submit_signal(reporter, {**signal_data, "title": "Middelste signaal"})

    response = login(manager).get("/inbox")

    assert response.status_code == 200
    # All three fall due at the end of the same working day: ties go by submission (id).
    assert references_in(response.text) == [first.reference, newest.reference, middle.reference]
    assert "Samira Consulent" in response.text


def test_a_partner_signal_reaches_the_intake_inbox_not_the_manager(
    clock: Clock,
    login: Login,
    partner_reporter: User,
    intake_member: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(partner_reporter, signal_data)

    intake = login(intake_member).get("/inbox")
    assert intake.status_code == 200
    assert references_in(intake.text) == [signal.reference]
    assert "Buurtteam Teststad" in intake.text

    other = login(manager).get("/inbox")
    assert other.status_code == 200
    assert references_in(other.text) == []
    assert "Er staan geen open signalen in uw inbox." in other.text


def test_a_plain_professional_has_no_inbox(login: Login, reporter: User) -> None:
    session = login(reporter)
    response = session.get("/inbox")
    assert response.status_code == 403
    assert "U heeft geen toegang tot deze pagina." in response.text
    assert 'href="/inbox"' not in session.get("/signalen").text


# A signal's page -----------------------------------------------------------------------------


def test_the_signal_page_shows_the_facts_and_the_timeline(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)

    response = login(reporter).get(f"/signalen/{signal.reference}")

    assert response.status_code == 200
    assert signal_data["title"] in response.text
    assert "Signaal ingediend" in response.text
    assert "door Samira Consulent" in response.text
    assert "Naar Teamleider / teammanager (standaard)." in response.text
    assert "Verantwoordelijk: <strong>Marloes Teamleider</strong>" in response.text
    assert "23 november 2026 10:00" in response.text  # 09:00 UTC in Amsterdam
    # The reporter does not own the signal, so there are no owner actions.
    assert "Terugkoppeling versturen" not in response.text
    owner_page = login(manager).get(f"/signalen/{signal.reference}")
    assert "Terugkoppeling versturen" in owner_page.text
    assert "Signaal afhandelen" in owner_page.text


def test_an_unknown_reference_is_not_found(login: Login, admin: User) -> None:
    assert login(admin).get("/signalen/KM-2026-999999").status_code == 404


def test_an_outsider_gets_404_for_someone_elses_signal_and_changes_nothing(
    clock: Clock, login: Login, reporter: User, outsider: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    before = state_of(signal.reference)
    session = login(outsider)

    page = session.get(f"/signalen/{signal.reference}")
    feedback = session.post(
        f"/signalen/{signal.reference}/terugkoppeling", {"message": "Ik neem het over."}
    )
    resolve = session.post(
        f"/signalen/{signal.reference}/afhandelen",
        {"outcome": "not_possible", "rationale": "Geen ruimte.", "message": "Helaas."},
    )

    for response in (page, feedback, resolve):
        assert response.status_code == 404
        assert "Dit signaal bestaat niet of u heeft er geen toegang toe." in response.text
        assert signal_data["title"] not in response.text
    assert state_of(signal.reference) == before


def test_the_reporter_may_not_act_as_owner(
    clock: Clock, login: Login, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    before = state_of(signal.reference)
    session = login(reporter)

    feedback = session.post(
        f"/signalen/{signal.reference}/terugkoppeling", {"message": "Graag snel."}
    )
    resolve = session.post(
        f"/signalen/{signal.reference}/afhandelen",
        {"outcome": "solved_individually", "rationale": "Zelf gedaan.", "message": "Klaar."},
    )

    for response in (feedback, resolve):
        assert response.status_code == 403
        assert "Alleen de eigenaar van dit signaal kan dit doen." in response.text
    assert state_of(signal.reference) == before


# Owner actions -------------------------------------------------------------------------------


def test_the_owner_gives_feedback_to_the_reporter(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    session = login(manager)
    text = "Ik bespreek dit volgende week in het MT."

    response = session.post(f"/signalen/{signal.reference}/terugkoppeling", {"message": text})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/signalen/{signal.reference}"
    events = events_of(signal.reference)
    assert [(event.type, event.actor_id) for event in events] == [
        ("submitted", reporter.id),
        ("feedback_sent", manager.id),
    ]
    assert events[1].data == {"message": text}
    feedback_mails = [mail for mail in mails() if mail.kind == "feedback"]
    assert len(feedback_mails) == 1
    assert feedback_mails[0].recipient == reporter.email
    assert text in feedback_mails[0].body_text
    assert signal.reference in feedback_mails[0].subject
    assert signal_by_reference(signal.reference).status == "new"
    page = session.get(response.headers["Location"])
    assert "Uw terugkoppeling is verstuurd naar de melder." in page.text
    assert "Terugkoppeling gegeven" in page.text
    assert text in page.text


def test_empty_feedback_is_refused_next_to_the_message(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    before = state_of(signal.reference)

    response = login(manager).post(f"/signalen/{signal.reference}/terugkoppeling", {"message": " "})

    assert response.status_code == 422
    page = Page(response.text)
    assert page.error_ids() == {"feedback-message-error"}
    assert page.text("feedback-message-error") == "Dit veld is verplicht."
    assert state_of(signal.reference) == before


GOOD_RESOLUTION = {
    "outcome": "policy_changed",
    "rationale": "De werkinstructie is aangepast: voorschot op het eerste loon.",
    "message": "Dank voor uw signaal; de werkinstructie is aangepast.",
}


@pytest.mark.parametrize("missing", ["outcome", "rationale", "message"])
def test_a_resolution_needs_outcome_rationale_and_message(
    clock: Clock,
    login: Login,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
    missing: str,
) -> None:
    signal = submit_signal(reporter, signal_data)
    before = state_of(signal.reference)
    data = {**GOOD_RESOLUTION, missing: ""}

    response = login(manager).post(f"/signalen/{signal.reference}/afhandelen", data)

    assert response.status_code == 422
    page = Page(response.text)
    assert page.error_ids() == {f"resolve-{missing}-error"}
    assert page.text(f"resolve-{missing}-error") == "Dit veld is verplicht."
    assert f'href="#resolve-{missing}"' in response.text
    assert page.selected["resolve-outcome"] == ([data["outcome"]] if data["outcome"] else [])
    assert page.raw_text("resolve-rationale") == data["rationale"]
    assert page.raw_text("resolve-message") == data["message"]
    # The feedback form is not filled with the resolution's values.
    assert page.raw_text("feedback-message") == ""
    assert state_of(signal.reference) == before


def test_an_unknown_outcome_and_a_bsn_are_refused(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    before = state_of(signal.reference)
    data = {**GOOD_RESOLUTION, "outcome": "vanished", "rationale": "Zie BSN 111222333."}

    response = login(manager).post(f"/signalen/{signal.reference}/afhandelen", data)

    assert response.status_code == 422
    page = Page(response.text)
    assert page.error_ids() == {"resolve-outcome-error", "resolve-rationale-error"}
    assert page.text("resolve-outcome-error") == "Onbekende keuze: vanished."
    assert page.text("resolve-rationale-error") == BSN_MESSAGE
    assert page.raw_text("resolve-message") == GOOD_RESOLUTION["message"]
    assert state_of(signal.reference) == before


def test_a_complete_resolution_closes_the_signal_for_good(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    session = login(manager)
    assert references_in(session.get("/inbox").text) == [signal.reference]
    clock.set(clock.now() + timedelta(days=2))

    response = session.post(f"/signalen/{signal.reference}/afhandelen", GOOD_RESOLUTION)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/signalen/{signal.reference}"
    stored = signal_by_reference(signal.reference)
    assert stored.status == "resolved"
    assert stored.outcome == "policy_changed"
    assert stored.rationale == GOOD_RESOLUTION["rationale"]
    assert stored.resolved_at == clock.now()
    events = events_of(signal.reference)
    assert [(event.type, event.actor_id) for event in events] == [
        ("submitted", reporter.id),
        ("resolved", manager.id),
    ]
    assert events[1].data == GOOD_RESOLUTION
    resolved_mails = [mail for mail in mails() if mail.kind == "resolved"]
    assert [mail.recipient for mail in resolved_mails] == [reporter.email]
    assert GOOD_RESOLUTION["message"] in resolved_mails[0].body_text
    assert GOOD_RESOLUTION["rationale"] in resolved_mails[0].body_text

    page = session.get(f"/signalen/{signal.reference}")
    assert "Het signaal is afgehandeld; de melder krijgt uw bericht per e-mail." in page.text
    assert "Beleid of werkinstructie aangepast" in page.text
    assert "Signaal afhandelen" not in page.text
    assert "Terugkoppeling versturen" not in page.text

    inbox = session.get("/inbox")
    assert references_in(inbox.text) == []

    after = state_of(signal.reference)
    feedback = session.post(
        f"/signalen/{signal.reference}/terugkoppeling", {"message": "Nog een bericht."}
    )
    again = session.post(
        f"/signalen/{signal.reference}/afhandelen",
        {"outcome": "escalated", "rationale": "Toch anders.", "message": "Opnieuw."},
    )
    for refused in (feedback, again):
        assert refused.status_code == 409
        assert "Dit signaal is al afgehandeld." in refused.text
    assert state_of(signal.reference) == after


def test_the_reporter_sees_the_resolution_on_the_signal_page(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    login(manager).post(f"/signalen/{signal.reference}/afhandelen", GOOD_RESOLUTION)

    page = login(reporter).get(f"/signalen/{signal.reference}")

    assert page.status_code == 200
    assert "Afgehandeld op" in page.text
    assert GOOD_RESOLUTION["rationale"] in page.text
    assert GOOD_RESOLUTION["message"] in page.text


# Outbox pages --------------------------------------------------------------------------------


def test_the_outbox_page_is_for_admins_only(
    clock: Clock,
    login: Login,
    reporter: User,
    manager: User,
    intake_member: User,
    admin: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(reporter, signal_data)

    for user in (reporter, manager, intake_member):
        response = login(user).get("/beheer/outbox")
        assert response.status_code == 403, user.email
        assert "Uw signaal is ontvangen" not in response.text

    response = login(admin).get("/beheer/outbox")
    assert response.status_code == 200
    assert f"[{signal.reference}] Uw signaal is ontvangen" in response.text
    assert f"[{signal.reference}] Signaal in uw inbox: {signal_data['title']}" in response.text
    assert reporter.email in response.text and manager.email in response.text


def test_the_dev_mailbox_does_not_exist_outside_debug(login: Login, admin: User) -> None:
    session = login(admin)
    response = session.get("/dev/mailbox")
    assert response.status_code == 404
    assert "Ontwikkel-mailbox" not in session.get("/beheer/outbox").text
