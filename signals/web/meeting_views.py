"""Pages for meetings.

A person's meetings and action items, planning one, and one meeting's page where its owners
set the agenda, decide proposals, hold it and agree action items.
"""

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from signals import codes
from signals.audit.services import Subject, log_access
from signals.clock import now
from signals.errors import Forbidden, InputInvalid, NotFound, StateConflict
from signals.meetings import leerdialoog, services
from signals.meetings.models import ItemStatus, Meeting
from signals.meetings.schemas import (
    MEETING_KINDS,
    ROLE_LABELS,
    ActionItemSchema,
    AgendaSchema,
    DecisionSchema,
    DoneSchema,
    PlanMeetingSchema,
)
from signals.pdf import pdf_from_html
from signals.routing.services import active_graph
from signals.settings import settings
from signals.web.forms import form_data
from signals.web.pages import Page, current_person

bp = Blueprint("meetings", __name__)
ROLE_ROWS = 8  # people in a leerdialoog, on the page (the API takes up to 40)
TIMELINE_ROWS = 10
# The fields of a conclusion's follow-up on the hold form, per agenda item (``then-<id>`` …).
FOLLOW_UP_FIELDS = ("then", "outcome", "rationale", "kwestie")
RECORD_HEADINGS = {
    "dominant_views": "Dominante opvattingen",
    "values": "Onderliggende waarden",
    "crucial_moments": "Cruciale momenten en wendingen",
    "lessons": "Lessen voor preventief handelen",
}


@bp.app_context_processor
def meeting_helpers() -> dict[str, Any]:
    return {
        "signal_meetings": signal_meetings,
        "my_open_action_items": lambda: services.open_action_items_for(current_person()),
        "next_meetings": lambda: services.next_meetings(now()),
        "meeting_kind": services.kind_label,
    }


def signal_meetings(signal: Any) -> dict[str, Any]:
    """For a signal's page: the meetings it is on, and those its viewer may propose it for."""
    items = services.agenda_of_signal(signal)
    return {
        "items": items,
        "proposable": services.proposable_meetings(signal, items),
        "kind_label": services.kind_label,
    }


@bp.post("/overleggen/voorstel/<reference>")
def propose_signal(reference: str) -> Page:
    """Propose (or, for an owner, agenda) a signal for a meeting, from the signal's page."""
    user = current_person()
    raw = request.form.get("meeting", "")
    meeting_id = int(raw) if raw.isdigit() and len(raw) <= 9 else 0
    try:
        item = services.add_to_agenda(user, meeting_id, {"signal": reference})
    except (InputInvalid, StateConflict, NotFound) as error:
        flash(getattr(error, "message", "Dit kon niet."), "error")
        return redirect(url_for("web.show_signal", reference=reference))
    done = (
        "Voorgesteld voor het overleg; de voorzitter beslist."
        if item.status == "proposed"
        else "Op de agenda gezet."
    )
    flash(done, "success")
    return redirect(url_for("web.show_signal", reference=reference))


@bp.get("/overleggen")
def list_meetings() -> str:
    user = current_person()
    return render_template(
        "web/meetings.html",
        meetings=services.list_meetings(user),
        action_items=services.open_action_items_for(user),
        kind_label=services.kind_label,
        may_plan=bool(services.meeting_nodes(user)),
    )


@bp.route("/overleggen/nieuw", methods=["GET", "POST"])
def new_meeting() -> Page:
    user = current_person()
    nodes = services.meeting_nodes(user)
    if not nodes:
        abort(403)
    if request.method == "GET":
        node = request.args.get("tafel", "")
        node = node if node in nodes else next(iter(nodes))
        values: dict[str, Any] = {"node": node, "kind": "casuistiek"}
        suggestion = services.suggested_start(node, now())
        if suggestion is not None:
            local = suggestion.astimezone(settings().zone)
            values["starts_at"] = local.strftime("%Y-%m-%dT%H:%M")
        return _plan_form(values, suggested=suggestion is not None)
    values = form_data(request.form, PlanMeetingSchema())
    try:
        meeting = services.plan_meeting(user, {**values, "starts_at": _aware(values)})
    except InputInvalid as error:
        return _plan_form(values, error.fields), 422
    flash("Het overleg is gepland.", "success")
    return redirect(url_for("meetings.show_meeting", meeting_id=meeting.id))


