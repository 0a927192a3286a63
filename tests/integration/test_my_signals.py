"""*Mijn signalen*: search, status filter, order and pages; "Wacht op u"; *Mijn account*."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import InputInvalid
from signals.extensions import db
from signals.workflow.models import FAR_FUTURE, Signal
from signals.workflow.reported import awaiting_count, my_signals_page, reporter_due
from signals.workflow.services import (
    accept_signal,
    give_feedback,
    reply_to_question,
    request_info,
    resolve_signal,
    submit_signal,
    withdraw_signal,
)
from tests.helpers import RESOLUTION, Login, MakeUser

REFERENCE = re.compile(r"KM-\d{4}-\d{6}")


def references_in(html: str) -> list[str]:
    return list(dict.fromkeys(REFERENCE.findall(html)))


def refs(signals: list[Signal]) -> list[str]:
    return [signal.reference for signal in signals]


@pytest.fixture
def submit(clock: Clock, signal_data: dict[str, Any]) -> Callable[..., Signal]:
    """Submit a signal an hour after the previous one (so that 'newest' is unambiguous)."""

    def make(user: User, title: str, **fields: Any) -> Signal:
        clock.set(clock.now() + timedelta(hours=1))
        return submit_signal(user, {**signal_data, "title": title, **fields})

    return make


# Search ----------------------------------------------------------------------------------------


def test_the_search_finds_by_reference_and_by_every_word_and_only_the_own_signals(
    submit: Callable[..., Signal], reporter: User, outsider: User
) -> None:
    gap = submit(reporter, "Inkomensgat bij werkhervatting")
    waiver = submit(
        reporter,
        "Kwijtschelding geweigerd",
        situation="De kwijtschelding van de afvalstoffenheffing ging niet door: een spaarrekening.",
    )
    youth = submit(
        reporter,
        "Zoekperiode jongeren",
        resident_experience="Jongeren vallen vier weken zonder geld en lenen bij vrienden.",
    )
    submit(outsider, "Kwijtschelding geweigerd")  # the same words, someone else's

    def found(query: str) -> list[str]:
        return refs(my_signals_page(reporter, {"q": query}).signals)

    assert found("kwijtschelding") == [waiver.reference]
    assert found("GEWEIGERD Kwijtschelding") == [waiver.reference]
    assert found("kwijtschelding jongeren") == []  # every word must occur
    assert found("spaarrekening") == [waiver.reference]  # in the situation
    assert found("vrienden") == [youth.reference]  # in the resident's experience
    assert found(gap.reference) == [gap.reference]
    assert found(gap.reference[-6:]) == [gap.reference]
    assert found(gap.reference.lower()) == [gap.reference]
    assert found("%") == [] and found("_") == []  # wildcards are searched for, not obeyed
    assert found("  ") == refs([youth, waiver, gap])  # nothing to search: everything


def test_the_status_filter_takes_one_status_or_every_open_one(
    submit: Callable[..., Signal], reporter: User, manager: User
) -> None:
    new = submit(reporter, "Nieuw")
    busy = submit(reporter, "In behandeling")
    accept_signal(manager, busy.reference, {})
    asked = submit(reporter, "Vraag gesteld")
    request_info(manager, asked.reference, {"message": "Hoeveel gezinnen?"})
    done = submit(reporter, "Afgehandeld")
    resolve_signal(manager, done.reference, RESOLUTION)
    gone = submit(reporter, "Ingetrokken")
    withdraw_signal(reporter, gone.reference, {"reason": "Dubbel ingediend."})

    def with_status(status: str) -> set[str]:
        return set(refs(my_signals_page(reporter, {"status": status}).signals))

    assert with_status("open") == {new.reference, busy.reference, asked.reference}
    assert with_status("new") == {new.reference}
    assert with_status("in_progress") == {busy.reference}
    assert with_status("awaiting_reporter") == {asked.reference}
    assert with_status("resolved") == {done.reference}
    assert with_status("withdrawn") == {gone.reference}
    with pytest.raises(InputInvalid) as refused:
        my_signals_page(reporter, {"status": "gesloten"})
    assert refused.value.fields == {"status": ["Onbekende keuze: gesloten."]}


def test_the_orders_newest_oldest_and_what_comes_next(
    submit: Callable[..., Signal], clock: Clock, reporter: User, manager: User
) -> None:
    first = submit(reporter, "Eerste")
    answered = submit(reporter, "Al teruggekoppeld")
    accept_signal(manager, answered.reference, {})
    give_feedback(manager, answered.reference, {"message": "We kijken ernaar."})
    asked = submit(reporter, "Wacht op de melder")
    request_info(manager, asked.reference, {"message": "Welke maand?"})
    done = submit(reporter, "Afgehandeld")
    resolve_signal(manager, done.reference, RESOLUTION)
    latest = submit(reporter, "Laatste")

    def ordered(sort: str | None) -> list[str]:
        data = {"sort": sort} if sort else {}
        return refs(my_signals_page(reporter, data).signals)

    created = [first, answered, asked, done, latest]
    assert ordered(None) == refs(created[::-1])
    assert ordered("newest") == refs(created[::-1])
    assert ordered("oldest") == refs(created)
    # What waits for the reporter first; then the open signals by the date the owner owes
    # them a message; then the closed ones.
    next_up = my_signals_page(reporter, {"sort": "deadline"}).signals
    assert next_up[0].reference == asked.reference
    assert next_up[-1].reference == done.reference
    open_part = next_up[1:-1]
    assert {signal.reference for signal in open_part} == {
        first.reference,
        answered.reference,
        latest.reference,
    }
    dues = [reporter_due(signal) or FAR_FUTURE for signal in open_part]
    assert dues == sorted(dues)
    assert reporter_due(answered) == answered.update_due  # feedback given: the next update
    assert reporter_due(first) == first.feedback_due


def test_pages_of_the_list_and_a_page_past_the_end(
    submit: Callable[..., Signal], reporter: User
) -> None:
    made = [submit(reporter, f"Signaal {number}") for number in range(5)]

    first = my_signals_page(reporter, {}, size=2)
    last = my_signals_page(reporter, {"page": "3"}, size=2)
    beyond = my_signals_page(reporter, {"page": "9"}, size=2)

    assert (first.total, first.pages, first.page) == (5, 3, 1)
    assert refs(first.signals) == refs(made[:2:-1])
    assert refs(last.signals) == [made[0].reference]
    assert (beyond.page, refs(beyond.signals)) == (3, [made[0].reference])
    with pytest.raises(InputInvalid) as refused:
        my_signals_page(reporter, {"page": "0"})
    assert refused.value.fields == {"page": ["Ongeldig paginanummer."]}


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_a_page_costs_the_same_few_queries_for_three_signals_or_sixty(
    submit: Callable[..., Signal], reporter: User, make_user: MakeUser
) -> None:
    colleague = make_user("professional", name="Collega Veel")
    for number in range(3):
        submit(reporter, f"Weinig {number}")
    for number in range(60):
        submit(colleague, f"Veel {number}")
    db.session.expire_all()
    assert reporter.id and colleague.id  # the people loaded again, outside the measurement

    with statements() as few:
        small = my_signals_page(reporter, {"q": "weinig", "sort": "deadline"})
    with statements() as many:
        large = my_signals_page(colleague, {"q": "veel", "sort": "deadline"})

    assert (small.total, len(large.signals), large.total) == (3, 50, 60)
    assert len(few) == len(many) <= 3  # count, page (and the page's regulations)


# "Wacht op u" -----------------------------------------------------------------------------------


def test_the_navigation_counts_what_waits_for_the_person_on_every_page(
    submit: Callable[..., Signal],
    login: Login,
    reporter: User,
    manager: User,
    partner_reporter: User,
    intake_member: User,
) -> None:
    asked = [submit(reporter, f"Vraag {number}") for number in range(2)]
    for signal in asked:
        request_info(manager, signal.reference, {"message": "Om hoeveel mensen gaat het?"})
    submit(reporter, "Nog niets gevraagd")
    theirs = submit(partner_reporter, "Van het buurtteam")
    request_info(intake_member, theirs.reference, {"message": "Welke gemeente?"})

    assert awaiting_count(reporter) == 2
    assert awaiting_count(partner_reporter) == 1
    assert awaiting_count(manager) == 0
    session = login(reporter)
    for path in ("/routekaart", "/signalen/nieuw", "/account", f"/signalen/{asked[0].reference}"):
        page = session.get(path).text
        badge = re.search(r'<a id="nav-awaiting"[^>]*href="([^"]+)">(.*?)</a>', page)
        assert badge is not None, path
        assert badge.group(1) == "/signalen?status=awaiting_reporter"
        assert re.sub(r"<[^>]+>", "", badge.group(2)) == "Wacht op u 2 signalen"
    assert 'id="nav-awaiting"' not in login(manager).get("/inbox").text

    reply_to_question(reporter, asked[0].reference, {"message": "Om drie gezinnen."})
    assert "Wacht op u 1 signaal" in re.sub(r"<[^>]+>", "", session.get("/routekaart").text)


def test_the_list_marks_the_signals_that_wait_for_the_reporter(
    submit: Callable[..., Signal], login: Login, reporter: User, manager: User
) -> None:
    quiet = submit(reporter, "Nog niets gevraagd")
    asked = submit(reporter, "Vraag gesteld")
    request_info(manager, asked.reference, {"message": "Om hoeveel mensen gaat het?"})

    page = login(reporter).get("/signalen").text

    rows = re.findall(r"<tr( class=\"awaiting\")?>\s*<td[^>]*><a [^>]*>(KM-[\d-]+)</a>", page)
    assert rows == [(' class="awaiting"', asked.reference), ("", quiet.reference)]
    assert page.count("Wacht op u</strong>") == 1
    waiting = login(reporter).get("/signalen?status=awaiting_reporter")
    assert references_in(waiting.text) == [asked.reference]


def test_the_web_list_keeps_what_was_typed_and_refuses_a_bad_filter_in_dutch(
    submit: Callable[..., Signal], login: Login, reporter: User
) -> None:
    waiver = submit(reporter, "Kwijtschelding geweigerd")
    submit(reporter, "Inkomensgat")
    session = login(reporter)

    found = session.get("/signalen?q=kwijtschelding&status=open&sort=oldest")
    assert found.status_code == 200
    assert references_in(found.text) == [waiver.reference]
    assert 'value="kwijtschelding"' in found.text
    assert '<option value="open" selected>' in found.text
    assert '<option value="oldest" selected>' in found.text
    assert "1 signaal gevonden." in found.text

    nothing = session.get("/signalen?q=parkeervergunning")
    assert "Geen signalen gevonden." in nothing.text

    refused = session.get("/signalen?q=kwijtschelding&status=dicht")
    assert refused.status_code == 422
    assert "Onbekende keuze: dicht." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="kwijtschelding"' in refused.text


# Mijn account ---------------------------------------------------------------------------------


def test_my_account_shows_who_the_person_is_and_leads_to_password_and_api_keys(
    login: Login, make_user: MakeUser, manager: User
) -> None:
    member = make_user("member", manager=manager, groups=["intake", "casuistiek"], name="Lotte Lid")

    page = login(member).get("/account")

    assert page.status_code == 200
    facts = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text.split('id="account-facts"')[1]))
    for text in (
        "Lotte Lid",
        member.email,
        "Gemeente Teststad – Werk en Inkomen",
        "Lid van een overleg of team",
        "Marloes Teamleider",
        "Centrale intake",
    ):
        assert text in facts, text
    assert 'href="/wachtwoord"' in page.text and 'href="/api-sleutels"' in page.text
    navigation = page.text.split('aria-label="Hoofdmenu"')[1].split("</nav>")[0]
    assert 'href="/account" aria-current="page"' in navigation
    assert "API-sleutels" not in navigation and 'href="/wachtwoord"' not in navigation


def test_an_account_without_groups_says_so(login: Login, reporter: User) -> None:
    page = login(reporter).get("/account").text

    assert "Professional" in page
    assert "Geen: u bent geen lid van een overleg of team in de route." in page
