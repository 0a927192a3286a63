"""Pages for kwesties (structural issues): list, detail, create, link, message and decide."""

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import Schema

from signals import codes
from signals.auth.models import User
from signals.errors import ActionNotAllowed, Conflict, Forbidden, InputInvalid, NotFound
from signals.kwesties import services
from signals.kwesties.models import Kwestie
from signals.kwesties.schemas import (
    DecideSchema,
    KwestieInputSchema,
    KwestieMessageSchema,
    LinkSchema,
    kwestie_nodes,
)
from signals.routing.services import active_graph
from signals.web.forms import form_data
from signals.web.signal_context import StaleForm, last_event_id, stale_form
from signals.web.views import Page, _signal_page, _user, stale_signal_page
from signals.workflow.access import Visibility, is_owner, shows_reporter, visibility
from signals.workflow.models import Signal
from signals.workflow.services import get_visible_signal
from signals.workflow.transitions import check

bp = Blueprint("kwesties", __name__)


@bp.app_context_processor
def kwestie_helpers() -> dict[str, Any]:
    return {"kwestie_link_context": kwestie_link_context}


def kwestie_link_context(signal: Signal) -> dict[str, Any]:
    """What the "Koppelen aan een kwestie" form on a signal's page offers the current user."""
    user = _user()
    current = signal.kwestie
    return {
        "current": current
        if current is not None and services.may_see_kwestie(user, current.id)
        else None,
        "open_kwesties": services.open_kwesties(user),
        "suggestions": services.suggest_for(user, signal),
    }


@bp.get("/kwesties")
def list_kwesties() -> str:
    user = _user()
    return render_template(
        "web/kwesties.html",
        rows=services.list_kwesties(user),
        may_create=services.may_create_kwestie(user),
    )


@bp.route("/kwesties/nieuw", methods=["GET", "POST"])
def new_kwestie() -> Page:
    user = _user()
    if not services.may_create_kwestie(user):
        abort(403)
    if request.method == "GET":
        return _kwestie_form(_prefill(user))
    values = form_data(request.form, KwestieInputSchema())
    try:
        kwestie = services.create_kwestie(user, values)
    except InputInvalid as error:
        return _kwestie_form(values, error.fields), 422
    except Conflict as error:
        return _stale_kwestie_form(user, values, error)
    done = "De kwestie is aangemaakt."
    if values.get("from_signal"):
        done += f" Signaal {values['from_signal']} is eraan gekoppeld; de melder krijgt bericht."
    if not services.may_see_kwestie(user, kwestie.id):
        # An independent node (the ombudsman): the creator sees only where it went.
        label = active_graph().nodes[kwestie.node].label
        flash(
            f"{done} Ze ligt nu bij {label}, een onafhankelijke plek in de route; u ziet de "
            "inhoud ervan niet.",
            "success",
        )
        return redirect(url_for("kwesties.list_kwesties"))
    flash(done, "success")
    return redirect(url_for("kwesties.show_kwestie", kwestie_id=kwestie.id))


def _prefill(user: User) -> dict[str, Any]:
    """Form values from the query: a signal to start from, or a mechanism (pattern alert)."""
    values: dict[str, Any] = {}
    for name, options in (
        ("regulation", codes.REGULATIONS),
        ("source_organisation", codes.SOURCE_ORGANISATIONS),
        ("level", codes.LEVELS),
    ):
        value = request.args.get(name, "")
        if value in options:
            values[name] = value
    reference = request.args.get("signaal", "").strip()
    if reference:
        signal = get_visible_signal(user, reference)
        # Starting from a signal links it: only its owner can, and only while it is open.
        check(
            "link",
            signal.status,
            is_owner=is_owner(user, signal),
            is_reporter=signal.reporter_id == user.id,
        )
        values.update(
            from_signal=signal.reference,
            version=signal.version,
            title=signal.title,
            regulation=signal.regulations[0] if signal.regulations else None,
            level=signal.level,
            source_organisation=signal.source_organisation,
        )
    kinds = kwestie_nodes()
    values.setdefault("node", next(iter(kinds), None))
    return values


def _kwestie_form(
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    stale: StaleForm | None = None,
) -> str:
    user = _user()
    source: Signal | None = None
    if values.get("from_signal"):
        source = _visible_or_none(user, str(values["from_signal"]))
    suggestions = services.suggest_for(user, source if source is not None else values)
    return render_template(
        "web/kwestie_form.html",
        values=values,
        errors=errors or {},
        nodes=kwestie_nodes(),
        source=source,
        suggestions=suggestions,
        stale=stale,
        seen_event=last_event_id(source.events) if source is not None else 0,
        shows_reporter=source is not None and shows_reporter(user, source),
    )


