"""The triage inbox: owner scope, filters, counts, nearest-due-date order, pages, bulk accept."""

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, select

from signals.auth.models import User
from signals.clock import Clock
from signals.errors import InputInvalid
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.wording import dutch_number
from signals.workflow import inbox as inbox_module
from signals.workflow.access import shows_reporter
from signals.workflow.inbox import InboxPage, inbox_page, reporters_shown
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import (
    accept_signal,
    accept_signals,
    forward_signal,
    request_info,
    resolve_signal,
    submit_signal,
)
from tests.fixtures.app import START
from tests.helpers import RESOLUTION, Login, MakeUser, fresh, reporter_of, signal_by_reference
from tests.integration.test_web_signals import Page, references_in

NOT_FOUND = "Dit signaal bestaat niet of u heeft er geen toegang toe."


# Helpers -------------------------------------------------------------------------------------


def refs(page: InboxPage) -> list[str]:
    return [signal.reference for signal in page.signals]


def events_of(reference: str) -> list[tuple[str, int | None]]:
    db.session.expire_all()
    query = (
        select(SignalEvent)
        .join(Signal)
        .where(Signal.reference == reference)
        .order_by(SignalEvent.id)
    )
    return [(event.type, event.actor_id) for event in db.session.scalars(query)]


def mails_about(reference: str, kind: str) -> list[str]:
    db.session.expire_all()
    query = (
        select(OutboxMessage.recipient)
        .join(Signal, Signal.id == OutboxMessage.signal_id)
        .where(Signal.reference == reference, OutboxMessage.kind == kind)
    )
    return list(db.session.scalars(query))


@pytest.fixture
def triager(make_user: MakeUser) -> User:
    """A teamleider who is also a member of the doorbraakteam and intake groups."""
    return make_user("manager", groups=["doorbraakteam", "intake"], name="Tess Triage")


@pytest.fixture
def staff(make_user: MakeUser, triager: User) -> User:
    """Municipal staff whose line manager is ``triager``."""
    return make_user("professional", manager=triager, name="Sanne Staf")


@dataclass
class World:
    """Signals with different owners, statuses, nodes and codes (all created at START)."""

    by_name: dict[str, Signal]

    def ref(self, name: str) -> str:
        return self.by_name[name].reference

    def refs(self, *names: str) -> set[str]:
        return {self.ref(name) for name in names}


