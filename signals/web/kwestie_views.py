"""Pages for kwesties (structural issues): list, detail, create, link, message and decide."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from signals import codes
from signals.auth.models import User
from signals.errors import Forbidden, InputInvalid, NotFound, StaleVersion, StateConflict
from signals.knowledge import services as knowledge
from signals.kwesties import services
from signals.kwesties.schemas import KwestieInputSchema, kwestie_nodes
from signals.ownership.services import owner_label, owner_people
from signals.routing.services import active_graph
from signals.web.forms import form_data
from signals.web.pages import (
    Page,
    current_person,
    publish_defaults,
    take_action,
    take_signal_action,
)
from signals.web.signal_context import StaleForm, last_event_id, stale_form
from signals.workflow.access import (
    Visibility,
    get_visible_signal,
    shows_reporter,
    visibility,
)
from signals.workflow.actions import KWESTIE_ACTIONS, SIGNAL_ACTIONS
from signals.workflow.models import Signal
from signals.workflow.transitions import check

bp = Blueprint("kwesties", __name__)


@bp.app_context_processor
def kwestie_helpers() -> dict[str, Any]:
    return {"kwestie_link_context": kwestie_link_context}


def kwestie_link_context(signal: Signal) -> dict[str, Any]:
    """What the "Koppelen aan een kwestie" form on a signal's page offers the current user."""
    user = current_person()
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
    user = current_person()
    return render_template(
        "web/kwesties.html",
        rows=services.list_kwesties(user),
        may_create=services.may_create_kwestie(user),
    )


@bp.route("/kwesties/nieuw", methods=["GET", "POST"])
def new_kwestie() -> Page:
    user = current_person()
    if not services.may_create_kwestie(user):
        abort(403)
    if request.method == "GET":
        return _kwestie_form(_prefill(user))
    values = form_data(request.form, KwestieInputSchema())
    try:
        kwestie = services.create_kwestie(user, values)
    except InputInvalid as error:
        return _kwestie_form(values, error.fields), 422
    except StaleVersion as error:
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
            is_owner=signal.is_owned_by(user),
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
    user = current_person()
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


def _stale_kwestie_form(user: User, values: dict[str, Any], error: StaleVersion) -> tuple[str, int]:
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
    user = current_person()
    kwestie = services.get_visible_kwestie(user, kwestie_id)
    linked = services.linked_signals_for(user, kwestie)
    article = knowledge.article_of_kwestie(kwestie)
    return render_template(
        "web/kwestie_detail.html",
        kwestie=kwestie,
        article=article,
        publish_defaults=publish_defaults(article, kwestie.title),
        linked=linked,
        stale=stale,
        seen_event=last_event_id(kwestie.events),
        timeline=services.kwestie_timeline(user, kwestie),
        owner=owner_label(kwestie.owner),
        owners=owner_people(kwestie.owner) if kwestie.owner_user is None else [],
        is_owner=kwestie.is_owned_by(user),
        form=form,
        values=values or {},
        errors=errors or {},
    )


# The kwestie page's actions by their URL part: ``/kwesties/<id>/<slug>``.
KWESTIE_ACTIONS_BY_SLUG = {
    action.slug: action for action in KWESTIE_ACTIONS.values() if action.slug
}


@bp.app_template_global()
def kwestie_action_url(kwestie_id: int, action: str) -> str:
    """Where the form of ``action`` on the page of kwestie ``kwestie_id`` is sent."""
    return url_for("kwesties.post_action", kwestie_id=kwestie_id, slug=KWESTIE_ACTIONS[action].slug)


# Only the registry's URL parts match: another path is not found (404), not a refused method.
@bp.post(f"/kwesties/<int:kwestie_id>/<any({', '.join(KWESTIE_ACTIONS_BY_SLUG)}):slug>")
def post_action(kwestie_id: int, slug: str) -> Page:
    return take_action(
        KWESTIE_ACTIONS_BY_SLUG[slug],
        kwestie_id,
        page_again=_kwestie_page,
        stale_page=_stale_kwestie_page,
        then=url_for("kwesties.show_kwestie", kwestie_id=kwestie_id),
    )


def _stale_kwestie_page(
    kwestie_id: int, form: str, values: dict[str, Any], error: StateConflict | Forbidden
) -> tuple[str, int]:
    """After a form from an older page: the kwestie now, what changed, the typed text (409).

    What changed is the kwestie's history as this person may see it; a refusal that has
    nothing to do with a change since that page is raised again.
    """
    user = current_person()
    kwestie = services.get_visible_kwestie(user, kwestie_id)
    timeline = services.kwestie_timeline(user, kwestie)
    stale = stale_form(error, timeline, request.form, kwestie.version)
    if stale is None:
        raise error
    return _kwestie_page(kwestie_id, form=form, values=values, stale=stale), 409


@bp.post("/kwesties/koppelen/<reference>")
def post_link(reference: str) -> Page:
    return take_signal_action(reference, SIGNAL_ACTIONS["link"])
