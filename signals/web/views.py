"""Pages for reporters and owners: the report form, my signals, the inbox and a signal's page."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import Schema
from werkzeug.wrappers import Response

from signals.auth.models import User
from signals.clock import now
from signals.errors import InputInvalid
from signals.notifications import services as outbox
from signals.notifications.delivery import MAX_ATTEMPTS
from signals.routing.services import active_graph, direct_choices, preview_entry
from signals.web.filters import local_datetime
from signals.web.forms import form_data
from signals.workflow import access, services
from signals.workflow.inbox import REPORTER_KINDS, InboxFilters, inbox_page, reporters_shown
from signals.workflow.models import Signal
from signals.workflow.schemas import (
    SURVEY_SCORES,
    AcceptSchema,
    FeedbackSchema,
    ForwardSchema,
    MessageSchema,
    ResolveSchema,
    SignalInputSchema,
    SurveySchema,
)

bp = Blueprint("web", __name__)

Page = str | Response | tuple[str, int]


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.get("/")
def home() -> Response:
    target = "web.inbox" if _user().can_triage else "web.my_signals"
    return redirect(url_for(target))


@bp.route("/signalen/nieuw", methods=["GET", "POST"])
def new_signal() -> Page:
    if request.method == "GET":
        return _signal_form({})
    values = form_data(request.form, SignalInputSchema())
    if request.form.get("preview"):
        return _signal_form(values)
    try:
        signal = services.submit_signal(_user(), values)
    except InputInvalid as error:
        return _signal_form(values, error.fields), 422
    flash(
        f"Uw signaal is ontvangen met kenmerk {signal.reference}. "
        "U krijgt een bevestiging per e-mail.",
        "success",
    )
    return redirect(url_for("web.show_signal", reference=signal.reference))


@bp.post("/signalen/voorbeeld")
def preview_route() -> dict[str, str]:
    """The route preview of the report form, for the script that updates it while typing."""
    values = form_data(request.form, SignalInputSchema())
    return _describe_preview(values)


def _signal_form(values: dict[str, Any], errors: dict[str, list[str]] | None = None) -> str:
    return render_template(
        "web/signal_form.html",
        values=values,
        errors=errors or {},
        preview=_describe_preview(values),
        direct_options={node.key: node.label for node in direct_choices(_user())},
    )


def _describe_preview(values: dict[str, Any]) -> dict[str, str]:
    decision = preview_entry(_user(), values, now())
    return {
        "node": decision.node.key,
        "label": decision.node.label,
        "owner": decision.owner.describe(active_graph()),
        "feedback_due": local_datetime(decision.deadlines.feedback_due, with_time=False),
        "reason": decision.reason,
        "description": decision.node.description,
    }


@bp.get("/signalen")
def my_signals() -> str:
    return render_template("web/my_signals.html", signals=services.signals_reported_by(_user()))


@bp.get("/inbox")
def inbox() -> Page:
    user = _user()
    if not user.can_triage:
        abort(403)
    values = form_data(request.args, InboxFilters())
    options = {
        "nodes": {key: node.label for key, node in active_graph().nodes.items()},
        "reporter_kinds": REPORTER_KINDS,
    }
    try:
        page = inbox_page(user, values, now())
    except InputInvalid as error:
        return (
            render_template(
                "web/inbox.html", page=None, values=values, errors=error.fields, **options
            ),
            422,
        )
    return render_template(
        "web/inbox.html",
        page=page,
        values=values,
        errors={},
        reporters_shown=reporters_shown(user, page.signals),
        **options,
    )


@bp.post("/inbox/accepteren")
def post_bulk_accept() -> Response:
    user = _user()
    if not user.can_triage:
        abort(403)
    references = [reference.strip() for reference in request.form.getlist("references")]
    references = [reference for reference in references if reference]
    if not references:
        flash("Selecteer eerst de signalen die u in behandeling wilt nemen.", "error")
        return redirect(url_for("web.inbox"))
    result = services.accept_signals(user, references)
    accepted = len(result.accepted)
    flash(
        f"{accepted} {'signaal' if accepted == 1 else 'signalen'} in behandeling genomen.",
        "success" if accepted else "error",
    )
    refusals = list(result.refused.items())
    shown = 10  # one notice per refusal, up to here (the notices travel in the session cookie)
    for reference, reason in refusals[:shown]:
        flash(f"{reference[:20]}: {reason}", "error")
    if len(refusals) > shown:
        flash(f"En nog {len(refusals) - shown} niet in behandeling genomen.", "error")
    return redirect(url_for("web.inbox"))


@bp.get("/signalen/<reference>")
def show_signal(reference: str) -> str:
    return _signal_page(reference)


@bp.route("/signalen/<reference>/evaluatie", methods=["GET", "POST"])
def survey(reference: str) -> Page:
    """The reporter's verdict after resolution, asked for by e-mail."""
    user = _user()
    signal = services.survey_signal(user, reference)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = form_data(request.form, SurveySchema())
        try:
            services.answer_survey(user, reference, values)
        except InputInvalid as error:
            errors = error.fields
        else:
            flash("Dank u wel voor uw oordeel.", "success")
            return redirect(url_for("web.survey", reference=reference))
    page = render_template(
        "web/survey.html",
        signal=signal,
        answer=services.survey_answer(signal),
        scores=SURVEY_SCORES,
        values=values,
        errors=errors,
        reopen_days=current_app.config["REOPEN_WINDOW_DAYS"],
    )
    return (page, 422) if errors else page