@pytest.fixture
def world(
    clock: Clock,
    triager: User,
    staff: User,
    partner_reporter: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> World:
    def submit(user: User, **changes: Any) -> Signal:
        return submit_signal(user, {**signal_data, **changes})

    signals = {
        # teamleider (triager), new
        "normal": submit(staff, title="Normaal", regulations=["participatiewet"]),
        # doorbraakteam (group of triager), new
        "acute": submit(
            staff, title="Acuut", urgency="acute", scope="individual", regulations=["toeslagen"]
        ),
        # intake (group of triager: the partner has no contact person), new
        "partner": submit(
            partner_reporter,
            title="Partner",
            scope="possibly_structural",
            regulations=["wgs", "participatiewet"],
        ),
        "accepted": submit(staff, title="Opgepakt", regulations=["awb"]),
        "awaiting": submit(staff, title="Wacht", regulations=["wmo"]),
        "resolved": submit(staff, title="Klaar", regulations=["participatiewet"]),
        # owned by someone else (the ``manager`` fixture), matches the same filters as "normal"
        "foreign": submit(reporter, title="Van een ander", regulations=["participatiewet"]),
    }
    accept_signal(triager, signals["accepted"].reference, {})
    request_info(triager, signals["awaiting"].reference, {"message": "Welke regeling precies?"})
    resolve_signal(triager, signals["resolved"].reference, RESOLUTION)
    return World({name: fresh(signal) for name, signal in signals.items()})


# Owner scope and counts ----------------------------------------------------------------------


def test_the_inbox_holds_only_what_the_user_owns_and_counts_exactly_that(
    world: World, triager: User, manager: User
) -> None:
    page = inbox_page(triager, {}, START)

    assert set(refs(page)) == world.refs("normal", "acute", "partner", "accepted", "awaiting")
    assert page.counts == counts(3, 1, 1, 1)
    assert page.next_cursor is None
    assert page.filters == {}

    other = inbox_page(manager, {}, START)
    assert refs(other) == [world.ref("foreign")]
    assert other.counts == counts(1, 0, 0, 0)


def test_an_administrator_sees_only_their_own_ownership(world: World, admin: User) -> None:
    page = inbox_page(admin, {}, START)

    assert refs(page) == []
    assert page.counts == counts(0, 0, 0, 0)


def test_group_members_see_group_signals_and_others_do_not(
    clock: Clock,
    make_user: MakeUser,
    partner_reporter: User,
    intake_member: User,
    signal_data: dict[str, Any],
) -> None:
    signal = submit_signal(partner_reporter, signal_data)
    beleid_member = make_user("member", groups=["beleid"], name="Bram Beleid")

    assert refs(inbox_page(intake_member, {}, START)) == [signal.reference]
    assert inbox_page(intake_member, {}, START).counts["new"] == 1
    outside = inbox_page(beleid_member, {}, START)
    assert refs(outside) == []
    assert sum(outside.counts.values()) == 0


# Order ---------------------------------------------------------------------------------------


def test_the_nearest_due_date_comes_first_and_ties_go_by_submission(
    clock: Clock,
    triager: User,
    staff: User,
    partner_reporter: User,
    signal_data: dict[str, Any],
) -> None:
    monday = START
    clock.set(monday)
    accepted = submit_signal(staff, {**signal_data, "title": "Eerst ingediend"})
    accept_signal(triager, accepted.reference, {})  # now due: feedback, 10 working days
    clock.set(monday + timedelta(hours=1))
    normal = submit_signal(staff, signal_data)  # teamleider: accept within 2 → Wednesday
    clock.set(monday + timedelta(days=1))
    partner = submit_signal(partner_reporter, signal_data)  # intake: 2 → Thursday
    clock.set(monday + timedelta(days=1, hours=1))
    acute = submit_signal(staff, {**signal_data, "urgency": "acute"})  # doorbraak: 1 → Wednesday

    page = inbox_page(triager, {}, clock.now())

    assert refs(page) == [normal.reference, acute.reference, partner.reference, accepted.reference]
    stored = {reference: signal_by_reference(reference) for reference in refs(page)}
    assert page.due[normal.reference] == stored[normal.reference].accept_due
    assert page.due[normal.reference] == page.due[acute.reference]  # the tie
    assert page.due[partner.reference] == stored[partner.reference].accept_due
    assert page.due[accepted.reference] == stored[accepted.reference].feedback_due
    normal_due, partner_due, accepted_due = (
        page.due[signal.reference] for signal in (normal, partner, accepted)
    )
    assert normal_due is not None and partner_due is not None and accepted_due is not None
    assert normal_due < partner_due
    assert partner_due < accepted_due
    assert normal_due.isoformat() == "2026-11-25T22:59:59+00:00"


# Filters -------------------------------------------------------------------------------------

OPEN = ("normal", "acute", "partner", "accepted", "awaiting")
# Wednesday noon: the acute signal's accept deadline (Tuesday) has passed, no other has.
WEDNESDAY_NOON = START + timedelta(days=2, hours=3)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, OPEN),
        ({"status": "new"}, ("normal", "acute", "partner")),
        ({"status": "in_progress"}, ("accepted",)),
        ({"status": "awaiting_reporter"}, ("awaiting",)),
        ({"status": "resolved"}, ("resolved",)),
        ({"node": "doorbraakteam"}, ("acute",)),
        ({"node": "teamleider"}, ("normal", "accepted", "awaiting")),
        ({"node": "intake"}, ("partner",)),
        ({"regulation": "participatiewet"}, ("normal", "partner")),
        ({"regulation": "participatiewet", "status": "resolved"}, ("resolved",)),
        ({"regulation": "wgs"}, ("partner",)),
        ({"regulation": "jeugdwet"}, ()),
        ({"urgency": "acute"}, ("acute",)),
        ({"urgency": "normal"}, ("normal", "partner", "accepted", "awaiting")),
        ({"scope": "possibly_structural"}, ("partner",)),
        ({"scope": "individual"}, ("acute",)),
        ({"reporter_kind": "partner"}, ("partner",)),
        ({"reporter_kind": "staff"}, ("normal", "acute", "accepted", "awaiting")),
        ({"overdue": "true"}, ("acute",)),
        ({"overdue": "false"}, ("normal", "partner", "accepted", "awaiting")),
        ({"node": "teamleider", "status": "new", "urgency": "normal"}, ("normal",)),
        ({"node": "", "urgency": " "}, OPEN),  # empty means not filtered
    ],
)
def test_each_filter_narrows_the_inbox(
    world: World,
    clock: Clock,
    triager: User,
    filters: dict[str, str],
    expected: tuple[str, ...],
) -> None:
    clock.set(WEDNESDAY_NOON)

    page = inbox_page(triager, filters, clock.now())

    assert set(refs(page)) == world.refs(*expected)
    assert world.ref("foreign") not in refs(page)
    assert page.overdue == world.refs("acute") & set(refs(page))


