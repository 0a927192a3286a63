"""The meeting pages: plan, agenda, hold with a conclusion that forwards, agree an action item
and report it done, in forms that keep what was typed and say per field what is wrong."""

import re
from datetime import date
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from signals.clock import Clock
from signals.extensions import db
from signals.meetings.models import ActionItem, AgendaItem, Meeting
from signals.notifications.models import OutboxMessage
from tests.helpers import Api, Login, MakeUser, signal_by_reference
from tests.integration.test_meetings import Table


def test_a_table_plans_agendas_holds_and_follows_up_in_the_pages(
    api: Api, make_user: MakeUser, login: Login, clock: Clock
) -> None:
    table = Table(api, make_user)
    web = login(table.chair)
    reference = table.references[0]

    assert 'href="/overleggen"' in web.get("/signalen").text  # in the menu
    form = web.get("/overleggen/nieuw").text
    assert 'name="starts_at"' in form and 'type="datetime-local"' in form
    wrong = web.post(
        "/overleggen/nieuw",
        {"node": "casuistiek", "kind": "casuistiek", "title": "", "starts_at": "2026-12-07T10:00"},
    )
    assert wrong.status_code == 422
    assert "Dit veld is verplicht." in wrong.text and 'value="2026-12-07T10:00"' in wrong.text
    planned = web.post(
        "/overleggen/nieuw",
        {
            "node": "casuistiek",
            "kind": "casuistiek",
            "title": "Tafel december",
            "starts_at": "2026-12-07T10:00",
        },
    )
    assert planned.status_code == 302, planned.text
    meeting = db.session.scalars(select(Meeting)).one()
    assert meeting.starts_at.isoformat() == "2026-12-07T09:00:00+00:00"  # 10:00 in Amsterdam
    page = f"/overleggen/{meeting.id}"

    unknown = web.post(f"{page}/agenda", {"signal": "KM-2026-999999", "note": "Graag."})
    assert unknown.status_code == 422
    assert "bestaat niet of u kunt het niet zien" in unknown.text and "Graag." in unknown.text
    assert web.post(f"{page}/agenda", {"signal": reference}).status_code == 302
    shown = web.get(page).text
    assert reference in shown and "Overleg vastleggen" in shown
    item = re.search(r'name="conclusion-(\d+)"', shown)
    assert item is not None
    item_id = item.group(1)

    no_minutes = web.post(
        f"{page}/vastleggen",
        {f"conclusion-{item_id}": "Naar beleid.", f"then-{item_id}": "forward:beleid"},
    )
    assert no_minutes.status_code == 422 and "Naar beleid." in no_minutes.text
    held = web.post(
        f"{page}/vastleggen",
        {
            "minutes": "Eén casus besproken.",
            f"conclusion-{item_id}": "Naar beleid.",
            f"then-{item_id}": "forward:beleid",
        },
    )
    assert held.status_code == 302, held.text
    assert signal_by_reference(reference).node == "beleid"
    to_the_reporter = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == table.reporters[0].email)
    ).all()
    with_conclusion = [mail for mail in to_the_reporter if "Naar beleid." in mail.body_text]
    assert [mail.kind for mail in with_conclusion] == ["forwarded"]

    late = web.post(
        f"{page}/actiepunten",
        {
            "description": "Navragen",
            "owner": table.member.email,
            "due": "2026-12-11",
            "feedback_on": "2026-12-01",
        },
    )
    assert late.status_code == 422 and "terugkoppelmoment" in late.text.lower()
    added = web.post(
        f"{page}/actiepunten",
        {
            "description": "Navragen",
            "owner": table.member.email,
            "due": "2026-12-11",
            "feedback_on": "2026-12-14",
        },
    )
    assert added.status_code == 302, added.text
    action = db.session.scalars(select(ActionItem)).one()
    assert (action.due, action.owner_user_id) == (date(2026, 12, 11), table.member.id)

    member = login(table.member)
    assert "Navragen" in member.get("/overleggen").text  # their open action items
    done = member.post(f"/actiepunten/{action.id}/afgerond", {"note": "Gedaan."})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).status == "done"  # type: ignore[union-attr]
    assert login(table.reporters[1]).get(page).status_code == 404


