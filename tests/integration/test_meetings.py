"""A casuïstiek table meets: planned, an agenda (one item proposed by its reporter), held with
conclusions that forward, resolve and link, and action items the scheduler runs like clocks."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.meetings.models import ActionItem, AgendaItem, Meeting, MeetingEvent
from signals.meetings.sweep import reminder_moment
from signals.notifications.delivery import deliver_pending
from signals.notifications.models import OutboxMessage
from signals.scheduler.jobs import sweep
from signals.workflow.models import SignalEvent
from tests.fixtures.app import START
from tests.fixtures.people import VALID_SIGNAL
from tests.fixtures.smtp import SmtpServer
from tests.helpers import Api, MakeUser, signal_by_reference

CONCLUSIONS = {
    "forward": "De tafel ziet een patroon: beleid moet de werkinstructie aanpassen.",
    "resolve": "Met maatwerk opgelost; de voorschotregeling is voor deze inwoner toegepast.",
    "link": "Dit hoort bij de kwestie over het inkomensgat; daar volgt het besluit.",
}
MEETING_AT = START + timedelta(days=7)  # Monday 30 November 2026, 10:00 local
NEXT_MEETING_AT = START + timedelta(days=35)
DUE = date(2026, 12, 11)  # a Friday
FEEDBACK_ON = date(2026, 12, 21)  # a Monday


def mails_to(user: User, *kinds: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == user.email)
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def events(reference: str, event_type: str) -> list[SignalEvent]:
    signal = signal_by_reference(reference)
    query = select(SignalEvent).where(
        SignalEvent.signal_id == signal.id, SignalEvent.type == event_type
    )
    return list(db.session.scalars(query))


def meeting_events(event_type: str) -> int:
    query = select(func.count()).select_from(MeetingEvent).where(MeetingEvent.type == event_type)
    return db.session.scalar(query) or 0


class Table:
    """Three signals at the casuïstiek table, one kwestie, and the people around them."""

    def __init__(self, api: Api, make_user: MakeUser) -> None:
        self.api = api
        self.manager = make_user("manager", name="Marloes Teamleider")
        self.chair = make_user("member", groups=["casuistiek", "beleid"], name="Tara Tafel")
        self.member = make_user("member", groups=["casuistiek"], name="Kees Tafel")
        self.reporters = [
            make_user("professional", manager=self.manager, name=f"Melder {n}") for n in (1, 2, 3)
        ]
        self.references = [
            self._at_the_table(reporter, n) for n, reporter in enumerate(self.reporters)
        ]
        created = api(self.chair).post(
            "/kwesties", {"title": "Inkomensgat bij werkaanvaarding", "node": "beleid"}
        )
        assert created.status_code == 201, created.get_json()
        self.kwestie = created.get_json()["id"]

    def _at_the_table(self, reporter: User, number: int) -> str:
        body = {**VALID_SIGNAL, "title": f"{VALID_SIGNAL['title']} ({number})"}
        submitted = self.api(reporter).post("/signals", body)
        assert submitted.status_code == 201, submitted.get_json()
        reference: str = submitted.get_json()["reference"]
        lead = self.api(self.manager)
        assert lead.act(reference, "accept").status_code == 200
        assert lead.act(reference, "forward", to="casuistiek").status_code == 200
        assert self.api(self.chair).act(reference, "accept").status_code == 200
        return reference

    def plan(self, starts_at: datetime = MEETING_AT, title: str = "Casuïstiektafel") -> int:
        planned = self.api(self.chair).post(
            "/meetings",
            {
                "node": "casuistiek",
                "kind": "casuistiek",
                "title": title,
                "starts_at": starts_at.isoformat(),
            },
        )
        assert planned.status_code == 201, planned.get_json()
        meeting_id: int = planned.get_json()["id"]
        return meeting_id


@pytest.fixture
def table(api: Api, make_user: MakeUser, clock: Clock) -> Table:
    return Table(api, make_user)


def agenda_with_a_proposal(table: Table, meeting: int) -> None:
    first, second, third = table.references
    chair = table.api(table.chair)
    for reference in (first, third):
        added = chair.post(f"/meetings/{meeting}/agenda", {"signal": reference})
        assert (added.status_code, added.get_json()["status"]) == (201, "agendered")
    proposed = table.api(table.reporters[1]).post(
        f"/meetings/{meeting}/agenda", {"signal": second, "note": "Graag bespreken."}
    )
    assert (proposed.status_code, proposed.get_json()["status"]) == (201, "proposed")
    decided = chair.post(
        f"/meetings/{meeting}/agenda/{proposed.get_json()['id']}/decision", {"decision": "accept"}
    )
    assert (decided.status_code, decided.get_json()["status"]) == (200, "agendered"), (
        decided.get_json()
    )


def conclusions(table: Table) -> list[dict[str, Any]]:
    first, second, third = table.references
    return [
        {
            "signal": first,
            "message": CONCLUSIONS["forward"],
            "then": {"action": "forward", "to": "beleid"},
        },
        {
            "signal": second,
            "message": CONCLUSIONS["resolve"],
            "then": {
                "action": "resolve",
                "outcome": "solved_individually",
                "rationale": "Maatwerk via de hardheidsclausule.",
            },
        },
        {
            "signal": third,
            "message": CONCLUSIONS["link"],
            "then": {"action": "link", "kwestie": table.kwestie},
        },
    ]


def test_a_table_meets_concludes_and_its_action_items_come_back(table: Table) -> None:
    meeting = table.plan()
    agenda_with_a_proposal(table, meeting)
    first, second, third = table.references

    # On the agenda: each reporter hears when it will be discussed, once.
    for reporter, reference in zip(table.reporters, table.references, strict=True):
        assert len(mails_to(reporter, "meeting_agendered")) == 1
        assert len(events(reference, "agendered")) == 1
    assert len(mails_to(table.chair, "meeting_proposal")) == 1
    assert len(mails_to(table.reporters[1], "meeting_proposal_decided")) == 1

    chair = table.api(table.chair)
    held = chair.post(
        f"/meetings/{meeting}/minutes",
        {"minutes": "Drie casussen besproken; één patroon.", "conclusions": conclusions(table)},
    )
    assert held.status_code == 200, held.get_json()
    assert held.get_json()["status"] == "held"
    assert [item["conclusion"] for item in held.get_json()["agenda"]] == [
        CONCLUSIONS["forward"],
        CONCLUSIONS["link"],
        CONCLUSIONS["resolve"],
    ]

    # Each reporter gets the conclusion in exactly one e-mail, and it counts as feedback.
    for reporter, kind in zip(table.reporters, CONCLUSIONS, strict=True):
        with_conclusion = [m for m in mails_to(reporter) if CONCLUSIONS[kind] in m.body_text]
        assert len(with_conclusion) == 1, (kind, [m.kind for m in mails_to(reporter)])
    for reference in table.references:
        assert len(events(reference, "discussed")) == 1
    forwarded, resolved, linked = (signal_by_reference(r) for r in table.references)
    assert (forwarded.node, forwarded.status) == ("beleid", "new")
    assert resolved.status == "resolved" and resolved.outcome == "solved_individually"
    assert linked.kwestie_id == table.kwestie and linked.feedback_sent_at is not None

    # Two action items, and a next meeting to come back to.
    for owner in (table.member.email, "beleid"):
        added = chair.post(
            f"/meetings/{meeting}/action_items",
            {
                "description": f"Werkinstructie voorschot herzien ({owner})",
                "owner": owner,
                "due": DUE.isoformat(),
                "feedback_on": FEEDBACK_ON.isoformat(),
                "signal": third,
            },
        )
        assert added.status_code == 201, added.get_json()
    next_meeting = table.plan(NEXT_MEETING_AT, "Casuïstiektafel januari")
    assert len(mails_to(table.member, "action_item_new")) == 1

    # Past the due date: one overdue per item, however often the scheduler runs.
    for moment in (
        datetime(2026, 12, 14, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 15, 9, 0, tzinfo=UTC),
    ):
        sweep(moment)
    db.session.expire_all()
    assert meeting_events("action_item_reminder") == 0  # the first sweep came after the due date
    assert meeting_events("action_item_overdue") == 2
    assert len(mails_to(table.member, "action_item_overdue")) == 1
    assert all(item.overdue_at is not None for item in db.session.scalars(select(ActionItem)))

    # At the terugkoppelmoment: asked to report back, and on the next meeting's agenda.
    sweep(datetime(2026, 12, 21, 7, 30, tzinfo=UTC))  # 8:30 local
    sweep(datetime(2026, 12, 22, 7, 30, tzinfo=UTC))
    db.session.expire_all()
    assert meeting_events("action_item_feedback_asked") == 2
    back = db.session.scalars(
        select(AgendaItem).where(
            AgendaItem.meeting_id == next_meeting, AgendaItem.action_item_id.is_not(None)
        )
    ).all()
    assert len(back) == 2
    assert len(mails_to(table.chair, "action_item_feedback")) == 2  # chairs both meetings' items
    assert all(item.next_work_at is None for item in db.session.scalars(select(ActionItem)))

    # Done: the linked reporter is told.
    item = db.session.scalars(select(ActionItem).order_by(ActionItem.id)).first()
    assert item is not None
    done = table.api(table.member).post(f"/action_items/{item.id}/done", {"note": "Herzien."})
    assert (done.status_code, done.get_json()["status"]) == (200, "done")
    assert len(mails_to(table.reporters[2], "action_item_done")) == 1


def test_a_conclusion_that_cannot_be_carried_out_records_nothing(table: Table) -> None:
    meeting = table.plan()
    agenda_with_a_proposal(table, meeting)
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    wrong = conclusions(table)
    wrong[2]["then"] = {"action": "forward", "to": "landelijk"}  # no edge from casuistiek

    answer = table.api(table.chair).post(
        f"/meetings/{meeting}/minutes", {"minutes": "Verslag.", "conclusions": wrong}
    )

    assert answer.status_code == 422, answer.get_json()
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting)
    assert stored is not None and stored.status == "planned" and stored.minutes is None
    assert signal_by_reference(table.references[0]).node == "casuistiek"
    assert signal_by_reference(table.references[1]).status == "in_progress"
    assert all(not events(reference, "discussed") for reference in table.references)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_who_sees_and_who_acts(table: Table, make_user: MakeUser) -> None:
    meeting = table.plan()
    reporter, outsider = table.reporters[0], make_user("professional", name="Olaf Ander")

    assert table.api(table.member).get(f"/meetings/{meeting}").status_code == 200
    assert table.api(reporter).get(f"/meetings/{meeting}").status_code == 404
    assert table.api(reporter).get("/meetings").get_json()["items"] == []
    # Only the owners of a node plan its meetings.
    refused = table.api(reporter).post(
        "/meetings",
        {
            "node": "casuistiek",
            "kind": "casuistiek",
            "title": "X",
            "starts_at": MEETING_AT.isoformat(),
        },
    )
    assert refused.status_code == 422 and "node" in refused.get_json()["error"]["fields"]
    # Someone who cannot see the signal cannot propose it; a reporter cannot hold the meeting.
    hidden = table.api(outsider).post(
        f"/meetings/{meeting}/agenda", {"signal": table.references[0]}
    )
    assert hidden.status_code == 422 and "signal" in hidden.get_json()["error"]["fields"]
    minutes = table.api(reporter).post(f"/meetings/{meeting}/minutes", {"minutes": "X"})
    assert minutes.status_code == 404  # a meeting they may not see is not there


def test_bad_input_gets_dutch_messages_per_field(table: Table) -> None:
    chair = table.api(table.chair)
    bad = chair.post("/meetings", {"node": "casuistiek", "kind": "praatje", "starts_at": "morgen"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"kind", "title", "starts_at"}
    meeting = table.plan()
    item = chair.post(
        f"/meetings/{meeting}/action_items",
        {
            "description": "Iets",
            "owner": "niemand@gemeente.test",
            "due": "2026-12-11",
            "feedback_on": "2026-12-01",
        },
    )
    assert item.status_code == 422
    assert set(item.get_json()["error"]["fields"]) == {"feedback_on"}
    unknown = chair.post(
        f"/meetings/{meeting}/action_items",
        {
            "description": "Iets",
            "owner": "niemand@gemeente.test",
            "due": "2026-12-11",
            "feedback_on": "2026-12-14",
        },
    )
    assert unknown.status_code == 422 and unknown.get_json()["error"]["fields"] == {
        "owner": ["Er is geen actieve gebruiker met dit e-mailadres."]
    }


def test_an_action_item_is_reminded_once_before_it_is_due_and_never_after(table: Table) -> None:
    meeting = table.plan()
    added = table.api(table.chair).post(
        f"/meetings/{meeting}/action_items",
        {
            "description": "Navragen bij de Belastingdienst",
            "owner": table.member.email,
            "due": DUE.isoformat(),
            "feedback_on": FEEDBACK_ON.isoformat(),
        },
    )
    assert added.status_code == 201, added.get_json()
    item = db.session.get(ActionItem, added.get_json()["id"])
    assert item is not None
    remind_at = reminder_moment(item)
    assert remind_at.date() < DUE

    sweep(remind_at - timedelta(minutes=1))
    assert meeting_events("action_item_reminder") == 0
    sweep(remind_at)
    sweep(remind_at + timedelta(days=1))
    assert meeting_events("action_item_reminder") == 1
    assert len(mails_to(table.member, "action_item_reminder")) == 1
    sweep(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    assert (meeting_events("action_item_reminder"), meeting_events("action_item_overdue")) == (1, 1)


def test_a_leerdialoog_on_a_finished_case_with_its_roles_timeline_and_preparation(
    table: Table, make_user: MakeUser
) -> None:
    chair = table.api(table.chair)
    case, still_open = table.references[0], table.references[1]
    resolved = chair.act(
        case,
        "resolve",
        outcome="solved_individually",
        rationale="Maatwerk.",
        message="Opgelost.",
    )
    assert resolved.status_code == 200, resolved.get_json()
    starts_at = START + timedelta(days=14)
    plan = {"node": "casuistiek", "kind": "leerdialoog", "title": "Leerdialoog voorschot"}
    without = chair.post("/meetings", {**plan, "starts_at": starts_at.isoformat()})
    assert without.get_json()["error"]["fields"] == {
        "case": ["Kies de afgeronde casus waarover de leerdialoog gaat."]
    }
    not_finished = chair.post(
        "/meetings", {**plan, "starts_at": starts_at.isoformat(), "case": still_open}
    )
    assert "afgeronde casus" in not_finished.get_json()["error"]["fields"]["case"][0]
    planned = chair.post("/meetings", {**plan, "starts_at": starts_at.isoformat(), "case": case})
    assert planned.status_code == 201, planned.get_json()
    meeting = planned.get_json()["id"]
    assert planned.get_json()["case"] == case

    involved_reporter = table.reporters[0]
    outsider = make_user("professional", name="Nina Buitenstaander")
    notulist = make_user("member", groups=["casuistiek"], name="Nora Notulist")

    def roles(*given: tuple[User, str]) -> Any:
        body = {"roles": [{"person": p.email, "role": r} for p, r in given]}
        return chair.post(f"/meetings/{meeting}/leerdialoog/roles", body)

    a_lead_brings_the_case = roles(
        (table.manager, "casusinbrenger"),
        (table.member, "gespreksleider"),
        (outsider, "verdiepingspanel"),
        (notulist, "notulist"),
    )
    assert a_lead_brings_the_case.status_code == 422
    assert a_lead_brings_the_case.get_json()["error"]["fields"] == {
        "roles.0.person": [
            "De casusinbrenger is de professional die het langst en het meest bij de casus "
            "betrokken was, nooit een teamleider."
        ]
    }
    only_insiders = roles(
        (involved_reporter, "casusinbrenger"),
        (table.member, "gespreksleider"),
        (table.manager, "verdiepingspanel"),
        (notulist, "notulist"),
    )
    assert only_insiders.status_code == 422
    assert "niet-betrokken" in only_insiders.get_json()["error"]["fields"]["roles"][0]

    given = roles(
        (involved_reporter, "casusinbrenger"),
        (table.member, "gespreksleider"),
        (outsider, "verdiepingspanel"),
        (table.manager, "verdiepingspanel"),
        (notulist, "notulist"),
        (table.chair, "organisator"),
    )
    assert given.status_code == 200, given.get_json()
    assert [role["role"] for role in given.get_json()["roles"]][:2] == [
        "casusinbrenger",
        "gespreksleider",
    ]
    assert any("drie maanden" in warning for warning in given.get_json()["warnings"])

    # The casusinbrenger, a reporter, now sees the leerdialoog and fills in the timeline.
    timeline = table.api(involved_reporter).post(
        f"/meetings/{meeting}/leerdialoog/timeline",
        {
            "entries": [
                {"date": "2026-10-02", "event": "Uitkering stopt", "parties": "Inkomen"},
                {"date": "2026-09-14", "event": "Eerste loon later", "parties": "Werkgever"},
            ]
        },
    )
    assert timeline.status_code == 200, timeline.get_json()
    assert [entry["date"] for entry in timeline.get_json()["timeline"]] == [
        "2026-09-14",
        "2026-10-02",
    ]
    assert (
        table.api(outsider)
        .post(f"/meetings/{meeting}/leerdialoog/timeline", {"entries": []})
        .status_code
        == 403
    )

    # A week before, each role holder gets their instructions, once.
    week_before = starts_at - timedelta(days=7)
    sweep(week_before - timedelta(hours=1))
    assert mails_to(outsider, "meeting_preparation") == []
    sweep(week_before + timedelta(hours=1))
    sweep(week_before + timedelta(days=1))
    for person in (involved_reporter, table.member, outsider, table.manager, notulist, table.chair):
        assert len(mails_to(person, "meeting_preparation")) == 1, person.name
    assert "tijdlijn" in mails_to(involved_reporter, "meeting_preparation")[0].body_text

    record = {
        "minutes": "Leerdialoog gehouden.",
        "dominant_views": "Regels eerst.",
        "values": "Rechtmatigheid tegenover menselijke maat.",
        "crucial_moments": "2 oktober: de uitkering stopte.",
        "lessons": "Eerder samen met de inwoner praten.",
    }
    held = chair.post(f"/meetings/{meeting}/minutes", record)
    assert held.status_code == 200, held.get_json()
    assert held.get_json()["record"] == {k: v for k, v in record.items() if k != "minutes"}
    # The participants read the record; who takes no part does not see the leerdialoog.
    assert table.api(outsider).get(f"/meetings/{meeting}").get_json()["record"]["lessons"]
    assert table.api(table.reporters[2]).get(f"/meetings/{meeting}").status_code == 404


def test_roles_belong_to_a_leerdialoog(table: Table) -> None:
    meeting = table.plan()
    body = {"roles": [{"person": table.member.email, "role": "notulist"}]}
    refused = table.api(table.chair).post(f"/meetings/{meeting}/leerdialoog/roles", body)
    assert refused.status_code == 409


def test_the_table_gets_an_invitation_for_its_calendar_over_smtp(
    table: Table, smtp_server: SmtpServer, clock: Clock
) -> None:
    meeting = table.plan(title="Casuïstiektafel met uitnodiging")
    deliver_pending(clock.now())

    for person in (table.chair, table.member):
        received = [
            m
            for m in smtp_server.by_recipient(person.email)
            if m["Subject"].startswith("Uitnodiging")
        ]
        assert len(received) == 1, person.name
        assert received[0]["Subject"] == (
            "Uitnodiging: Casuïstiektafel met uitnodiging op 30 november 2026"
        )
        attachments = list(received[0].iter_attachments())
        assert [a.get_filename() for a in attachments] == ["uitnodiging.ics"]
        assert attachments[0].get_content_type() == "text/calendar"
        assert attachments[0].get_param("method") == "REQUEST"
        payload = attachments[0].get_payload(decode=True)
        assert isinstance(payload, bytes)
        calendar = Calendar.from_ical(payload)
        event = next(iter(calendar.walk("VEVENT")))
        assert event.decoded("dtstart") == MEETING_AT
        assert event.decoded("dtend") == MEETING_AT + timedelta(hours=1)
        assert str(event["summary"]) == "Casuïstiektafel met uitnodiging"
        assert str(event["uid"]).startswith(f"overleg-{meeting}@")
        assert str(event["organizer"]) == f"mailto:{table.chair.email}"
    to_a_reporter = smtp_server.by_recipient(table.reporters[0].email)
    assert not [m for m in to_a_reporter if m["Subject"].startswith("Uitnodiging")]