def counts(
    new: int, in_progress: int, awaiting: int, resolved: int, withdrawn: int = 0
) -> dict[str, int]:
    return {
        "new": new,
        "in_progress": in_progress,
        "awaiting_reporter": awaiting,
        "resolved": resolved,
        "withdrawn": withdrawn,
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, counts(3, 1, 1, 1)),
        # The status filter does not change the counts: they show where else to look.
        ({"status": "resolved"}, counts(3, 1, 1, 1)),
        ({"node": "teamleider"}, counts(1, 1, 1, 1)),
        ({"regulation": "participatiewet"}, counts(2, 0, 0, 1)),
        ({"reporter_kind": "partner"}, counts(1, 0, 0, 0)),
        ({"urgency": "acute"}, counts(1, 0, 0, 0)),
        ({"overdue": "true"}, counts(1, 0, 0, 0)),
        ({"overdue": "false"}, counts(2, 1, 1, 1)),
    ],
)
def test_counts_use_the_other_filters_and_never_include_someone_elses_signals(
    world: World,
    clock: Clock,
    triager: User,
    filters: dict[str, str],
    expected: dict[str, int],
) -> None:
    clock.set(WEDNESDAY_NOON)

    assert inbox_page(triager, filters, clock.now()).counts == expected


def test_a_signal_is_overdue_once_its_feedback_deadline_has_passed(
    world: World, triager: User
) -> None:
    accepted = world.by_name["accepted"]
    assert accepted.feedback_due is not None
    just_before = accepted.feedback_due - timedelta(seconds=1)
    just_after = accepted.feedback_due + timedelta(seconds=1)

    filters = {"status": "in_progress", "overdue": "true"}
    assert refs(inbox_page(triager, filters, just_before)) == []
    late = inbox_page(triager, filters, just_after)
    assert refs(late) == [accepted.reference]
    assert late.overdue == {accepted.reference}
    # A resolved signal is never overdue, whatever its old deadlines say.
    assert refs(inbox_page(triager, {"status": "resolved", "overdue": "true"}, just_after)) == []


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"status": "lost"}, "status", "Onbekende keuze: lost."),
        ({"node": "nergens"}, "node", "Onbekende keuze: nergens."),
        ({"regulation": "belastingwet"}, "regulation", "Onbekende keuze: belastingwet."),
        ({"urgency": "extreem"}, "urgency", "Onbekende keuze: extreem."),
        ({"scope": "heel_groot"}, "scope", "Onbekende keuze: heel_groot."),
        ({"reporter_kind": "burger"}, "reporter_kind", "Onbekende keuze: burger."),
        ({"overdue": "misschien"}, "overdue", "Kies ja of nee."),
    ],
)
def test_an_unknown_filter_value_is_refused_in_dutch(
    clock: Clock, triager: User, filters: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InputInvalid) as refused:
        inbox_page(triager, filters, START)
    assert refused.value.fields == {field: [message]}