def test_the_signal_page_says_when_it_is_discussed_and_its_reporter_may_propose_it(
    api: Api, make_user: MakeUser, login: Login, clock: Clock
) -> None:
    table = Table(api, make_user)
    meeting = table.plan()
    reporter, reference = table.reporters[1], table.references[1]
    mine = login(reporter)

    page = mine.get(f"/signalen/{reference}").text
    assert "Voorstellen voor de agenda" in page and "Casuïstiektafel" in page
    proposed = mine.post(f"/overleggen/voorstel/{reference}", {"meeting": str(meeting)})
    assert proposed.status_code == 302
    page = mine.get(f"/signalen/{reference}").text
    assert "Voorgesteld voor" in page and "Voorstellen voor de agenda" not in page

    chair = login(table.chair)
    agenda = chair.get(f"/overleggen/{meeting}").text
    item = re.search(r"/agenda/(\d+)/besluit", agenda)
    assert item is not None
    declined = chair.post(
        f"/overleggen/{meeting}/agenda/{item.group(1)}/besluit", {"decision": "decline"}
    )
    assert declined.status_code == 422 and "Geef de reden" in declined.text
    accepted = chair.post(
        f"/overleggen/{meeting}/agenda/{item.group(1)}/besluit", {"decision": "accept"}
    )
    assert accepted.status_code == 302
    assert "Wordt besproken in" in mine.get(f"/signalen/{reference}").text
    # Someone who may not see the signal proposes nothing: the agenda stays as it is.
    stranger = login(make_user("professional", name="Olaf Ander"))
    before = db.session.scalars(select(AgendaItem.id).order_by(AgendaItem.id)).all()
    refused = stranger.post(f"/overleggen/voorstel/{reference}", {"meeting": str(meeting)})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(AgendaItem.id).order_by(AgendaItem.id)).all() == before


