"""The ``signals`` command line: organisations, users, demo data, outbox and scheduler tick."""

from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import ColumnElement, func, select

from signals.auth.models import Organisation, User
from signals.auth.services import authenticate
from signals.clock import Clock
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal, SignalEvent
from tests.fixtures.smtp import SmtpServer


def count(model: type, *where: ColumnElement[bool]) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_orgs_create_is_idempotent_by_name(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["orgs", "create", "--name", "Buurtteam Noord", "--kind", "partner"])
    second = runner.invoke(
        args=["orgs", "create", "--name", "Buurtteam Noord", "--kind", "partner"]
    )

    assert first.exit_code == 0 and "aangemaakt" in first.output
    assert second.exit_code == 0 and "bestond al" in second.output
    assert count(Organisation) == 1


def test_orgs_create_refuses_an_unknown_kind(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["orgs", "create", "--name", "X", "--kind", "vendor"])
    assert result.exit_code != 0
    assert count(Organisation) == 0


def test_users_create_with_manager_groups_and_password(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["orgs", "create", "--name", "Gemeente Test", "--kind", "staff"])
    lead = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Lead@Gemeente.test",
            "--name",
            "Lead",
            "--org",
            "Gemeente Test",
            "--role",
            "manager",
            "--password",
            "heel-geheim-1",
        ]
    )
    member = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "piet@gemeente.test",
            "--name",
            "Piet",
            "--org",
            "Gemeente Test",
            "--role",
            "professional",
            "--manager",
            "lead@gemeente.test",
            "--groups",
            "intake, beleid",
            "--password",
            "heel-geheim-2",
        ]
    )

    assert lead.exit_code == 0, lead.output
    assert member.exit_code == 0, member.output
    piet = authenticate({"email": "piet@gemeente.test", "password": "heel-geheim-2"})
    assert piet.manager is not None and piet.manager.email == "lead@gemeente.test"
    assert piet.groups == ["beleid", "intake"]
    assert piet.password_hash != "heel-geheim-2"


def test_users_create_generates_a_password_when_none_is_given(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["orgs", "create", "--name", "Gemeente Test", "--kind", "staff"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@gemeente.test",
            "--name",
            "A",
            "--org",
            "Gemeente Test",
            "--role",
            "admin",
        ]
    )
    password = result.output.split("Wachtwoord: ")[1].strip()
    assert authenticate({"email": "a@gemeente.test", "password": password}).role == "admin"


def test_users_create_reports_every_problem_and_exits_1(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "geen-adres",
            "--name",
            "B",
            "--org",
            "Onbekend",
            "--role",
            "professional",
            "--password",
            "kort",
        ]
    )
    assert result.exit_code == 1
    assert "email: Geen geldig e-mailadres." in result.output
    assert "password: Minimaal 12 tekens." in result.output
    assert count(User) == 0


def test_demo_load_creates_realistic_data_once(runner: FlaskCliRunner, clock: Clock) -> None:
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])

    assert first.exit_code == 0, first.output
    assert "knellend-demo-2026" in first.output
    assert "niets veranderd" in second.output
    assert count(Signal) >= 30
    assert count(Organisation, Organisation.kind == "partner") >= 2
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {
        "professional",
        "manager",
        "member",
        "admin",
        "ombudsman_admin",
        "privacy_officer",
    }
    assert count(Signal, Signal.status == "resolved") >= 5
    assert count(Signal, Signal.node == "intake") >= 5, "partner signals reach the intake"
    contact = db.session.scalar(select(User).where(User.email.startswith("contactpersoon@")))
    assert contact is not None
    assert count(Signal, Signal.owner_user_id == contact.id) >= 1, "the buurtteam's contact"
    assert count(Signal, Signal.owner_group == "intake") >= 1, "raadslieden have no contact"
    assert count(SignalEvent, SignalEvent.type == "forwarded") >= 3
    assert count(SignalEvent, SignalEvent.type == "feedback_sent") >= 5
    assert count(OutboxMessage, OutboxMessage.status == "pending") == 0


def test_scheduler_tick_delivers_the_outbox_at_the_given_moment(
    runner: FlaskCliRunner,
    app: Flask,
    smtp_server: SmtpServer,
    reporter: User,
    signal_data: dict[str, Any],
    clock: Clock,
) -> None:
    from signals.workflow.services import submit_signal

    submit_signal(reporter, signal_data)
    result = runner.invoke(args=["scheduler", "tick", "--now", "2026-11-23T10:00:00+01:00"])

    assert result.exit_code == 0, result.output
    assert "verzonden: 2" in result.output
    assert len(smtp_server.messages) == 2


def test_scheduler_tick_refuses_a_moment_without_time_zone(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["scheduler", "tick", "--now", "2026-11-23T10:00:00"])
    assert result.exit_code != 0
    assert "tijdzone" in result.output