# Pages ---------------------------------------------------------------------------------------


def walk(user: User, filters: dict[str, str], limit: int) -> Iterator[InboxPage]:
    """Every page from the first on, following ``next_cursor`` (at most 20 pages)."""
    page = inbox_page(user, filters, START, limit=limit)
    yield page
    for _ in range(20):
        if page.next_cursor is None:
            return
        page = inbox_page(user, {**filters, "cursor": page.next_cursor}, START, limit=limit)
        yield page
    raise AssertionError("the pages do not end")


def test_keyset_pages_walk_every_signal_once_in_order(
    clock: Clock,
    triager: User,
    staff: User,
    partner_reporter: User,
    reporter: User,
    signal_data: dict[str, Any],
) -> None:
    # Three on the same deadline (a tie to break by id), one earlier, two later.
    created = [submit_signal(staff, signal_data) for _ in range(3)]
    created.append(submit_signal(staff, {**signal_data, "urgency": "acute"}))
    clock.set(START + timedelta(days=1))
    created += [submit_signal(partner_reporter, signal_data) for _ in range(2)]
    submit_signal(reporter, signal_data)  # someone else's
    everything = refs(inbox_page(triager, {}, START))
    assert sorted(everything) == sorted(signal.reference for signal in created)
    assert everything[0] == created[3].reference  # the acute one falls due first

    pages = list(walk(triager, {}, limit=2))

    assert [len(page.signals) for page in pages] == [2, 2, 2]
    assert [ref for page in pages for ref in refs(page)] == everything
    assert pages[-1].next_cursor is None
    for page in pages[:-1]:
        assert page.next_cursor is not None
        assert set(page.next_cursor) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        assert page.counts == counts(6, 0, 0, 0)

    # The same walk with a filter keeps to the filter.
    filtered = list(walk(triager, {"node": "teamleider"}, limit=2))
    assert [ref for page in filtered for ref in refs(page)] == [
        signal.reference for signal in created[:3]
    ]
    assert [len(page.signals) for page in filtered] == [2, 1]


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# Well-formed but made up: ids beyond what a key holds, moments at the ends of the calendar.
CRAFTED_CURSORS = [
    b64("2026-11-25T22:59:59+00:00|2147483648"),
    b64("2026-11-25T22:59:59+00:00|99999999999999999999999999"),
    b64("2026-11-25T22:59:59+00:00|\u0661\u0662"),  # digits, but not ASCII ones
    b64("0001-01-01T00:00:00+23:59|5"),
    b64("0001-01-01T00:00:00-23:59|5"),
    b64("9999-12-31T23:59:59-23:59|5"),
    b64("9999-12-31T23:59:59+23:59|5"),
    b64("1000-01-01T00:00:00+00:00|5"),
]


@pytest.mark.parametrize(
    "cursor",
    [
        "niet-base64!",
        "%%%",
        b64("zonder scheidingsteken"),
        b64("2026-11-25T22:59:59+00:00|abc"),
        b64("2026-11-25T22:59:59+00:00|0"),
        b64("2026-11-25T22:59:59|5"),  # no time zone
        b64("gisteren|5"),
        b64("2026-11-25T22:59:59+00:00|5|6"),
        base64.urlsafe_b64encode(b"\xff\xfe|5").decode(),
        *CRAFTED_CURSORS,
    ],
)
def test_a_malformed_cursor_is_refused(clock: Clock, triager: User, cursor: str) -> None:
    with pytest.raises(InputInvalid) as refused:
        inbox_page(triager, {"cursor": cursor}, START)
    assert refused.value.fields == {"cursor": ["Ongeldige paginaverwijzing."]}