@bp.get("/overleggen/<int:meeting_id>")
def show_meeting(meeting_id: int) -> str:
    return _meeting_page(meeting_id)


@bp.get("/overleggen/<int:meeting_id>/verslag")
def meeting_record(meeting_id: int) -> str:
    """The meeting's record for the archive, printable (participants and administrators)."""
    return _record_html(meeting_id)


@bp.get("/overleggen/<int:meeting_id>/verslag.pdf")
def meeting_record_pdf(meeting_id: int) -> Response:
    pdf = pdf_from_html(_record_html(meeting_id))
    log_access(current_person(), "meeting_record_exported", Subject("meeting", str(meeting_id)))
    name = f"verslag-overleg-{meeting_id}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _record_html(meeting_id: int) -> str:
    user = current_person()
    meeting = services.get_visible_meeting(user, meeting_id)
    if not services.may_read_minutes(user, meeting):
        abort(404)
    return render_template(
        "web/meeting_record.html",
        meeting=meeting,
        kind_label=services.kind_label,
        role_label=lambda role: ROLE_LABELS.get(role, role),
        record_headings=RECORD_HEADINGS,
        visible=services.visible_references(user, meeting),
    )


@bp.post("/overleggen/<int:meeting_id>/agenda")
def add_to_agenda(meeting_id: int) -> Page:
    values = form_data(request.form, AgendaSchema())
    return _act(meeting_id, "agenda", values, "Op de agenda gezet.", services.add_to_agenda)


@bp.post("/overleggen/<int:meeting_id>/agenda/<int:item_id>/besluit")
def decide_proposal(meeting_id: int, item_id: int) -> Page:
    values = form_data(request.form, DecisionSchema())

    def decide(user: Any, key: int, data: dict[str, Any]) -> object:
        return services.decide_proposal(user, key, item_id, data)

    form = f"decision-{item_id}"
    return _act(meeting_id, form, values, "Het voorstel is besloten.", decide)


@bp.post("/overleggen/<int:meeting_id>/vastleggen")
def hold_meeting(meeting_id: int) -> Page:
    user = current_person()
    meeting = services.get_visible_meeting(user, meeting_id)
    typed = {name: request.form.get(name, "") for name in ("minutes", *RECORD_HEADINGS)}
    values = dict(typed)
    conclusions, positions = _conclusions(meeting, request.form)
    for item in meeting.items:
        for name in ("conclusion", *FOLLOW_UP_FIELDS):
            values[f"{name}-{item.id}"] = request.form.get(f"{name}-{item.id}", "")
    try:
        payload = {**typed, "conclusions": conclusions}
        services.hold_meeting(user, meeting_id, payload)
    except InputInvalid as error:
        return _meeting_page(meeting_id, "hold", values, _per_item(error.fields, positions)), 422
    except (StateConflict, Forbidden) as error:
        return _refused(meeting_id, error)
    flash("Het overleg is vastgelegd; de melders krijgen de conclusie.", "success")
    return redirect(url_for("meetings.show_meeting", meeting_id=meeting_id))


@bp.post("/overleggen/<int:meeting_id>/rollen")
def set_roles(meeting_id: int) -> Page:
    """The leerdialoog's roles, one row per person on the page."""
    values, roles, rows = _rows(request.form, ("person", "role"), ROLE_ROWS)
    body = {"roles": [{"person": row["person"], "role": row.get("role", "")} for row in roles]}
    try:
        leerdialoog.set_roles(current_person(), meeting_id, body)
    except InputInvalid as error:
        errors = _per_row(error.fields, "roles", rows)
        return _meeting_page(meeting_id, "roles", values, errors), 422
    except (StateConflict, Forbidden) as error:
        return _refused(meeting_id, error)
    flash("De rollen zijn vastgelegd.", "success")
    return redirect(url_for("meetings.show_meeting", meeting_id=meeting_id))


