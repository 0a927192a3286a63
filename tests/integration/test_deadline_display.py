"""The signal page explains its deadlines: by when, how many working days, since when, paused."""

from typing import Any

from signals.auth.models import User
from signals.clock import Clock
from signals.workflow.services import (
    accept_signal,
    give_feedback,
    reply_to_question,
    request_info,
    submit_signal,
)
from tests.fixtures.app import START
from tests.helpers import Login
from tests.integration.test_web_signals import Page


def deadlines(login: Login, user: User, reference: str) -> Page:
    response = login(user).get(f"/signalen/{reference}")
    assert response.status_code == 200
    return Page(response.text)


def test_a_new_signal_shows_each_deadline_with_its_working_days_and_arrival(
    clock: Clock, login: Login, manager: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)  # Monday 23 November 2026

    page = deadlines(login, manager, signal.reference)

    assert page.text("deadline-accept") == (
        "In behandeling nemen uiterlijk 25 november 2026, 2 werkdagen na aankomst op "
        "23 november 2026"
    )
    assert page.text("deadline-feedback") == (
        "Terugkoppeling aan de melder uiterlijk 7 december 2026, 10 werkdagen na aankomst op "
        "23 november 2026"
    )
    assert page.text("deadline-update").startswith(
        "Volgend statusbericht aan de melder uiterlijk 21 december 2026 (minstens elke 20 werkdagen"
    )


def test_a_paused_signal_says_its_clocks_stand_still_and_then_moves_them_on(
    clock: Clock, login: Login, manager: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    request_info(manager, signal.reference, {"message": "Welke maand ging het om?"})

    paused = deadlines(login, manager, signal.reference)
    assert paused.text("deadline-paused").startswith(
        "De termijnen staan stil sinds 23 november 2026"
    )
    assert "deadline-update" not in paused.texts

    clock.set(START.replace(day=25))  # Wednesday: Tuesday and Wednesday are given back
    reply_to_question(reporter, signal.reference, {"message": "Oktober."})

    resumed = deadlines(login, manager, signal.reference)
    assert "deadline-paused" not in resumed.texts
    assert "uiterlijk 9 december 2026" in resumed.text("deadline-feedback")


def test_given_feedback_replaces_the_feedback_deadline(
    clock: Clock, login: Login, manager: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    give_feedback(manager, signal.reference, {"message": "We kijken ernaar."})

    page = deadlines(login, manager, signal.reference)

    assert page.text("deadline-feedback") == (
        "Terugkoppeling aan de melder gegeven op 23 november 2026"
    )


# Late deadlines ------------------------------------------------------------------------------


def test_a_passed_accept_deadline_says_how_many_working_days_late(
    clock: Clock, login: Login, manager: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)  # accept by Wednesday 25 November
    assert "deadline-accept-late" not in deadlines(login, manager, signal.reference).texts

    clock.set(START.replace(day=26))  # Thursday
    one_day = deadlines(login, manager, signal.reference)
    clock.set(START.replace(day=30))  # Monday: Thursday, Friday and Monday have passed
    three_days = deadlines(login, reporter, signal.reference)

    assert one_day.text("deadline-accept") == (
        "In behandeling nemen uiterlijk 25 november 2026, 2 werkdagen na aankomst op "
        "23 november 2026 1 werkdag te laat"
    )
    assert one_day.text("deadline-accept-late") == "1 werkdag te laat"
    assert three_days.text("deadline-accept-late") == "3 werkdagen te laat"
    assert "deadline-feedback-late" not in three_days.texts  # feedback is due 7 December


def test_a_deadline_that_passed_on_friday_is_late_but_no_working_day_on_saturday(
    clock: Clock, login: Login, manager: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    clock.set(START.replace(day=25))  # Wednesday: accept by Friday 27 November
    signal = submit_signal(reporter, signal_data)

    clock.set(START.replace(day=28))
    saturday = deadlines(login, manager, signal.reference)
    clock.set(START.replace(day=30))
    monday = deadlines(login, manager, signal.reference)

    assert saturday.text("deadline-accept-late") == "te laat"
    assert monday.text("deadline-accept-late") == "1 werkdag te laat"


def test_a_late_feedback_deadline_is_marked_until_feedback_is_given_and_not_while_paused(
    clock: Clock, login: Login, manager: User, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)  # feedback by Monday 7 December
    accept_signal(manager, signal.reference, {})
    clock.set(START.replace(month=12, day=9))  # Wednesday: Tuesday and Wednesday have passed

    late = deadlines(login, manager, signal.reference)
    request_info(manager, signal.reference, {"message": "Welke maand ging het om?"})
    paused = deadlines(login, manager, signal.reference)
    reply_to_question(reporter, signal.reference, {"message": "Oktober."})
    give_feedback(manager, signal.reference, {"message": "We kijken ernaar."})
    answered = deadlines(login, manager, signal.reference)

    assert late.text("deadline-feedback-late") == "2 werkdagen te laat"
    assert "deadline-accept" not in late.texts  # accepted: that clock is done
    assert "deadline-feedback-late" not in paused.texts
    assert "deadline-feedback-late" not in answered.texts
    assert answered.text("deadline-feedback") == (
        "Terugkoppeling aan de melder gegeven op 9 december 2026"
    )