# Efficiency ----------------------------------------------------------------------------------


def test_counts_stop_at_the_cap_summed_over_every_way_of_owning(
    world: World, triager: User
) -> None:
    # The triager's three new signals sit in three branches (person, doorbraakteam, intake).
    capped = inbox_page(triager, {}, START, count_cap=2)
    assert capped.counts == counts(2, 1, 1, 1)
    assert capped.counts_over_cap == {"new"}

    exact = inbox_page(triager, {}, START, count_cap=3)
    assert exact.counts == counts(3, 1, 1, 1)
    assert exact.counts_over_cap == frozenset()

    filtered = inbox_page(triager, {"regulation": "participatiewet"}, START, count_cap=1)
    assert filtered.counts == counts(1, 0, 0, 1)
    assert filtered.counts_over_cap == {"new"}


def test_the_web_inbox_says_more_than_the_cap_in_dutch_numbers(
    world: World, login: Login, triager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_module, "COUNT_CAP", 2)
    page = Page(login(triager).get("/inbox").text)
    assert page.text("count-new") == "Nieuw: meer dan 2"
    assert page.text("count-resolved") == "Afgehandeld: 1"


def test_numbers_are_grouped_by_thousands_with_a_dot() -> None:
    assert [dutch_number(n) for n in (7, 1000, 1234567)] == ["7", "1.000", "1.234.567"]


@pytest.mark.parametrize("signals", [1, 6])
def test_a_page_and_its_counts_take_two_queries_whatever_the_number_of_signals(
    clock: Clock, triager: User, staff: User, signal_data: dict[str, Any], signals: int
) -> None:
    for _ in range(signals):
        submit_signal(staff, signal_data)
    db.session.expire_all()
    assert triager.groups  # load the user before counting
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = inbox_page(triager, {}, START)
        # Everything the inbox template shows of a signal:
        shown = [
            (
                s.reference,
                s.title,
                s.node,
                s.status,
                s.urgency,
                reporter_of(s).name,
            )
            + (s.organisation.name, page.due[s.reference])
            for s in page.signals
        ]
        reporters_shown(triager, page.signals)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert len(shown) == signals
    assert len(statements) == 2, statements


# Reporter shown or hidden --------------------------------------------------------------------


def test_the_reporter_is_hidden_at_a_node_that_does_not_show_reporters(
    clock: Clock,
    login: Login,
    make_user: MakeUser,
    reporter: User,
    manager: User,
    partner_reporter: User,
    signal_data: dict[str, Any],
) -> None:
    staff_signal = submit_signal(reporter, {**signal_data, "title": "Via de teamleider"})
    forward_signal(manager, staff_signal.reference, {"to": "beleid"})
    # A member of intake and beleid forwards a partner signal from intake (where the
    # reporter is shown) to beleid: having owned it at intake, they still see the reporter.
    member = make_user("member", groups=["intake", "beleid"], name="Bram Beleid")
    partner_signal = submit_signal(partner_reporter, {**signal_data, "title": "Via intake"})
    forward_signal(member, partner_signal.reference, {"to": "beleid"})

    page = login(member).get("/inbox?node=beleid")

    assert page.status_code == 200
    html = Page(page.text)
    assert set(references_in(page.text)) == {staff_signal.reference, partner_signal.reference}
    assert html.text(f"row-{staff_signal.reference}").endswith("afgeschermd")
    assert reporter.name not in page.text
    partner_row = html.text(f"row-{partner_signal.reference}")
    assert "Fatima Buurtteam" in partner_row and "Buurtteam Teststad" in partner_row
    assert "afgeschermd" not in partner_row
    # The inbox's one-query rule agrees with the per-signal access rule.
    signals = inbox_page(member, {}, START).signals
    assert reporters_shown(member, signals) == {
        signal.reference for signal in signals if shows_reporter(member, signal)
    }
    assert reporters_shown(member, signals) == {partner_signal.reference}
    # The teamleider no longer owns the forwarded signal.
    assert references_in(login(manager).get("/inbox").text) == []