@dataclass(frozen=True)
class WebAction:
    """How the page offers one action: its service, its input schema and what it says after."""

    form: str
    run: Callable[[User, str, Mapping[str, Any]], Signal]
    schema: type[Schema]
    done: str


WEB_ACTIONS: dict[str, WebAction] = {
    "accepteren": WebAction(
        "accept",
        services.accept_signal,
        AcceptSchema,
        "U heeft het signaal in behandeling genomen; de melder krijgt bericht.",
    ),
    "doorsturen": WebAction(
        "forward",
        services.forward_signal,
        ForwardSchema,
        "Het signaal is doorgestuurd; de nieuwe eigenaar en de melder krijgen bericht.",
    ),
    "vraag": WebAction(
        "request_info",
        services.request_info,
        MessageSchema,
        "Uw vraag is naar de melder gestuurd; de termijnen staan stil tot het antwoord.",
    ),
    "antwoord": WebAction(
        "reply",
        services.reply_to_question,
        MessageSchema,
        "Uw antwoord is verstuurd; het signaal is weer in behandeling.",
    ),
    "terugkoppeling": WebAction(
        "feedback",
        services.give_feedback,
        FeedbackSchema,
        "Uw terugkoppeling is verstuurd naar de melder.",
    ),
    "afhandelen": WebAction(
        "resolve",
        services.resolve_signal,
        ResolveSchema,
        "Het signaal is afgehandeld; de melder krijgt uw bericht per e-mail.",
    ),
    "heropenen": WebAction(
        "reopen",
        services.reopen_signal,
        MessageSchema,
        "Het signaal is heropend.",
    ),
}


@bp.post("/signalen/<reference>/<slug>")
def post_action(reference: str, slug: str) -> Page:
    action = WEB_ACTIONS.get(slug)
    if action is None:
        abort(404)
    values = form_data(request.form, action.schema())
    try:
        action.run(_user(), reference, values)
    except InputInvalid as error:
        return _signal_page(reference, form=action.form, values=values, errors=error.fields), 422
    flash(action.done, "success")
    return redirect(url_for("web.show_signal", reference=reference))


def _signal_page(
    reference: str,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> str:
    user = _user()
    signal = services.get_visible_signal(user, reference)
    if access.visibility(user, signal) == access.Visibility.WHEREABOUTS:
        return render_template("web/signal_whereabouts.html", signal=signal)
    actions = services.actions_for(user, signal)
    return render_template(
        "web/signal_detail.html",
        signal=signal,
        actions=actions,
        shows_reporter=access.shows_reporter(user, signal),
        owners=services.owners_of(signal),
        forward_targets=services.forward_targets(signal) if "forward" in actions else {},
        form=form,
        values=values or {},
        errors=errors or {},
    )


@bp.get("/routekaart")
def route_map() -> str:
    from markupsafe import Markup

    from signals.routing.diagram import reading_order, render_svg
    from signals.routing.graph import NODE_KIND_LABELS

    graph = active_graph()
    # render_svg escapes every text it draws, so its output is safe to embed.
    svg = Markup(render_svg(graph))  # noqa: S704
    return render_template(
        "web/routekaart.html",
        graph=graph,
        svg=svg,
        reading_order=reading_order(graph),
        kind_labels=NODE_KIND_LABELS,
    )


@bp.get("/beheer/routes")
def admin_routes() -> str:
    if not _user().is_admin:
        abort(403)
    return render_template(
        "web/admin_routes.html",
        graph=active_graph(),
        removed=services.open_signals_at_removed_nodes(),
        by_node=services.open_counts_by_node(),
        by_version=services.open_counts_by_route_version(),
        routes_file=current_app.config["ROUTES"],
    )


@bp.get("/beheer/outbox")
def admin_outbox() -> str:
    if not _user().is_admin:
        abort(403)
    return _outbox_page(title="Uitgaande e-mail")


@bp.post("/beheer/outbox/<int:message_id>/opnieuw")
def retry_dead_mail(message_id: int) -> Response:
    message = outbox.retry_dead_message(_user(), message_id)
    flash(
        f"Het bericht aan {message.recipient} wordt opnieuw verstuurd bij de volgende ronde "
        "van de verzender.",
        "success",
    )
    return redirect(url_for("web.admin_outbox"))


@bp.post("/beheer/outbox/opnieuw")
def retry_all_dead_mail() -> Response:
    count = outbox.retry_all_dead(_user())
    if count:
        flash(
            f"{count} mislukte {'bericht wordt' if count == 1 else 'berichten worden'} opnieuw "
            "verstuurd bij de volgende ronde van de verzender.",
            "success",
        )
    else:
        flash("Er was geen mislukte e-mail om opnieuw te versturen.", "success")
    return redirect(url_for("web.admin_outbox"))


@bp.get("/dev/mailbox")
def dev_mailbox() -> str:
    if not current_app.debug:
        abort(404)
    return _outbox_page(title="Ontwikkel-mailbox")


def _outbox_page(title: str) -> str:
    """Dead letters first (with retry buttons for administrators), then the latest e-mail."""
    return render_template(
        "web/outbox.html",
        title=title,
        dead=outbox.dead_messages(),
        dead_count=outbox.count_dead_messages(),
        messages=outbox.recent_messages(include_dead=False),
        can_retry=_user().is_admin,
        max_attempts=MAX_ATTEMPTS,
        status_label=outbox.status_label,
    )