def _stale_kwestie_form(user: User, values: dict[str, Any], error: Conflict) -> tuple[str, int]:
    """The form again after the signal it starts from changed: what changed, fresh version."""
    source = _visible_or_none(user, str(values.get("from_signal") or ""))
    if source is None:
        raise error
    stale = stale_form(error, source.events, request.form, source.version)
    return _kwestie_form({**values, "version": source.version}, stale=stale), 409


def _visible_or_none(user: User, reference: str) -> Signal | None:
    try:
        signal = get_visible_signal(user, reference)
    except NotFound:  # shown without its source; the service refuses the reference
        return None
    return signal if visibility(user, signal) == Visibility.FULL else None


@bp.get("/kwesties/<int:kwestie_id>")
def show_kwestie(kwestie_id: int) -> str:
    return _kwestie_page(kwestie_id)


def _kwestie_page(
    kwestie_id: int,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    stale: StaleForm | None = None,
) -> str:
    user = _user()
    kwestie = services.get_visible_kwestie(user, kwestie_id)
    linked = services.linked_signals_for(user, kwestie)
    return render_template(
        "web/kwestie_detail.html",
        kwestie=kwestie,
        linked=linked,
        stale=stale,
        seen_event=last_event_id(kwestie.events),
        timeline=services.kwestie_timeline(user, kwestie),
        owner=_owner_label(kwestie),
        owners=services.kwestie_owners(kwestie) if kwestie.owner_user is None else [],
        is_owner=services.is_kwestie_owner(user, kwestie),
        form=form,
        values=values or {},
        errors=errors or {},
    )


def _owner_label(kwestie: Kwestie) -> str:
    if kwestie.owner_user is not None:
        return kwestie.owner_user.name
    return active_graph().group_label(kwestie.owner_group or "")


KwestieAction = Callable[[User, int, Mapping[str, Any]], Kwestie]


def _post_kwestie_action(
    kwestie_id: int, form: str, run: KwestieAction, schema: Schema, done: str
) -> Page:
    values = form_data(request.form, schema)
    try:
        run(_user(), kwestie_id, values)
    except InputInvalid as error:
        return _kwestie_page(kwestie_id, form=form, values=values, errors=error.fields), 422
    except (ActionNotAllowed, Forbidden) as error:
        return _stale_kwestie_page(kwestie_id, form, values, error)
    flash(done, "success")
    return redirect(url_for("kwesties.show_kwestie", kwestie_id=kwestie_id))


def _stale_kwestie_page(
    kwestie_id: int, form: str, values: dict[str, Any], error: ActionNotAllowed | Forbidden
) -> tuple[str, int]:
    """After a form from an older page: the kwestie now, what changed, the typed text (409).

    What changed is the kwestie's history as this person may see it; a refusal that has
    nothing to do with a change since that page is raised again.
    """
    user = _user()
    kwestie = services.get_visible_kwestie(user, kwestie_id)
    timeline = services.kwestie_timeline(user, kwestie)
    stale = stale_form(error, timeline, request.form, kwestie.version)
    if stale is None:
        raise error
    return _kwestie_page(kwestie_id, form=form, values=values, stale=stale), 409


@bp.post("/kwesties/<int:kwestie_id>/bericht")
def post_message(kwestie_id: int) -> Page:
    return _post_kwestie_action(
        kwestie_id,
        "message",
        services.kwestie_message,
        KwestieMessageSchema(),
        "Uw bericht is verstuurd naar alle gekoppelde melders (één e-mail per melder).",
    )


@bp.post("/kwesties/<int:kwestie_id>/besluit")
def post_decision(kwestie_id: int) -> Page:
    return _post_kwestie_action(
        kwestie_id,
        "decide",
        services.decide_kwestie,
        DecideSchema(),
        "Het besluit is vastgelegd; de open gekoppelde signalen zijn afgehandeld en de melders "
        "krijgen bericht.",
    )


@bp.post("/kwesties/koppelen/<reference>")
def post_link(reference: str) -> Page:
    values = form_data(request.form, LinkSchema())
    try:
        services.link_signal(_user(), reference, values)
    except InputInvalid as error:
        return _signal_page(reference, form="link", values=values, errors=error.fields), 422
    except (ActionNotAllowed, Forbidden) as error:
        return stale_signal_page(reference, "link", values, error)
    flash("Het signaal is aan de kwestie gekoppeld; de melder krijgt bericht.", "success")
    return redirect(url_for("web.show_signal", reference=reference))