# The web page --------------------------------------------------------------------------------


def test_the_web_inbox_shows_filters_counts_and_late_signals(
    world: World, clock: Clock, login: Login, triager: User
) -> None:
    clock.set(WEDNESDAY_NOON)

    response = login(triager).get("/inbox")

    assert response.status_code == 200
    page = Page(response.text)
    for name, label in [
        ("status", "Status"),
        ("node", "Ligt bij"),
        ("regulation", "Regeling"),
        ("urgency", "Urgentie"),
        ("scope", "Omvang"),
        ("reporter_kind", "Melder"),
        ("overdue", "Termijn"),
    ]:
        assert f'<label for="{name}">{label}</label>' in response.text
        assert page.selected[name] == []
    assert '<button type="submit" class="button">Filter</button>' in response.text
    assert '<a href="/inbox">Wis filters</a>' in response.text
    assert page.text("count-new") == "Nieuw: 3"
    assert page.text("count-in_progress") == "In behandeling: 1"
    assert page.text("count-awaiting_reporter") == "Wacht op melder: 1"
    assert page.text("count-resolved") == "Afgehandeld: 1"
    assert 'href="/inbox?status=resolved"' in response.text
    assert "te laat" in page.text(f"row-{world.ref('acute')}")
    assert "te laat" not in page.text(f"row-{world.ref('normal')}")
    assert "24 november 2026" in page.text(f"row-{world.ref('acute')}")
    assert "Stedelijk Doorbraakteam" in page.text(f"row-{world.ref('acute')}")
    assert "Sanne Staf" in page.text(f"row-{world.ref('normal')}")
    assert world.ref("foreign") not in response.text
    # Only new signals can be selected for the bulk action.
    boxes = {attrs.get("value") for attrs in page.inputs if attrs.get("name") == "references"}
    assert boxes == world.refs("normal", "acute", "partner")
    assert "Geselecteerde in behandeling nemen" in response.text
    assert "Volgende pagina" not in response.text


def test_the_web_inbox_keeps_filters_in_its_links_and_selects(
    world: World, clock: Clock, login: Login, triager: User
) -> None:
    response = login(triager).get("/inbox?node=teamleider&overdue=false&urgency=")

    assert response.status_code == 200
    page = Page(response.text)
    assert page.selected["node"] == ["teamleider"]
    assert page.selected["overdue"] == ["false"]
    assert set(references_in(response.text)) == world.refs("normal", "accepted", "awaiting")
    assert 'href="/inbox?node=teamleider&amp;overdue=false&amp;status=new"' in response.text


def test_the_next_page_link_carries_the_cursor_and_the_filters(
    clock: Clock, login: Login, triager: User, staff: User, signal_data: dict[str, Any]
) -> None:
    created = [submit_signal(staff, signal_data).reference for _ in range(52)]
    session = login(triager)

    first = session.get("/inbox?urgency=normal")

    assert first.status_code == 200
    assert references_in(first.text) == created[:50]
    html = Page(first.text)
    assert html.text("count-new") == "Nieuw: 52"
    link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert link.startswith("/inbox?urgency=normal&amp;cursor=")
    second = session.get(link.replace("&amp;", "&"))
    assert second.status_code == 200
    assert references_in(second.text) == created[50:]
    assert "Volgende pagina" not in second.text
    assert "Eerste pagina" in second.text