@bp.post("/overleggen/<int:meeting_id>/tijdlijn")
def set_timeline(meeting_id: int) -> Page:
    """The case's timeline, one row per moment on the page."""
    values, entries, rows = _rows(request.form, ("date", "event", "parties"), TIMELINE_ROWS)
    try:
        leerdialoog.set_timeline(current_person(), meeting_id, {"entries": entries})
    except InputInvalid as error:
        errors = _per_row(error.fields, "entries", rows)
        return _meeting_page(meeting_id, "timeline", values, errors), 422
    except (StateConflict, Forbidden) as error:
        return _refused(meeting_id, error)
    flash("De tijdlijn is vastgelegd.", "success")
    return redirect(url_for("meetings.show_meeting", meeting_id=meeting_id))


@bp.post("/overleggen/<int:meeting_id>/actiepunten")
def add_action_item(meeting_id: int) -> Page:
    values = form_data(request.form, ActionItemSchema())
    done = "Het actiepunt is vastgelegd; de eigenaar krijgt bericht."
    return _act(meeting_id, "action", values, done, services.add_action_item)


@bp.post("/actiepunten/<int:item_id>/afgerond")
def complete_action_item(item_id: int) -> Page:
    user = current_person()
    values = form_data(request.form, DoneSchema())
    try:
        item = services.complete_action_item(user, item_id, values)
    except InputInvalid as error:
        meeting_id = services.action_item_meeting(user, item_id)
        form = f"done-{item_id}"
        return _meeting_page(meeting_id, form, values, error.fields), 422
    except (StateConflict, Forbidden) as error:
        return _refused(services.action_item_meeting(user, item_id), error)
    flash("Het actiepunt is afgerond.", "success")
    return redirect(url_for("meetings.show_meeting", meeting_id=item.meeting_id))


# Pieces -------------------------------------------------------------------------------------


def _act(meeting_id: int, form: str, values: dict[str, Any], done: str, service: Any) -> Page:
    try:
        service(current_person(), meeting_id, values)
    except InputInvalid as error:
        return _meeting_page(meeting_id, form, values, error.fields), 422
    except (StateConflict, Forbidden) as error:
        return _refused(meeting_id, error)
    flash(done, "success")
    return redirect(url_for("meetings.show_meeting", meeting_id=meeting_id))


def _refused(meeting_id: int, error: StateConflict | Forbidden) -> tuple[str, int]:
    status = 403 if isinstance(error, Forbidden) else 409
    return _meeting_page(meeting_id, refusal=error.message), status


def _meeting_page(
    meeting_id: int,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    refusal: str | None = None,
) -> str:
    user = current_person()
    meeting = services.get_visible_meeting(user, meeting_id)
    visible = services.visible_references(user, meeting)
    return render_template(
        "web/meeting.html",
        meeting=meeting,
        kind_label=services.kind_label,
        visible=visible,
        is_owner=services.is_meeting_owner(user, meeting),
        reads_minutes=services.may_read_minutes(user, meeting),
        follow_up_options=_follow_up_options(meeting, visible),
        outcomes=codes.OUTCOMES,
        form=form,
        values=values or {},
        errors=errors or {},
        refusal=refusal,
        me=user,
        warnings=leerdialoog.warnings(meeting),
        role_labels={str(role): label for role, label in ROLE_LABELS.items()},
        record_headings=RECORD_HEADINGS,
        role_rows=ROLE_ROWS,
        timeline_rows=TIMELINE_ROWS,
        brings_the_case=any(
            given.user_id == user.id and given.role == "casusinbrenger" for given in meeting.roles
        ),
    )


def _plan_form(
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    *,
    suggested: bool = False,
) -> str:
    nodes = services.meeting_nodes(current_person())
    return render_template(
        "web/meeting_form.html",
        values=values,
        errors=errors or {},
        nodes={key: node.label for key, node in nodes.items()},
        kinds={str(kind): label for kind, label in MEETING_KINDS.items()},
        suggested=suggested,
        cadence=_cadence_of(str(values.get("node", ""))),
    )


def _cadence_of(node_key: str) -> str | None:
    node = active_graph().nodes.get(node_key)
    return node.cadence.describe() if node is not None and node.cadence is not None else None


def _aware(values: dict[str, Any]) -> str | None:
    """The form's local date and time (``2026-12-07T10:00``) as an ISO moment with its zone."""
    typed = values.get("starts_at")
    if not typed:
        return None
    try:
        local = datetime.fromisoformat(str(typed))
    except ValueError:
        return str(typed)  # the schema says what is wrong with it
    if local.tzinfo is None:
        local = local.replace(tzinfo=settings().zone)
    return local.isoformat()


