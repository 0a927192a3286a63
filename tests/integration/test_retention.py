"""Retention: anonymising closed signals on the right day, the legal hold, outbox and log-ins.

Every test drives the real services and the real sweep (:func:`signals.scheduler.jobs.sweep`)
with an injected moment, on SQLite or PostgreSQL. The fixtures' clock starts on Monday
23 November 2026, 10:00 in Amsterdam; the default retention is 24 months, so a signal
closed that day is anonymised from Thursday 23 November 2028, 00:00 in Amsterdam.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text

from signals.audit.models import AccessLogEntry
from signals.auth.models import AuthFailure, User
from signals.auth.throttle import token_failed
from signals.clock import Clock
from signals.errors import Forbidden, StateConflict
from signals.extensions import db
from signals.retention.anonymise import PLACEHOLDER_TITLE, due_signals, last_closed_day
from signals.retention.purge import run_retention
from signals.retention.services import place_legal_hold, release_legal_hold
from signals.scheduler.jobs import sweep
from signals.search.services import search
from signals.workflow.followup import answer_followup
from signals.workflow.models import Signal, SubmissionKey
from signals.workflow.services import (
    accept_signal,
    answer_survey,
    forward_signal,
    give_feedback,
    reopen_signal,
    reply_to_question,
    request_info,
    resolve_signal,
    submit_signal,
    submit_signal_once,
    withdraw_signal,
)
from tests.fixtures.outbox import outbox, outbox_row, store_rows
from tests.fixtures.smtp import SmtpServer
from tests.helpers import RESOLUTION, Api, Login, fresh, signal_by_reference

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SECRET_WORD = "Zwemvereniging"  # in the title and the situation only: found until anonymised
REASON = "Bezwaarprocedure loopt; het dossier moet volledig blijven."


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=AMSTERDAM)


# 23 November 2026 (the clock's day) + 24 months, and the moment just before that day.
DUE_DAY = date(2028, 11, 23)
JUST_BEFORE = local(date(2028, 11, 22), 23, 59, 59)
ON_THE_DAY = local(DUE_DAY)


def retention_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if "bewaartermijn" in line]


def signal_hits(user: User, query: str) -> list[str]:
    db.session.expire_all()
    return [hit.key for hit in search(user, {"q": query}).hits if hit.kind == "signal"]


@pytest.fixture
def lived(clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]) -> Signal:
    """A signal with a full life, resolved on the clock's day: every kind of free text in it.

    Its reporter judged the answer, and half a year later its owner said whether it held.
    """
    data = {
        **signal_data,
        "title": f"{SECRET_WORD} weigert de bijstandspas",
        "situation": f"De {SECRET_WORD} Noord neemt de pas van mevrouw niet aan.",
        "resident_experience": "Zij schaamt zich aan de kassa.",
    }
    submission = submit_signal_once(reporter, data, "sleutel-1")
    reference = submission.signal.reference
    accept_signal(manager, reference, {})
    request_info(manager, reference, {"message": "Welke vestiging?"})
    reply_to_question(reporter, reference, {"message": "Die aan de Dorpsstraat."})
    give_feedback(manager, reference, {"message": "We bellen de vereniging."})
    resolve_signal(manager, reference, RESOLUTION)
    clock.set(clock.now() + timedelta(minutes=5))
    sweep(clock.now())  # asks the reporter's verdict
    answer_survey(reporter, reference, {"score": "4", "comment": "Mevrouw is geholpen."})
    clock.set(clock.now() + timedelta(days=200))
    sweep(clock.now())  # asks whether the solution held
    answer_followup(manager, reference, {"held": "partly", "note": "Bij mevrouw wel."})
    return signal_by_reference(reference)


# The day ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "months", "last"),
    [
        (date(2028, 11, 23), 24, date(2026, 11, 23)),
        (date(2026, 2, 28), 1, date(2026, 1, 31)),  # 29–31 January end on 28 February too
        (date(2024, 2, 29), 1, date(2024, 1, 31)),
        (date(2026, 3, 1), 1, date(2026, 2, 1)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),  # 1 March + 1 month is 1 April: not yet
    ],
)
def test_the_last_closing_day_that_is_due(today: date, months: int, last: date) -> None:
    assert last_closed_day(today, months) == last


def test_a_resolved_signal_is_anonymised_on_its_day_and_not_a_day_before(
    lived: Signal, admin: User, manager: User
) -> None:
    reference = lived.reference
    before = fresh(lived)
    types_before = [event.type for event in before.events]
    assert signal_hits(admin, SECRET_WORD) == [reference]

    assert retention_lines(sweep(JUST_BEFORE)) == []
    assert fresh(lived).anonymised_at is None
    assert fresh(lived).title.startswith(SECRET_WORD)

    assert retention_lines(sweep(ON_THE_DAY)) == [
        f"signalen geanonimiseerd na de bewaartermijn ({reference}): 1"
    ]
    after = fresh(lived)
    # The free text and the reporter link are gone ...
    assert after.title == PLACEHOLDER_TITLE
    assert (after.situation, after.resident_experience, after.rationale) == ("", "", "")
    assert after.reporter_id is None
    assert after.anonymised_at == ON_THE_DAY
    assert db.session.scalar(select(func.count()).select_from(SubmissionKey)) == 0
    # ... the codes, dates, route and outcome stay, for the figures.
    kept = (
        "level", "scope", "urgency", "impact", "maatwerk", "maatwerk_grounds", "regulations",
        "source_organisation", "outcome", "status", "node", "created_at", "resolved_at",
        "closed_at", "organisation_id",
    )  # fmt: skip
    assert {name: getattr(after, name) for name in kept} == {
        name: getattr(before, name) for name in kept
    }
    # In its history: every name and text removed; types, moments and the route kept.
    events = after.events
    assert [event.type for event in events[:-1]][: len(types_before)] == types_before
    assert all(event.actor_id is None for event in events)
    by_type = {event.type: event.data for event in events}
    assert by_type["submitted"]["node"] == before.events[0].data["node"]
    assert by_type["info_requested"] == {"message": ""}
    assert by_type["reporter_replied"] == {"message": ""}
    assert by_type["feedback_sent"] == {"message": ""}
    assert by_type["survey_answered"] == {"score": 4, "comment": ""}
    assert by_type["followup_answered"] == {"held": "partly", "note": ""}
    assert by_type["resolved"] == {
        "outcome": RESOLUTION["outcome"],
        "rationale": "",
        "message": "",
    }
    anonymised = events[-1]
    assert anonymised.type == "anonymised"
    assert anonymised.at == ON_THE_DAY
    assert anonymised.data["by"] == "retention"
    assert anonymised.data["fields"] == ["title", "situation", "resident_experience", "rationale"]
    assert set(anonymised.data["event_fields"]) == {
        "message",
        "rationale",
        "comment",
        "note",
        "reason",  # the route's reason for the first place
    }
    assert anonymised.data["reporter"] is True
    # The search index forgets the old words.
    assert signal_hits(admin, SECRET_WORD) == []
    assert signal_hits(admin, "vestiging") == []

    # Once only; and nothing can be done with it any more.
    assert retention_lines(sweep(ON_THE_DAY + timedelta(days=1))) == []
    assert [event.type for event in fresh(lived).events].count("anonymised") == 1
    with pytest.raises(StateConflict, match="geanonimiseerd"):
        reopen_signal(manager, reference, {"message": "Toch nog iets."})
    with pytest.raises(StateConflict, match="geanonimiseerd"):
        answer_followup(manager, reference, {"held": "yes", "note": "Ja, bij mevrouw X."})


def test_anonymising_deletes_the_signals_sent_mail(lived: Signal, smtp_server: SmtpServer) -> None:
    sweep(JUST_BEFORE)  # delivers its mail: a second later too recent for the outbox's period
    sent = [message for message in outbox() if message.signal_id == lived.id]
    assert sent and {message.status for message in sent} == {"sent"}

    sweep(ON_THE_DAY)

    assert [message for message in outbox() if message.signal_id == lived.id] == []
    assert fresh(lived).events[-1].data["mails"] == len(sent)


def test_a_withdrawn_signal_is_anonymised_from_its_withdrawal(
    clock: Clock, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    clock.set(clock.now() + timedelta(days=3))  # withdrawn on Thursday 26 November 2026
    withdraw_signal(reporter, signal.reference, {"reason": "Mevrouw is verhuisd."})

    assert retention_lines(sweep(local(date(2028, 11, 25), 23, 59, 59))) == []
    assert retention_lines(sweep(local(date(2028, 11, 26)))) == [
        f"signalen geanonimiseerd na de bewaartermijn ({signal.reference}): 1"
    ]
    withdrawn = [event for event in fresh(signal).events if event.type == "withdrawn"]
    assert withdrawn[0].data["reason"] == ""
    assert fresh(signal).rationale is None  # never resolved: stays without a rationale


def test_an_open_or_reopened_signal_is_not_anonymised(
    lived: Signal, manager: User, clock: Clock
) -> None:
    reopen_signal(manager, lived.reference, {"message": "Het speelt weer."})
    assert fresh(lived).closed_at is None

    assert retention_lines(sweep(ON_THE_DAY + timedelta(days=400))) == []
    assert fresh(lived).anonymised_at is None


def test_a_round_anonymises_a_batch_the_longest_closed_first(
    clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    references = []
    for _ in range(3):
        signal = submit_signal(reporter, signal_data)
        resolve_signal(manager, signal.reference, RESOLUTION)
        references.append(signal.reference)
        clock.set(clock.now() + timedelta(days=1))

    with clock.frozen_at(ON_THE_DAY + timedelta(days=5)):
        first = run_retention(ON_THE_DAY + timedelta(days=5), limit=2)
        second = run_retention(ON_THE_DAY + timedelta(days=5), limit=2)

    assert (first.signals, second.signals) == (references[:2], references[2:])


# The legal hold ----------------------------------------------------------------------------


def test_a_held_signal_is_kept_and_anonymised_at_the_next_sweep_after_release(
    lived: Signal, admin: User, clock: Clock
) -> None:
    place_legal_hold(admin, lived.reference, {"reason": REASON})
    assert fresh(lived).legal_hold is True

    assert retention_lines(sweep(ON_THE_DAY + timedelta(days=30))) == []
    assert fresh(lived).anonymised_at is None

    clock.set(ON_THE_DAY + timedelta(days=31))
    release_legal_hold(admin, lived.reference, {"reason": "Procedure afgerond."})
    assert fresh(lived).legal_hold is False
    hold_events = [
        (event.type, event.actor_id, event.data)
        for event in fresh(lived).events
        if event.type in ("legal_hold", "hold_released")
    ]
    assert hold_events == [
        ("legal_hold", admin.id, {"reason": REASON}),
        ("hold_released", admin.id, {"reason": "Procedure afgerond."}),
    ]
    holds = select(AccessLogEntry).where(AccessLogEntry.subject_kind == "signal")
    logged = db.session.scalars(holds.order_by(AccessLogEntry.id)).all()
    assert [(entry.action, entry.actor_id, entry.subject_reference) for entry in logged] == [
        ("legal_hold", admin.id, lived.reference),
        ("release_hold", admin.id, lived.reference),
    ]

    assert retention_lines(sweep(ON_THE_DAY + timedelta(days=31, minutes=1))) == [
        f"signalen geanonimiseerd na de bewaartermijn ({lived.reference}): 1"
    ]
    reasons = [
        event.data["reason"]
        for event in fresh(lived).events
        if event.type in ("legal_hold", "hold_released")
    ]
    assert reasons == ["", ""]


def test_only_an_administrator_holds_and_only_once(
    lived: Signal, admin: User, manager: User, reporter: User
) -> None:
    for person in (manager, reporter):
        with pytest.raises(Forbidden, match="beheerder"):
            place_legal_hold(person, lived.reference, {"reason": REASON})
    with pytest.raises(StateConflict, match="niet onder bewaarplicht"):
        release_legal_hold(admin, lived.reference, {"reason": REASON})

    place_legal_hold(admin, lived.reference, {"reason": REASON})
    version = fresh(lived).version
    with pytest.raises(StateConflict, match="al onder bewaarplicht"):
        place_legal_hold(admin, lived.reference, {"reason": REASON})
    with pytest.raises(Forbidden):
        release_legal_hold(manager, lived.reference, {"reason": REASON})
    assert fresh(lived).version == version
    assert fresh(lived).legal_hold is True


def test_the_hold_on_the_signal_page(
    lived: Signal, admin: User, manager: User, login: Login
) -> None:
    page = f"/signalen/{lived.reference}"
    assert "Bewaarplicht instellen" not in login(manager).get(page).text

    session = login(admin)
    assert "Bewaarplicht instellen" in session.get(page).text
    empty = session.post(f"{page}/bewaarplicht", {"reason": ""})
    assert empty.status_code == 422
    assert fresh(lived).legal_hold is False

    response = session.post(f"{page}/bewaarplicht", {"reason": REASON})
    assert response.status_code == 302, response.text
    shown = session.get(page).text
    assert 'id="bewaarplicht"' in shown
    assert "Bewaarplicht opheffen" in shown
    assert "Bewaarplicht instellen" not in shown
    assert fresh(lived).legal_hold is True

    refused = login(manager).post(f"{page}/bewaarplicht-opheffen", {"reason": REASON})
    assert refused.status_code == 403
    assert fresh(lived).legal_hold is True


def test_the_hold_in_the_api(lived: Signal, admin: User, manager: User, api: Api) -> None:
    refused = api(manager).act(lived.reference, "legal_hold", reason=REASON)
    assert refused.status_code == 403
    answer = api(admin).act(lived.reference, "legal_hold", reason=REASON)
    assert answer.status_code == 200, answer.text
    body = answer.get_json()
    assert body["legal_hold"] is True
    assert "release_hold" in body["actions"] and "legal_hold" not in body["actions"]
    assert body["events"][-1]["type"] == "legal_hold"
    again = api(admin).act(lived.reference, "legal_hold", reason=REASON)
    assert again.status_code == 409


def test_an_anonymised_signal_reads_sensibly_on_its_page_and_in_the_api(
    lived: Signal, admin: User, manager: User, login: Login, api: Api
) -> None:
    sweep(ON_THE_DAY)

    for person in (admin, manager):
        page = login(person).get(f"/signalen/{lived.reference}")
        assert page.status_code == 200
        assert 'id="geanonimiseerd"' in page.text
        assert SECRET_WORD not in page.text
        assert "Dorpsstraat" not in page.text
    inbox = login(manager).get("/inbox?status=resolved")
    assert inbox.status_code == 200

    body = api(admin).get(f"/signals/{lived.reference}").get_json()
    assert body["title"] == PLACEHOLDER_TITLE
    assert body["reporter"] is None
    assert body["anonymised_at"] is not None
    assert body["actions"] == []
    assert all(event["actor"] is None for event in body["events"])
    refused = api(admin).act(lived.reference, "legal_hold", reason=REASON)
    assert refused.status_code == 409


# The outbox and failed log-ins ------------------------------------------------------------


def test_sent_and_dead_mail_goes_after_its_own_period(
    clock: Clock,
    reporter: User,
    signal_data: dict[str, Any],
    smtp_server: SmtpServer,
) -> None:
    smtp_server.refuse("dood@gemeente.test")
    store_rows([outbox_row("dood@gemeente.test", clock.now())])
    submit_signal(reporter, signal_data)  # a receipt and the owner's notice, pending
    delivered = clock.now() + timedelta(minutes=1)
    sweep(delivered)
    first = {message.id: message.status for message in outbox()}
    assert sorted(first.values()) == ["dead", "sent", "sent"]
    store_rows([outbox_row("wacht@gemeente.test", delivered + timedelta(days=400))])
    waiting = max(message.id for message in outbox())

    # The sweeps send new mail too (reminders, breaches): only the first three are old enough.
    assert retention_lines(sweep(delivered + timedelta(days=90))) == []
    assert set(first) | {waiting} <= {message.id for message in outbox()}
    lines = retention_lines(sweep(delivered + timedelta(days=90, seconds=1)))
    assert lines == ["e-mails verwijderd uit de outbox (bewaartermijn): 3"]
    left = {message.id for message in outbox()}
    assert not set(first) & left
    assert waiting in left


def test_failed_log_ins_go_after_a_day(clock: Clock) -> None:
    token_failed("192.0.2.7")
    token_failed("192.0.2.8")
    day = clock.now() + timedelta(days=1)

    assert retention_lines(sweep(day)) == []
    assert retention_lines(sweep(day + timedelta(seconds=1))) == [
        "mislukte inlogpogingen verwijderd (bewaartermijn): 2"
    ]
    assert db.session.scalar(select(func.count()).select_from(AuthFailure)) == 0


# signals privacy purge -------------------------------------------------------------------


def test_purge_dry_run_says_what_would_go_and_changes_nothing(
    lived: Signal, runner: FlaskCliRunner, clock: Clock
) -> None:
    store_rows([outbox_row("oud@gemeente.test", clock.now(), status="sent", sent_at=clock.now())])
    token_failed("192.0.2.7")
    at = ON_THE_DAY.isoformat()
    messages = len(outbox())

    dry = runner.invoke(args=["privacy", "purge", "--dry-run", "--now", at])

    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        f"proefronde (er verandert niets) op {at}",
        f"- signalen die geanonimiseerd zouden worden ({lived.reference}): 1",
        "- e-mails die uit de outbox verwijderd zouden worden: 1",
        "- mislukte inlogpogingen die verwijderd zouden worden: 1",
    ]
    assert fresh(lived).anonymised_at is None
    assert fresh(lived).title.startswith(SECRET_WORD)
    assert len(outbox()) == messages
    assert db.session.scalar(select(func.count()).select_from(AuthFailure)) == 1

    done = runner.invoke(args=["privacy", "purge", "--now", at])

    assert done.exit_code == 0, done.output
    assert f"- signalen geanonimiseerd na de bewaartermijn ({lived.reference}): 1" in done.output
    assert fresh(lived).anonymised_at == ON_THE_DAY
    assert "oud@gemeente.test" not in [message.recipient for message in outbox()]
    assert db.session.scalar(select(func.count()).select_from(AuthFailure)) == 0

    nothing = runner.invoke(args=["privacy", "purge", "--dry-run", "--now", at])
    assert nothing.output.splitlines()[1:] == ["- niets te verwijderen of te anonimiseren"]


def test_purge_refuses_a_moment_without_a_time_zone(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["privacy", "purge", "--now", "2028-11-23T09:00"])
    assert result.exit_code != 0
    assert "tijdzone" in result.output


# The history cannot be deleted through the ORM -----------------------------------------------


def test_no_relationship_deletes_events() -> None:
    from signals.kwesties.models import Kwestie

    for relationship in (Signal.events, Kwestie.events):
        prop = relationship.property
        assert not prop.cascade.delete and not prop.cascade.delete_orphan
        assert prop.passive_deletes == "all"


def test_every_event_of_a_forwarded_signal_survives_anonymisation(
    clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    forward_signal(manager, signal.reference, {"to": "casuistiek", "message": "Past daar."})
    before = [(event.id, event.type, event.at) for event in fresh(signal).events]
    withdraw_signal(reporter, signal.reference, {"reason": "Opgelost."})
    sweep(datetime(2029, 1, 1, tzinfo=UTC))

    events = fresh(signal).events
    assert [(event.id, event.type, event.at) for event in events][: len(before)] == before
    assert [event.type for event in events][len(before) :] == ["withdrawn", "anonymised"]
    forwarded = next(event for event in events if event.type == "forwarded")
    assert forwarded.data == {"from": forwarded.data["from"], "to": "casuistiek", "message": ""}


def test_the_sweep_walks_the_retention_index_in_order(clock: Clock) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the planner is PostgreSQL's")
    statement = due_signals(ON_THE_DAY)
    with clock.frozen_at(ON_THE_DAY):
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_sort = off"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
    assert "ix_signals_retention" in plan, plan
    assert "Sort" not in plan, plan