def test_the_record_of_a_held_meeting_prints_and_downloads_as_pdf(
    api: Api, make_user: MakeUser, login: Login, clock: Clock
) -> None:
    table = Table(api, make_user)
    meeting = table.plan(title="Tafel met verslag")
    chair = api(table.chair)
    reference = table.references[0]
    assert chair.post(f"/meetings/{meeting}/agenda", {"signal": reference}).status_code == 201
    conclusion = {"signal": reference, "message": "Besproken: de regel knelt structureel."}
    held = chair.post(
        f"/meetings/{meeting}/minutes",
        {"minutes": "Het verslag van de tafel.", "conclusions": [conclusion]},
    )
    assert held.status_code == 200

    web = login(table.member)
    page = web.get(f"/overleggen/{meeting}/verslag")
    assert page.status_code == 200
    assert "Het verslag van de tafel." in page.text and reference in page.text
    pdf = web.get(f"/overleggen/{meeting}/verslag.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "Tafel met verslag" in text and "de regel knelt structureel" in text
    # Not for who takes no part (the reporter hears the conclusion by e-mail).
    reporter = login(table.reporters[0])
    assert reporter.get(f"/overleggen/{meeting}/verslag").status_code == 404
    assert reporter.get(f"/overleggen/{meeting}/verslag.pdf").status_code == 404


def test_the_inbox_route_map_and_plan_form_know_the_meetings(
    api: Api, make_user: MakeUser, login: Login, clock: Clock
) -> None:
    table = Table(api, make_user)
    meeting = table.plan()  # Monday 30 November 2026, 10:00 local
    chair = api(table.chair)
    chair.post(
        f"/meetings/{meeting}/action_items",
        {
            "description": "Voorschotregeling navragen",
            "owner": "casuistiek",
            "due": "2026-12-11",
            "feedback_on": "2026-12-14",
        },
    )
    member = login(table.member)

    inbox = member.get("/inbox").text
    assert "Uw open actiepunten" in inbox and "Voorschotregeling navragen" in inbox
    assert "Uw open actiepunten" not in login(table.manager).get("/inbox").text

    route_map = member.get("/routekaart").text
    casuistiek = route_map.split('<h2 id="node-casuistiek">', 1)[1].split("</section>", 1)[0]
    assert "Volgend overleg: 30 november 2026 10:00 (casuïstiekbespreking)" in casuistiek
    beleid = route_map.split('<h2 id="node-beleid">', 1)[1].split("</section>", 1)[0]
    assert "Volgend overleg" not in beleid

    # The casuïstiek table meets every six weeks: the next one is proposed from the last.
    form = member.get("/overleggen/nieuw?tafel=casuistiek").text
    assert 'value="2027-01-11T10:00"' in form and "elke 6 weken" in form


def test_a_leerdialoog_in_the_pages_roles_timeline_and_record(
    api: Api, make_user: MakeUser, login: Login, clock: Clock
) -> None:
    table = Table(api, make_user)
    case = table.references[0]
    resolution = {"outcome": "solved_individually", "rationale": "Maatwerk.", "message": "Klaar."}
    assert api(table.chair).act(case, "resolve", **resolution).status_code == 200
    web = login(table.chair)
    planned = web.post(
        "/overleggen/nieuw",
        {
            "node": "casuistiek",
            "kind": "leerdialoog",
            "title": "Leerdialoog voorschot",
            "starts_at": "2026-12-14T13:00",
            "case": case,
        },
    )
    assert planned.status_code == 302, planned.text
    meeting = db.session.scalars(select(Meeting)).one()
    page = f"/overleggen/{meeting.id}"
    assert "Nog geen rollen verdeeld." in web.get(page).text
    outsider = make_user("professional", name="Nina Buitenstaander")

    def roles(*given: tuple[str, str]) -> dict[str, str]:
        form: dict[str, str] = {}
        for row, (email, role) in enumerate(given):
            form.update({f"person-{row}": email, f"role-{row}": role})
        return form

    a_lead = roles(
        (table.manager.email, "casusinbrenger"),
        (table.member.email, "gespreksleider"),
        (outsider.email, "verdiepingspanel"),
        (table.chair.email, "notulist"),
    )
    refused = web.post(f"{page}/rollen", a_lead)
    assert refused.status_code == 422
    assert 'id="person-0-error"' in refused.text and "nooit een teamleider" in refused.text
    assert f'value="{table.manager.email}"' in refused.text  # what was typed stays
    reporter = table.reporters[0]
    given = roles(
        (reporter.email, "casusinbrenger"),
        (table.member.email, "gespreksleider"),
        (outsider.email, "verdiepingspanel"),
        (table.chair.email, "notulist"),
    )
    assert web.post(f"{page}/rollen", given).status_code == 302
    shown = web.get(page).text
    assert "Melder 1: Casusinbrenger" in shown and "drie maanden" in shown

    # The casusinbrenger fills in the timeline on the page; a wrong date is said per row.
    theirs = login(reporter)
    wrong = theirs.post(f"{page}/tijdlijn", {"date-1": "gisteren", "event-1": "Uitkering stopt"})
    assert wrong.status_code == 422 and 'id="date-1-error"' in wrong.text
    done = theirs.post(
        f"{page}/tijdlijn",
        {"date-0": "2026-10-02", "event-0": "Uitkering stopt", "parties-0": "Inkomen"},
    )
    assert done.status_code == 302
    assert "Uitkering stopt" in theirs.get(page).text

    held = web.post(
        f"{page}/vastleggen",
        {"minutes": "Gehouden.", "lessons": "Eerder samen met de inwoner praten."},
    )
    assert held.status_code == 302, held.text
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert stored is not None and stored.record == {
        "lessons": "Eerder samen met de inwoner praten."
    }
    assert "Lessen voor preventief handelen" in web.get(f"{page}/verslag").text


def test_the_hold_form_resolves_or_links_in_the_same_step(
    api: Api, make_user: MakeUser, login: Login, clock: Clock
) -> None:
    table = Table(api, make_user)
    meeting = table.plan()
    chair = api(table.chair)
    first, second = table.references[0], table.references[1]
    for reference in (first, second):
        assert chair.post(f"/meetings/{meeting}/agenda", {"signal": reference}).status_code == 201
    web = login(table.chair)
    page = f"/overleggen/{meeting}"
    ids = re.findall(r'name="conclusion-(\d+)"', web.get(page).text)
    assert len(ids) == 2
    first_id, second_id = ids  # in agenda order: first, then second
    typed = {
        "minutes": "Twee casussen.",
        f"conclusion-{first_id}": "Opgelost met maatwerk.",
        f"then-{first_id}": "resolve",
        f"outcome-{first_id}": "solved_individually",
        f"conclusion-{second_id}": "Hoort bij de kwestie.",
        f"then-{second_id}": "link",
        f"kwestie-{second_id}": str(table.kwestie),
    }
    no_rationale = web.post(f"{page}/vastleggen", typed)
    assert no_rationale.status_code == 422
    assert f'id="rationale-{first_id}-error"' in no_rationale.text
    assert "Opgelost met maatwerk." in no_rationale.text  # what was typed stays
    held = web.post(f"{page}/vastleggen", {**typed, f"rationale-{first_id}": "Hardheidsclausule."})
    assert held.status_code == 302, held.text
    assert signal_by_reference(first).status == "resolved"
    assert signal_by_reference(first).outcome == "solved_individually"
    assert signal_by_reference(second).kwestie_id == table.kwestie