def _follow_up_options(meeting: Meeting, visible: set[str]) -> dict[int, dict[str, str]]:
    """Per agendered signal item: what may follow its conclusion in the same step."""
    graph = active_graph()
    options: dict[int, dict[str, str]] = {}
    for item in meeting.items:
        signal = item.signal
        if signal is None or item.status != ItemStatus.AGENDERED or not signal.is_open:
            continue
        if signal.reference in visible and signal.node in graph.nodes:
            options[item.id] = {
                **{
                    f"forward:{key}": f"Doorsturen naar {graph.nodes[key].label}"
                    for key in graph.next_nodes(signal.node)
                },
                "resolve": "Afhandelen (met uitkomst en onderbouwing)",
                "link": "Koppelen aan een kwestie (met haar nummer)",
            }
    return options


def _then(item_id: int, form: MultiDict[str, str]) -> dict[str, Any] | None:
    """The follow-up chosen for an item (``then-<id>``) with the fields it needs."""
    chosen = form.get(f"then-{item_id}", "")
    if not chosen:
        return None
    if chosen.startswith("forward:"):
        return {"action": "forward", "to": chosen.removeprefix("forward:")}
    needs = {"resolve": ("outcome", "rationale"), "link": ("kwestie",)}.get(chosen, ())
    fields = {name: form.get(f"{name}-{item_id}", "").strip() for name in needs}
    return {"action": chosen, **{name: value for name, value in fields.items() if value}}


def _conclusions(
    meeting: Meeting, form: MultiDict[str, str]
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The conclusions typed on the page, and which item each position in the list is."""
    conclusions: list[dict[str, Any]] = []
    positions: dict[int, int] = {}
    for item in meeting.items:
        message = form.get(f"conclusion-{item.id}", "").strip()
        if item.status != ItemStatus.AGENDERED or not message:
            continue
        if item.signal is not None:
            conclusion: dict[str, Any] = {"signal": item.signal.reference, "message": message}
            then = _then(item.id, form)
            if then is not None:
                conclusion["then"] = then
        elif item.kwestie_id is not None:
            conclusion = {"kwestie": item.kwestie_id, "message": message}
        else:
            continue
        positions[len(conclusions)] = item.id
        conclusions.append(conclusion)
    return conclusions, positions


def _rows(
    form: MultiDict[str, str], names: tuple[str, ...], count: int
) -> tuple[dict[str, str], list[dict[str, str]], dict[int, int]]:
    """A table of inputs (``person-0``, ``role-0`` …).

    What was typed, the rows filled in, and which row each of those is.
    """
    values: dict[str, str] = {}
    filled: list[dict[str, str]] = []
    rows: dict[int, int] = {}
    for row in range(count):
        typed = {name: form.get(f"{name}-{row}", "").strip() for name in names}
        values.update({f"{name}-{row}": value for name, value in typed.items()})
        if any(typed.values()):
            rows[len(filled)] = row
            filled.append({name: value for name, value in typed.items() if value})
    return values, filled, rows


def _per_row(
    errors: dict[str, list[str]], prefix: str, rows: dict[int, int]
) -> dict[str, list[str]]:
    """``roles.2.person`` becomes ``person-<row>``: the message next to the input it is about."""
    mapped: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == prefix and len(parts) == 3 and parts[1].isdigit():
            key = f"{parts[2]}-{rows.get(int(parts[1]), 0)}"
        mapped.setdefault(key, []).extend(messages)
    return mapped


def _per_item(errors: dict[str, list[str]], positions: dict[int, int]) -> dict[str, list[str]]:
    """``conclusions.2.message`` becomes ``conclusion-<item id>``, for the field on the page."""
    mapped: dict[str, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "conclusions" and len(parts) >= 2 and parts[1].isdigit():
            item_id = positions.get(int(parts[1]))
            name = "conclusion"
            if "then" in parts:
                field = parts[-1]
                name = field if field in ("outcome", "rationale", "kwestie") else "then"
            mapped.setdefault(f"{name}-{item_id}", []).extend(messages)
        else:
            mapped.setdefault(key, []).extend(messages)
    return mapped
