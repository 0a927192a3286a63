"""Privacy: the ombudsman's independence from the municipality's administrators, the access
log, and a person's data.

The municipality's administrator sees only the whereabouts of a signal at the (independent)
ombudsman — on its page, through the API, in lists, search, exports and the outbox — and
cannot put anyone (themselves included) in the ombudsman's group; the ombudsman's own
administrator manages that group and reads what is there. Every view of a signal's content,
every export and every administrative action is in the access log, which administrators and
the privacy officer read and nobody else. A person's export holds their data and no one
else's.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, update

from signals.audit.models import AccessLogEntry
from signals.audit.person_data import export_person
from signals.audit.services import Subject, forget_old_access_log, log_access, retention_cutoff
from signals.auth.models import GroupMembership, User
from signals.auth.services import user_by_email
from signals.clock import Clock
from signals.errors import Forbidden
from signals.extensions import db
from signals.kwesties.services import create_kwestie
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.notifications.services import retry_dead_message
from signals.scheduler.jobs import sweep
from signals.workflow.models import Signal
from signals.workflow.services import forward_signal, submit_signal
from tests.fixtures.people import PASSWORD
from tests.helpers import Api, Login, MakeUser

SECRET_WORD = "Zwaluwstaartverbinding"  # a word found only in the ombudsman's signal
OPEN_WORD = "Klaverbladkruising"  # a word found only in the signal that stays with the manager


@dataclass
class World:
    reporter: User
    manager: User
    ombuds: User
    admin: User
    ombuds_admin: User
    privacy: User
    professional: User
    closed: Signal  # at the ombudsman
    open: Signal  # with the manager


@pytest.fixture
def world(make_user: MakeUser, clock: Clock, signal_data: dict[str, Any]) -> World:
    manager = make_user("manager", name="Marloes Teamleider")
    reporter = make_user("professional", manager=manager, name="Samira Melder")
    closed = submit_signal(
        reporter,
        {**signal_data, "title": f"Loket {SECRET_WORD}", "situation": f"Het {SECRET_WORD} loket."},
    )
    forward_signal(manager, closed.reference, {"to": "ombudsman"})
    opened = submit_signal(
        reporter,
        {**signal_data, "title": f"Gat {OPEN_WORD}", "situation": f"Over de {OPEN_WORD}."},
    )
    return World(
        reporter=reporter,
        manager=manager,
        ombuds=make_user("member", groups=["ombudsman"], name="Ingrid Ombuds"),
        admin=make_user("admin", name="Beheerder Gemeente"),
        ombuds_admin=make_user("ombudsman_admin", name="Olga Ombudsbeheer"),
        privacy=make_user("privacy_officer", name="Pieter Privacy"),
        professional=make_user("professional", name="Olaf Ander"),
        closed=closed,
        open=opened,
    )


def log_entries(action: str | None = None) -> list[AccessLogEntry]:
    db.session.expire_all()
    query = select(AccessLogEntry).order_by(AccessLogEntry.id)
    if action is not None:
        query = query.where(AccessLogEntry.action == action)
    return list(db.session.scalars(query))


def members_of(group: str) -> set[str]:
    db.session.expire_all()
    query = select(User.email).join(GroupMembership).where(GroupMembership.group == group)
    return set(db.session.scalars(query))


# The ombudsman's independence --------------------------------------------------------------


def test_the_municipal_admin_sees_only_the_whereabouts_of_a_signal_at_the_ombudsman(
    world: World, login: Login, api: Api
) -> None:
    web, client = login(world.admin), api(world.admin)

    page = web.get(f"/signalen/{world.closed.reference}")
    assert page.status_code == 200
    assert "een onafhankelijke plek in de route" in page.text
    assert SECRET_WORD not in page.text
    single = client.get(f"/signals/{world.closed.reference}")
    assert single.status_code == 403 and SECRET_WORD not in single.text
    listed = {item["reference"] for item in client.get("/signals", limit=100).get_json()["items"]}
    assert listed == {world.open.reference}
    assert client.get("/search", q=SECRET_WORD).get_json()["items"] == []
    found = web.get(f"/zoeken?q={SECRET_WORD}").text  # which repeats the query, nothing more
    assert world.closed.title not in found and world.closed.reference not in found
    export = client.get("/signals.csv").get_data(as_text=True)
    assert world.closed.reference not in export and world.open.reference in export
    about_it = select(OutboxMessage.subject).where(OutboxMessage.signal_id == world.closed.id)
    subjects = list(db.session.scalars(about_it))
    assert any(SECRET_WORD in subject for subject in subjects)  # mail that names it exists
    outbox = web.get("/beheer/outbox").text
    assert SECRET_WORD not in outbox
    # Outside the closed room the administrator sees everything, as before.
    assert OPEN_WORD in web.get(f"/signalen/{world.open.reference}").text
    assert [item["title"] for item in client.get("/search", q=OPEN_WORD).get_json()["items"]] == [
        world.open.title
    ]


def test_the_ombudsman_admin_reads_what_is_at_the_ombudsman_and_nothing_else(
    world: World, login: Login, api: Api
) -> None:
    web, client = login(world.ombuds_admin), api(world.ombuds_admin)

    assert SECRET_WORD in web.get(f"/signalen/{world.closed.reference}").text
    assert client.get(f"/signals/{world.closed.reference}").get_json()["title"] == (
        world.closed.title
    )
    assert web.get(f"/signalen/{world.open.reference}").status_code == 404
    listed = {item["reference"] for item in client.get("/signals", limit=100).get_json()["items"]}
    assert listed == {world.closed.reference}
    hits = client.get("/search", q=SECRET_WORD).get_json()["items"]
    assert [hit["title"] for hit in hits] == [world.closed.title]
    assert client.get("/search", q=OPEN_WORD).get_json()["items"] == []


def test_a_kwestie_at_the_ombudsman_is_the_ombudsman_admins_not_the_municipal_admins(
    world: World, login: Login, api: Api
) -> None:
    kwestie = create_kwestie(
        world.ombuds,
        {"title": f"Kwestie {SECRET_WORD}", "node": "ombudsman", "regulation": "participatiewet"},
    )
    assert login(world.admin).get(f"/kwesties/{kwestie.id}").status_code == 404
    assert api(world.admin).get(f"/kwesties/{kwestie.id}").status_code == 404
    assert SECRET_WORD not in login(world.admin).get("/kwesties").text
    assert SECRET_WORD in login(world.ombuds_admin).get(f"/kwesties/{kwestie.id}").text


# Group membership ----------------------------------------------------------------------------


def test_the_ombudsman_admin_manages_the_ombudsman_group(world: World, login: Login) -> None:
    web = login(world.ombuds_admin)
    page = web.get("/beheer/groepen")
    assert page.status_code == 200
    assert "group-ombudsman" in page.text and "group-intake" not in page.text

    added = web.post("/beheer/groepen/ombudsman/leden", {"email": world.professional.email})
    assert added.status_code == 302
    assert world.professional.email in members_of("ombudsman")
    [entry] = log_entries("group_member_added")
    assert (entry.actor_id, entry.person_id, entry.detail) == (
        world.ombuds_admin.id,
        world.professional.id,
        "ombudsman",
    )
    # Not the municipality's groups.
    refused = web.post("/beheer/groepen/intake/leden", {"email": world.professional.email})
    assert refused.status_code == 403
    assert world.professional.email not in members_of("intake")

    removed = web.post(f"/beheer/groepen/ombudsman/leden/{world.professional.id}/verwijderen", {})
    assert removed.status_code == 302
    assert world.professional.email not in members_of("ombudsman")
    assert len(log_entries("group_member_removed")) == 1


def test_a_municipal_admin_cannot_join_anyone_to_the_ombudsman_group(
    world: World, login: Login
) -> None:
    web = login(world.admin)
    page = web.get("/beheer/groepen")
    assert page.status_code == 200
    assert "group-intake" in page.text and "group-ombudsman" not in page.text
    before = members_of("ombudsman")

    for person in (world.admin, world.professional):  # not themselves, not anybody
        response = web.post("/beheer/groepen/ombudsman/leden", {"email": person.email})
        assert response.status_code == 403
    taken_out = web.post(f"/beheer/groepen/ombudsman/leden/{world.ombuds.id}/verwijderen", {})
    assert taken_out.status_code == 403

    assert members_of("ombudsman") == before
    assert log_entries("group_member_added") == []
    # … and so still reads nothing of the ombudsman's signal.
    assert SECRET_WORD not in web.get(f"/signalen/{world.closed.reference}").text
    # The municipality's own groups are theirs to manage.
    added = web.post("/beheer/groepen/intake/leden", {"email": world.professional.email})
    assert added.status_code == 302 and world.professional.email in members_of("intake")


def test_the_groups_page_is_for_who_manages_a_group(world: World, login: Login) -> None:
    for person in (world.privacy, world.professional, world.manager, world.ombuds):
        assert login(person).get("/beheer/groepen").status_code == 403


def test_the_command_line_keeps_the_ombudsman_group_to_its_admin(
    world: World, runner: FlaskCliRunner
) -> None:
    base = ["users", "create", "--name", "Nieuw", "--org", world.admin.organisation.name]
    base += ["--role", "member", "--groups", "ombudsman", "--password", PASSWORD]

    anonymous = runner.invoke(args=[*base, "--email", "a@gemeente.test"])
    by_admin = runner.invoke(args=[*base, "--email", "b@gemeente.test", "--by", world.admin.email])
    assert anonymous.exit_code != 0 and by_admin.exit_code != 0
    assert user_by_email("a@gemeente.test") is None and user_by_email("b@gemeente.test") is None

    by_ombuds_admin = runner.invoke(
        args=[*base, "--email", "c@gemeente.test", "--by", world.ombuds_admin.email]
    )
    assert by_ombuds_admin.exit_code == 0, by_ombuds_admin.output
    assert "c@gemeente.test" in members_of("ombudsman")

    joining = ["users", "groups", world.admin.email, "--add", "ombudsman"]
    refused = runner.invoke(args=[*joining, "--by", world.admin.email])
    assert refused.exit_code != 0
    assert world.admin.email not in members_of("ombudsman")
    allowed = runner.invoke(args=[*joining, "--by", world.ombuds_admin.email])
    assert allowed.exit_code == 0, allowed.output
    assert world.admin.email in members_of("ombudsman")
    created = log_entries("user_created")[-1]
    assert (created.actor_id, created.subject_reference) == (
        world.ombuds_admin.id,
        "c@gemeente.test",
    )


# The access log ------------------------------------------------------------------------------


def test_every_view_of_a_signals_content_is_logged_on_the_web_and_in_the_api(
    world: World, login: Login, api: Api
) -> None:
    before = len(log_entries("signal_viewed"))
    login(world.manager).get(f"/signalen/{world.open.reference}")
    api(world.manager).get(f"/signals/{world.open.reference}")
    login(world.admin).get(f"/signalen/{world.closed.reference}")  # whereabouts: no content
    api(world.admin).get(f"/signals/{world.closed.reference}")  # refused: nothing read

    viewed = log_entries("signal_viewed")[before:]
    assert [(e.actor_id, e.subject_kind, e.subject_reference) for e in viewed] == [
        (world.manager.id, "signal", world.open.reference),
        (world.manager.id, "signal", world.open.reference),
    ]


def test_every_export_is_logged(world: World, login: Login, api: Api) -> None:
    api(world.manager).get("/signals.csv", status="new").get_data()
    login(world.manager).get("/inbox.csv").get_data()

    exports = log_entries("signals_exported")
    assert [(e.actor_id, e.subject_reference) for e in exports] == [
        (world.manager.id, "signalen.csv"),
        (world.manager.id, "inbox.csv"),
    ]
    assert exports[0].detail == "status=new"


def test_admin_actions_are_logged_in_their_own_transaction(world: World) -> None:
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    assert message is not None
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id).values(status=OutboxStatus.DEAD)
    )
    db.session.commit()

    retry_dead_message(world.admin, message.id)
    [retried] = log_entries("outbox_retried")
    assert (retried.actor_id, retried.subject_reference) == (world.admin.id, str(message.id))

    # A refused action leaves no entry: the entry is part of the action's transaction.
    with pytest.raises(Forbidden):
        retry_dead_message(world.professional, message.id)
    assert len(log_entries("outbox_retried")) == 1


@pytest.mark.parametrize("who", ["admin", "privacy"])
def test_administrators_and_the_privacy_officer_read_the_access_log(
    world: World, login: Login, api: Api, who: str
) -> None:
    reader = getattr(world, who)
    login(world.manager).get(f"/signalen/{world.open.reference}")

    page = login(reader).get(f"/beheer/toegangslog?signal={world.open.reference}")
    assert page.status_code == 200
    assert "Signaal ingezien" in page.text and world.manager.email in page.text
    by_person = login(reader).get(f"/beheer/toegangslog?person={world.reporter.email}")
    assert by_person.status_code == 200 and "Signaal ingezien" not in by_person.text

    answer = api(reader).get("/access-log", signal=world.open.reference)
    assert answer.status_code == 200
    [item] = answer.get_json()["items"]
    assert item["action"] == "signal_viewed"
    assert item["actor"]["email"] == world.manager.email
    assert item["subject"] == {"kind": "signal", "reference": world.open.reference}
    # The privacy officer reads no signal by that role.
    assert login(world.privacy).get(f"/signalen/{world.open.reference}").status_code == 404


@pytest.mark.parametrize("who", ["professional", "manager", "ombuds", "ombuds_admin"])
def test_nobody_else_reads_the_access_log(world: World, login: Login, api: Api, who: str) -> None:
    person = getattr(world, who)
    assert login(person).get("/beheer/toegangslog").status_code == 403
    assert api(person).get("/access-log").status_code == 403
    assert login(person).get("/beheer/privacy").status_code == 403


def test_the_access_log_pages_and_refuses_bad_filters(world: World, api: Api) -> None:
    for number in range(55):
        log_access(world.admin, "password_set", Subject.person(world.professional), f"{number}")
    client = api(world.privacy)
    first = client.get("/access-log").get_json()
    assert len(first["items"]) == 50 and first["next_cursor"] is not None
    rest = client.get("/access-log", cursor=first["next_cursor"]).get_json()["items"]
    seen = [item["id"] for item in first["items"] + rest]
    assert len(seen) == len(set(seen)) == len(log_entries())
    assert client.get("/access-log", cursor="nul").status_code == 422


def test_the_sweep_forgets_the_access_log_after_its_retention(
    world: World, clock: Clock, configure: Any
) -> None:
    configure(access_log_retention_months=3)
    now = datetime(2027, 5, 31, 12, 0, tzinfo=UTC)
    assert retention_cutoff(now, 3) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    old = log_access(world.admin, "password_set", Subject.person(world.professional), "oud")
    recent = log_access(world.admin, "password_set", Subject.person(world.professional), "nu")
    db.session.execute(
        update(AccessLogEntry)
        .where(AccessLogEntry.id == old.id)
        .values(at=now - timedelta(days=100))
    )
    db.session.execute(
        update(AccessLogEntry)
        .where(AccessLogEntry.id == recent.id)
        .values(at=now - timedelta(days=80))
    )
    db.session.commit()

    sweep(now)

    details = {entry.detail for entry in log_entries("password_set")}
    assert details == {"nu"}
    assert forget_old_access_log(now) >= 1


# A person's data -----------------------------------------------------------------------------


def test_a_persons_export_holds_their_data_and_nobody_elses(
    world: World, signal_data: dict[str, Any], make_user: MakeUser
) -> None:
    other = make_user("professional", manager=world.manager, name="Tweede Melder")
    theirs = submit_signal(other, {**signal_data, "title": "Het signaal van een ander"})

    data = export_person(world.privacy, world.reporter.email.upper())
    text = json.dumps(data)

    assert data["user"]["email"] == world.reporter.email
    assert "password" not in text and world.reporter.password_hash not in text
    assert {s["reference"] for s in data["signals_reported"]} == {
        world.closed.reference,
        world.open.reference,
    }
    assert SECRET_WORD in text  # the privacy officer's export is complete
    assert theirs.reference not in text and other.email not in text and other.name not in text
    assert all(m["subject"] for m in data["outbox_messages"])
    recipients = db.session.scalars(
        select(func.count()).where(
            func.lower(OutboxMessage.recipient) == world.reporter.email.lower()
        )
    ).one()
    assert len(data["outbox_messages"]) == recipients > 0
    [logged] = log_entries("privacy_exported")
    assert (logged.actor_id, logged.person_id) == (world.privacy.id, world.reporter.id)
    assert data["access_log"][-1]["action"] == "privacy_exported"


def test_a_municipal_admins_export_leaves_the_ombudsman_out(world: World) -> None:
    data = export_person(world.admin, world.reporter.email)
    assert SECRET_WORD not in json.dumps(data)
    assert [s["reference"] for s in data["signals_reported"]] == [world.open.reference]
    assert data["withheld"]["signals_reported"] == 1
    # Nor what the ombudsman did: its kwestie and its events.
    create_kwestie(
        world.ombuds,
        {"title": f"Kwestie {SECRET_WORD}", "node": "ombudsman", "regulation": "participatiewet"},
    )
    ombuds = export_person(world.admin, world.ombuds.email)
    assert SECRET_WORD not in json.dumps(ombuds)
    assert ombuds["withheld"]["kwesties_created"] == 1
    assert SECRET_WORD in json.dumps(export_person(world.privacy, world.ombuds.email))
    with pytest.raises(Forbidden):
        export_person(world.professional, world.reporter.email)


def test_the_export_page_downloads_json_and_is_logged(world: World, login: Login) -> None:
    web = login(world.privacy)
    assert web.get("/beheer/privacy").status_code == 200
    unknown = web.post("/beheer/privacy", {"email": "niemand@gemeente.test"})
    assert unknown.status_code == 422 and "Er is geen gebruiker" in unknown.text

    download = web.post("/beheer/privacy", {"email": world.reporter.email})
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_json()["user"]["email"] == world.reporter.email
    assert [e.person_id for e in log_entries("privacy_exported")] == [world.reporter.id]
    assert login(world.professional).post("/beheer/privacy", {"email": "x"}).status_code == 403


def test_the_command_line_export(world: World, runner: FlaskCliRunner, tmp_path: Path) -> None:
    printed = runner.invoke(args=["privacy", "export", "--email", world.reporter.email])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout)["user"]["name"] == world.reporter.name

    target = tmp_path / "gegevens.json"
    written = runner.invoke(
        args=["privacy", "export", "--email", world.manager.email, "--output", str(target)]
    )
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8"))["user"]["role"] == "manager"
    assert [e.actor_id for e in log_entries("privacy_exported")] == [None, None]

    missing = runner.invoke(args=["privacy", "export", "--email", "niemand@gemeente.test"])
    assert missing.exit_code == 1 and "Er is geen gebruiker" in missing.output
