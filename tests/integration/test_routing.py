"""Routing is binding: entry by the rules, owners from the node, forwards only along edges."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from signals.auth.models import User
from signals.auth.services import set_partner_contact
from signals.clock import Clock
from signals.errors import InputInvalid
from signals.extensions import db
from signals.notifications.models import OutboxMessage
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import forward_signal, submit_signal
from tests.fixtures.app import TEST_ROUTES, IsolatedClient, csrf_token_from, make_test_app
from tests.fixtures.people import PASSWORD
from tests.helpers import Login, MakeUser, fresh

PROJECT = Path(__file__).resolve().parents[2]
# Monday 23 November 2026, 10:00 in Amsterdam
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def test_staff_and_partner_signals_with_the_same_content_enter_where_the_file_says(
    clock: Clock,
    reporter: User,
    manager: User,
    partner_reporter: User,
    intake_member: User,
    signal_data: dict[str, Any],
    app: Flask,
) -> None:
    staff = submit_signal(reporter, signal_data)
    partner = submit_signal(partner_reporter, signal_data)

    assert (staff.node, staff.owner_user_id, staff.owner_group) == ("teamleider", manager.id, None)
    assert (partner.node, partner.owner_user_id, partner.owner_group) == ("intake", None, "intake")
    version = app.extensions["signals.routes"].version
    assert staff.route_version == partner.route_version == version
    reasons = [event.data["reason"] for event in db.session.scalars(select(SignalEvent))]
    assert reasons == ["standaard", "Professional van een gecontracteerde partner"]


def test_an_acute_case_takes_the_fast_lane(
    clock: Clock, reporter: User, partner_reporter: User, signal_data: dict[str, Any]
) -> None:
    acute = {**signal_data, "urgency": "acute"}
    assert submit_signal(reporter, acute).node == "doorbraakteam"
    assert submit_signal(partner_reporter, acute).owner_group == "doorbraakteam"


def test_deadlines_come_from_the_node_clocks_in_working_days(
    clock: Clock, reporter: User, signal_data: dict[str, Any]
) -> None:
    clock.set(MONDAY)
    signal = submit_signal(reporter, signal_data)  # teamleider: defaults 2 / 10 / 20

    assert signal.accept_due == datetime(2026, 11, 25, 22, 59, 59, tzinfo=UTC)
    assert signal.feedback_due == datetime(2026, 12, 7, 22, 59, 59, tzinfo=UTC)
    assert signal.update_due == datetime(2026, 12, 21, 22, 59, 59, tzinfo=UTC)
    receipt = mails("receipt")[0]
    assert "U hoort uiterlijk 7 december 2026" in receipt.body_text


def test_a_partner_with_a_contact_person_reaches_that_person(
    clock: Clock, make_user: MakeUser, partner_reporter: User, signal_data: dict[str, Any]
) -> None:
    contact = make_user("manager", name="Mirjam Contact")
    set_partner_contact({"organisation": "Buurtteam Teststad", "contact": contact.email})

    signal = submit_signal(partner_reporter, signal_data)

    assert (signal.node, signal.owner_user_id, signal.owner_group) == ("intake", contact.id, None)
    assert [mail.recipient for mail in mails("new_signal")] == [contact.email]


def test_a_reporter_may_choose_a_direct_route_the_file_opens_to_them(
    clock: Clock, reporter: User, partner_reporter: User, signal_data: dict[str, Any]
) -> None:
    to_ombudsman = submit_signal(partner_reporter, {**signal_data, "direct_node": "ombudsman"})
    assert (to_ombudsman.node, to_ombudsman.owner_group) == ("ombudsman", "ombudsman")

    with pytest.raises(InputInvalid) as refused:
        submit_signal(reporter, {**signal_data, "direct_node": "beleid"})
    assert refused.value.fields == {
        "direct_node": ["Deze route is voor u niet rechtstreeks beschikbaar."]
    }
    with pytest.raises(InputInvalid):
        submit_signal(reporter, {**signal_data, "direct_node": "intake"})  # partners only
    assert db.session.scalar(select(db.func.count()).select_from(Signal)) == 1


def test_forward_along_an_edge_hands_over_and_tells_the_reporter(
    clock: Clock, reporter: User, manager: User, make_user: MakeUser, signal_data: dict[str, Any]
) -> None:
    member = make_user("member", groups=["casuistiek"], name="Casus Lid")
    clock.set(MONDAY)
    signal = submit_signal(reporter, signal_data)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))

    forward_signal(manager, signal.reference, {"to": "casuistiek", "message": "Past bij de tafel."})

    moved = fresh(signal)
    assert (moved.node, moved.status, moved.owner_user_id) == ("casuistiek", "new", None)
    assert moved.owner_group == "casuistiek"
    assert moved.feedback_due == datetime(2027, 1, 7, 22, 59, 59, tzinfo=UTC)  # 30 working days
    event = db.session.scalars(select(SignalEvent).where(SignalEvent.type == "forwarded")).one()
    assert event.data == {"from": "teamleider", "to": "casuistiek", "message": "Past bij de tafel."}
    [told] = mails("forwarded")
    assert told.recipient == reporter.email
    assert "Uw signaal ligt nu bij: Multidomein casuïstiekbespreking" in told.body_text
    assert "Past bij de tafel." in told.body_text
    assert [mail.recipient for mail in mails("new_signal")][-1] == member.email


def test_a_forward_off_the_graph_is_refused_and_changes_nothing(
    clock: Clock, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    before = (signal.node, signal.owner_user_id, signal.feedback_due)

    for target in ("landelijk", "teamleider", "nergens"):
        with pytest.raises(InputInvalid) as refused:
            forward_signal(manager, signal.reference, {"to": target})
        assert "Doorsturen kan vanaf hier alleen naar:" in refused.value.fields["to"][0]

    after = fresh(signal)
    assert (after.node, after.owner_user_id, after.feedback_due) == before
    assert mails("forwarded") == []


def test_the_web_forward_form_offers_only_the_edges(
    clock: Clock, login: Login, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = submit_signal(reporter, signal_data)
    session = login(manager)

    page = session.get(f"/signalen/{signal.reference}").text
    offered = set(__import__("re").findall(r'name="to" value="([a-z_]+)"', page))
    assert offered == {
        "casuistiek",
        "doorbraakteam",
        "kwestietafel",
        "beleid",
        "klachten",
        "ombudsman",
    }
    refused = session.post(f"/signalen/{signal.reference}/doorsturen", {"to": "landelijk"})
    assert refused.status_code == 422
    assert "Doorsturen kan vanaf hier alleen naar" in refused.text
    moved = session.post(f"/signalen/{signal.reference}/doorsturen", {"to": "beleid"})
    assert moved.status_code == 302
    assert fresh(signal).node == "beleid"


def test_the_report_form_previews_the_route_with_and_without_javascript(
    clock: Clock,
    login: Login,
    reporter: User,
    partner_reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    clock.set(MONDAY)
    staff = login(reporter)
    form = staff.get("/signalen/nieuw").text
    assert 'Dit signaal gaat naar: <strong data-field="label">Teamleider / teammanager' in form
    assert manager.name in form and "7 december 2026" in form

    preview = staff.post("/signalen/nieuw", {"urgency": "acute", "preview": "1", "title": "Kort"})
    assert preview.status_code == 200
    assert "Stedelijk Doorbraakteam" in preview.text and "Dit veld is verplicht" not in preview.text
    assert 'value="Kort"' in preview.text, "what was typed stays"
    as_json = staff.post("/signalen/voorbeeld", {"urgency": "acute"}).get_json()
    assert as_json["node"] == "doorbraakteam"
    assert as_json["owner"] == "Stedelijk Doorbraakteam"
    assert as_json["feedback_due"] == "30 november 2026"  # 5 working days

    partner = login(partner_reporter).post("/signalen/voorbeeld", {}).get_json()
    assert partner["node"] == "intake" and partner["owner"] == "Centrale intake signalen"
    assert db.session.scalar(select(db.func.count()).select_from(Signal)) == 0


def test_after_a_route_change_signals_keep_working_and_removed_nodes_are_listed(
    app: Flask,
    clock: Clock,
    reporter: User,
    manager: User,
    admin: User,
    signal_data: dict[str, Any],
    tmp_path: Path,
) -> None:
    signal = submit_signal(reporter, signal_data)
    forward_signal(manager, signal.reference, {"to": "kwestietafel"})
    kept = submit_signal(reporter, {**signal_data, "title": "Blijft staan"})

    config = yaml.safe_load(TEST_ROUTES.read_text())
    del config["nodes"]["kwestietafel"]
    del config["groups"]["kwestietafel"]
    del config["edges"]["kwestietafel"]
    for source, targets in config["edges"].items():
        config["edges"][source] = [
            target
            for target in targets
            if (target if isinstance(target, str) else target["to"]) != "kwestietafel"
        ]
    routes = tmp_path / "amsterdam.yaml"
    routes.write_text(yaml.safe_dump(config, allow_unicode=True))
    # Read what the test needs now: inside the other app the test's own session would
    # refresh expired objects through that app's engine.
    stranded_id, stranded_reference, kept_id, kept_reference = (
        signal.id,
        signal.reference,
        kept.id,
        kept.reference,
    )
    changed = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], ROUTES=str(routes))
    changed.test_client_class = IsolatedClient

    with changed.app_context():
        from signals.workflow.services import forward_targets, open_signals_at_removed_nodes

        stranded = db.session.get(Signal, stranded_id)
        assert stranded is not None
        assert [item.reference for item in open_signals_at_removed_nodes()] == [stranded_reference]
        assert "intake" in forward_targets(stranded) and "teamleider" in forward_targets(stranded)
        still = db.session.get(Signal, kept_id)
        assert still is not None and "beleid" in forward_targets(still)

    client = changed.test_client()
    token = csrf_token_from(client.get("/inloggen").text)
    admin_email = admin.email
    client.post("/inloggen", data={"email": admin_email, "password": PASSWORD, "csrf_token": token})
    page = client.get("/beheer/routes")
    assert page.status_code == 200
    assert stranded_reference in page.text and "kwestietafel" in page.text
    assert kept_reference not in page.text.split("Open signalen per plek")[0]
    with changed.app_context():
        db.engine.dispose()


def test_the_admin_route_page_is_for_admins_only(login: Login, reporter: User) -> None:
    assert login(reporter).get("/beheer/routes").status_code == 403
