"""Who sees and does what with a meeting, its minutes and its action items: every role.

The rules: a meeting's owners (the chair and the members of its node's group) plan it, set its
agenda, hold it and agree action items; its participants (owners and, in a leerdialoog, role
holders) and administrators read it with its minutes; the owner of an action item sees the
meeting and reports the item done, but not the minutes; anyone else does not know it exists
(404). Denied changes nothing. Someone who may see a signal may propose it for the agenda.
"""

from typing import Any

from sqlalchemy import func, select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.meetings.models import ActionItem, Meeting, MeetingEvent
from signals.notifications.models import OutboxMessage
from tests.helpers import Api, Login, MakeUser
from tests.integration.test_meetings import DUE, FEEDBACK_ON, Table

SEE = {"chair", "member", "admin", "action_owner"}
READ_MINUTES = {"chair", "member", "admin"}
ACT = {"chair", "member"}
EVERY_ROLE = (
    "chair",
    "member",
    "admin",
    "action_owner",
    "reporter",
    "partner",
    "outsider",
    "ombuds_admin",
    "privacy",
)


def counts() -> tuple[int, int, int]:
    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return count(MeetingEvent), count(OutboxMessage), count(ActionItem)


def test_every_role_against_a_meeting_its_minutes_and_its_action_items(
    api: Api, login: Login, make_user: MakeUser, clock: Clock
) -> None:
    table = Table(api, make_user)
    people: dict[str, User] = {
        "chair": table.chair,
        "member": table.member,
        "admin": make_user("admin", name="Beheerder"),
        "action_owner": make_user("professional", name="Ada Actie"),
        "reporter": table.reporters[0],
        "partner": make_user(
            "professional", organisation="Buurtteam Oost", kind="partner", name="Fatima Partner"
        ),
        "outsider": make_user("professional", name="Olaf Ander"),
        # The ombudsman's administrator reads only the ombudsman's meetings; the privacy
        # officer reads no meeting by that role.
        "ombuds_admin": make_user("ombudsman_admin", name="Olga Ombudsbeheer"),
        "privacy": make_user("privacy_officer", name="Pieter Privacy"),
    }
    meeting = table.plan()
    chair = api(table.chair)
    assert (
        chair.post(f"/meetings/{meeting}/agenda", {"signal": table.references[0]}).status_code
        == 201
    )
    item = chair.post(
        f"/meetings/{meeting}/action_items",
        {
            "description": "Navragen",
            "owner": people["action_owner"].email,
            "due": DUE.isoformat(),
            "feedback_on": FEEDBACK_ON.isoformat(),
        },
    ).get_json()["id"]

    for role in EVERY_ROLE:
        person = people[role]
        client, web = api(person), login(person)
        expected = 200 if role in SEE else 404
        assert client.get(f"/meetings/{meeting}").status_code == expected, role
        assert web.get(f"/overleggen/{meeting}").status_code == expected, role
        listed = [m["id"] for m in client.get("/meetings").get_json()["items"]]
        assert (meeting in listed) == (role in SEE), role
        if role in ACT:
            continue
        before = counts()
        denied = 403 if role in SEE else 404
        held = client.post(f"/meetings/{meeting}/minutes", {"minutes": "Niet van u."})
        assert held.status_code == denied, role
        added = client.post(
            f"/meetings/{meeting}/action_items",
            {
                "description": "X",
                "owner": person.email,
                "due": "2026-12-11",
                "feedback_on": "2026-12-14",
            },
        )
        assert added.status_code == denied, role
        if role != "action_owner":
            done = client.post(f"/action_items/{item}/done", {"note": "Niet van u."})
            assert done.status_code == denied, role
        decided = client.post(f"/meetings/{meeting}/agenda/1/decision", {"decision": "accept"})
        assert decided.status_code == 404, role
        assert counts() == before, role
        stored = db.session.get(Meeting, meeting)
        assert stored is not None and stored.status == "planned", role

    # Proposing: whoever may see the signal; partners and outsiders do not see this one.
    second = table.references[1]
    assert (
        api(table.reporters[1])
        .post(f"/meetings/{meeting}/agenda", {"signal": second})
        .get_json()["status"]
        == "proposed"
    )
    for role in ("partner", "outsider"):
        refused = api(people[role]).post(f"/meetings/{meeting}/agenda", {"signal": second})
        assert refused.status_code == 422, role

    # Held by a member; the minutes are for the participants and the administrators.
    conclusion = {"signal": table.references[0], "message": "Besproken."}
    held = api(table.member).post(
        f"/meetings/{meeting}/minutes", {"minutes": "Het verslag.", "conclusions": [conclusion]}
    )
    assert held.status_code == 200, held.get_json()
    for role in SEE:
        shown = api(people[role]).get(f"/meetings/{meeting}").get_json()
        assert (shown["minutes"] == "Het verslag.") == (role in READ_MINUTES), role
        page = login(people[role]).get(f"/overleggen/{meeting}").text
        assert ("Het verslag." in page) == (role in READ_MINUTES), role
    done = api(people["action_owner"]).post(f"/action_items/{item}/done", {"note": "Gedaan."})
    assert done.status_code == 200
