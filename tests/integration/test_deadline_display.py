"""The signal page explains its deadlines: by when, how many working days, since when, paused."""

from collections.abc import Callable
from typing import Any

from signals.auth.models import User
from signals.clock import Clock
from signals.workflow.services import give_feedback, reply_to_question, request_info, submit_signal
from tests.fixtures.app import START
from tests.fixtures.people import WebSession
from tests.integration.test_web_signals import Page

Login = Callable[[User], WebSession]


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