@pytest.mark.parametrize("cursor", CRAFTED_CURSORS)
def test_a_crafted_cursor_on_the_web_is_a_422_not_a_server_error(
    world: World, login: Login, triager: User, cursor: str
) -> None:
    response = login(triager).get(f"/inbox?{urlencode({'cursor': cursor})}")

    assert response.status_code == 422
    assert Page(response.text).text("cursor-error") == "Ongeldige paginaverwijzing."


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("urgency=extreem", "urgency", "Onbekende keuze: extreem."),
        ("node=nergens", "node", "Onbekende keuze: nergens."),
        ("overdue=misschien", "overdue", "Kies ja of nee."),
        ("cursor=rommel", "cursor", "Ongeldige paginaverwijzing."),
    ],
)
def test_an_invalid_filter_on_the_web_is_a_422_with_a_dutch_message(
    world: World, login: Login, triager: User, query: str, field: str, message: str
) -> None:
    response = login(triager).get(f"/inbox?{query}")

    assert response.status_code == 422
    page = Page(response.text)
    assert page.error_ids() == {f"{field}-error"}
    assert page.text(f"{field}-error") == message
    assert f'href="#{field}"' in response.text
    assert references_in(response.text) == []


# Bulk accept ---------------------------------------------------------------------------------


def test_bulk_accept_accepts_the_selected_new_signals_and_reports_refusals(
    world: World, login: Login, triager: User, staff: User, partner_reporter: User
) -> None:
    session = login(triager)
    foreign_before = (
        signal_by_reference(world.ref("foreign")).status,
        events_of(world.ref("foreign")),
    )
    chosen = [
        world.ref("normal"),
        world.ref("foreign"),
        world.ref("partner"),
        world.ref("accepted"),
    ]

    response = session.post("/inbox/accepteren", {"references": chosen})

    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"
    for name, reporter in (("normal", staff), ("partner", partner_reporter)):
        reference = world.ref(name)
        assert signal_by_reference(reference).status == "in_progress"
        assert events_of(reference)[-1] == ("accepted", triager.id)
        assert mails_about(reference, "accepted") == [reporter.email]
    assert (
        signal_by_reference(world.ref("foreign")).status,
        events_of(world.ref("foreign")),
    ) == foreign_before
    assert mails_about(world.ref("foreign"), "accepted") == []
    assert signal_by_reference(world.ref("acute")).status == "new"  # not selected
    assert [kind for kind, _actor in events_of(world.ref("accepted"))].count("accepted") == 1

    page = session.get("/inbox")
    assert "2 signalen in behandeling genomen." in page.text
    assert f"{world.ref('foreign')}: {NOT_FOUND}" in page.text
    assert f"{world.ref('accepted')}: Dit signaal is al in behandeling." in page.text
    assert Page(page.text).text("count-new") == "Nieuw: 1"


def test_bulk_accept_without_a_selection_changes_nothing(
    world: World, login: Login, triager: User
) -> None:
    session = login(triager)

    response = session.post("/inbox/accepteren", {})

    assert response.status_code == 302
    assert "Selecteer eerst de signalen" in session.get("/inbox").text
    assert signal_by_reference(world.ref("normal")).status == "new"


def test_bulk_accept_is_not_for_people_without_an_inbox(
    world: World, login: Login, staff: User
) -> None:
    response = login(staff).post("/inbox/accepteren", {"references": [world.ref("normal")]})

    assert response.status_code == 403
    assert signal_by_reference(world.ref("normal")).status == "new"


def test_accept_signals_keeps_each_acceptance_when_another_is_refused(
    world: World, triager: User
) -> None:
    result = accept_signals(
        triager,
        [world.ref("acute"), "KM-2026-999999", world.ref("acute"), world.ref("resolved")],
    )

    assert result.accepted == [world.ref("acute")]
    assert result.refused == {
        "KM-2026-999999": NOT_FOUND,
        world.ref("resolved"): "Dit signaal is al afgehandeld.",
    }
    assert signal_by_reference(world.ref("acute")).status == "in_progress"
    assert signal_by_reference(world.ref("resolved")).status == "resolved"
