"""Pages for reporters and owners: the report form, my signals, the inbox and a signal's page."""

from functools import cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from signals.clock import now
from signals.errors import InputInvalid
from signals.extensions import db
from signals.notifications import services as outbox
from signals.notifications.delivery import MAX_ATTEMPTS
from signals.ownership.services import owner_label
from signals.routing.services import active_graph, direct_choices, preview_draft_entry
from signals.search.similar import similar_to_draft
from signals.settings import settings
from signals.web.filters import local_datetime
from signals.web.forms import form_data
from signals.web.pages import Page, current_person, signal_page, take_signal_action
from signals.wording import counted, plural, unless_repeated
from signals.workflow import services
from signals.workflow.actions import SIGNAL_ACTIONS
from signals.workflow.export import csv_lines
from signals.workflow.followup import (
    HELD,
    FollowupSchema,
    answer_followup,
    followup_answer,
    followup_signal,
    followup_state,
)
from signals.workflow.inbox import (
    REPORTER_KINDS,
    InboxFilters,
    inbox_conditions,
    inbox_page,
    reporters_shown,
)
from signals.workflow.reported import (
    SORTS,
    STATUS_CHOICES,
    MySignalsFilters,
    awaiting_count,
    my_signals_page,
    reporter_due,
)
from signals.workflow.schemas import SURVEY_SCORES, SignalInputSchema, SurveySchema

bp = Blueprint("web", __name__)
FAVICON_MAX_AGE = 7 * 24 * 3600  # seconds browsers may keep the icon


@bp.get("/")
def home() -> Response:
    target = "web.inbox" if current_person().can_triage else "web.my_signals"
    return redirect(url_for(target))


@bp.route("/signalen/nieuw", methods=["GET", "POST"])
def new_signal() -> Page:
    if request.method == "GET":
        return _signal_form({})
    values = form_data(request.form, SignalInputSchema())
    if request.form.get("preview"):
        return _signal_form(values)
    try:
        signal = services.submit_signal(current_person(), values)
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
    """The route preview of the report form, for the script that updates it while typing.

    With ``similar_html``: the "Dit lijkt op" part of the form, as the page would show it.
    """
    values = form_data(request.form, SignalInputSchema())
    similar = render_template(
        "web/_similar.html",
        similar=similar_to_draft(current_person(), values),
        values=values,
        errors={},
    )
    return {**_describe_preview(values), "similar_html": similar}


def _signal_form(values: dict[str, Any], errors: dict[str, list[str]] | None = None) -> str:
    return render_template(
        "web/signal_form.html",
        values=values,
        errors=errors or {},
        preview=_describe_preview(values),
        similar=similar_to_draft(current_person(), values),
        direct_options={node.key: node.label for node in direct_choices(current_person())},
    )


def _describe_preview(values: dict[str, Any]) -> dict[str, str]:
    decision = preview_draft_entry(current_person(), values, now())
    owner = owner_label(decision.owner)
    return {
        "node": decision.node.key,
        "label": decision.node.label,
        "owner": owner,
        # Empty when the owner is the node's own group under the same name: said once.
        "responsible": unless_repeated(owner, decision.node.label),
        "feedback_due": local_datetime(decision.deadlines.feedback_due, with_time=False),
        "reason": decision.reason,
        "description": decision.node.description,
    }


@bp.get("/signalen")
def my_signals() -> Page:
    """The person's own signals: search, a status, an order, a page at a time."""
    values = form_data(request.args, MySignalsFilters())
    options = {"statuses": STATUS_CHOICES, "sorts": SORTS, "reporter_due": reporter_due}
    try:
        page = my_signals_page(current_person(), values)
    except InputInvalid as error:
        return (
            render_template(
                "web/my_signals.html", page=None, values=values, errors=error.fields, **options
            ),
            422,
        )
    return render_template("web/my_signals.html", page=page, values=values, errors={}, **options)


@bp.app_context_processor
def awaiting_you() -> dict[str, Any]:
    """``awaiting_you()`` for the navigation: the person's signals waiting for their answer.

    A function, so the count (one query on an index) runs only on a page that shows it, for
    a logged-in person. On an error page after a failed database statement it stays silent:
    the navigation must not turn one error into two.
    """

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return awaiting_count(current_person())
        except SQLAlchemyError:
            db.session.rollback()
            return 0

    return {"awaiting_you": count}


@bp.get("/inbox")
def inbox() -> Page:
    user = current_person()
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


@bp.get("/inbox.csv")
def inbox_csv() -> Page:
    """The whole inbox with the page's filters as CSV (no pages), streamed."""
    user = current_person()
    if not user.can_triage:
        abort(403)
    try:
        conditions = inbox_conditions(user, request.args, now())
    except InputInvalid:
        filters: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("web.inbox", **filters))  # the inbox says what is wrong
    lines = csv_lines(user, conditions, "inbox.csv", request.query_string.decode(errors="replace"))
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="inbox.csv"'
    return response


@bp.post("/inbox/accepteren")
def post_bulk_accept() -> Response:
    user = current_person()
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
        f"{counted(accepted, 'signaal', 'signalen')} in behandeling genomen.",
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
    return signal_page(reference)


@bp.route("/signalen/<reference>/evaluatie", methods=["GET", "POST"])
def survey(reference: str) -> Page:
    """The reporter's verdict after resolution, asked for by e-mail."""
    user = current_person()
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
        survey=services.survey_of(signal),
        scores=SURVEY_SCORES,
        values=values,
        errors=errors,
        reopen_days=settings().reopen_window_days,
    )
    return (page, 422) if errors else page


@bp.route("/signalen/<reference>/stand", methods=["GET", "POST"])
def followup(reference: str) -> Page:
    """The six-month question to whoever resolved the signal: whether the solution holds."""
    user = current_person()
    signal = followup_signal(user, reference)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = form_data(request.form, FollowupSchema())
        try:
            answer_followup(user, reference, values)
        except InputInvalid as error:
            errors = error.fields
        else:
            flash("Dank u wel: uw antwoord telt mee.", "success")
            return redirect(url_for("web.followup", reference=reference))
    page = render_template(
        "web/followup.html",
        signal=signal,
        state=followup_state(signal).value,
        answer=followup_answer(signal) or {},
        held=HELD,
        values=values,
        errors=errors,
    )
    return (page, 422) if errors else page


# The signal page's actions by their URL part: ``/signalen/<reference>/<slug>``.
SIGNAL_ACTIONS_BY_SLUG = {action.slug: action for action in SIGNAL_ACTIONS.values() if action.slug}


@bp.app_template_global()
def signal_action_url(reference: str, action: str) -> str:
    """Where the form of ``action`` on the page of signal ``reference`` is sent."""
    return url_for("web.post_action", reference=reference, slug=SIGNAL_ACTIONS[action].slug)


@bp.post("/signalen/<reference>/<slug>")
def post_action(reference: str, slug: str) -> Page:
    action = SIGNAL_ACTIONS_BY_SLUG.get(slug)
    if action is None:
        abort(404)
    return take_signal_action(reference, action)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers and other clients look without asking the page.

    Pages name ``static/favicon.svg``; this is the same icon as an ICO file (16, 32 and 48
    pixels), for clients that only ask here. Less than a kilobyte, read once.
    """
    response = Response(_favicon_bytes(), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    return response


@cache
def _favicon_bytes() -> bytes:
    return (Path(__file__).resolve().parents[1] / "static" / "favicon.ico").read_bytes()


@bp.get("/routekaart")
def route_map() -> str:
    from markupsafe import Markup

    from signals.routing.diagram import any_inferred, reading_order, render_svg
    from signals.routing.graph import NODE_KIND_LABELS

    graph = active_graph()
    # render_svg escapes every text it draws, so its output is safe to embed.
    svg = Markup(render_svg(graph, linked=True))  # noqa: S704
    return render_template(
        "web/routekaart.html",
        graph=graph,
        svg=svg,
        reading_order=reading_order(graph),
        kind_labels=NODE_KIND_LABELS,
        sourced=any(provenance.references for provenance in graph.provenances()),
        inferred=any_inferred(graph),
    )


@bp.get("/beheer/routes")
def admin_routes() -> str:
    if not current_person().is_admin:
        abort(403)
    return render_template(
        "web/admin_routes.html",
        graph=active_graph(),
        removed=services.open_signals_at_removed_nodes(),
        by_node=services.open_counts_by_node(),
        by_version=services.open_counts_by_route_version(),
        routes_file=settings().routes,
    )


@bp.get("/beheer/outbox")
def admin_outbox() -> Page:
    if not current_person().is_admin:
        abort(403)
    return _outbox_page("Uitgaande e-mail", "web.admin_outbox", "web.admin_mail_html")


@bp.get("/beheer/outbox/<int:message_id>/html")
def admin_mail_html(message_id: int) -> Response:
    """The HTML version of an e-mail, for the sandboxed preview on the outbox page."""
    if not current_person().is_admin:
        abort(403)
    return _mail_html(message_id)


@bp.post("/beheer/outbox/<int:message_id>/opnieuw")
def retry_dead_mail(message_id: int) -> Response:
    message = outbox.retry_dead_message(current_person(), message_id)
    flash(
        f"Het bericht aan {message.recipient} wordt opnieuw verstuurd bij de volgende ronde "
        "van de verzender.",
        "success",
    )
    return redirect(url_for("web.admin_outbox"))


@bp.post("/beheer/outbox/opnieuw")
def retry_all_dead_mail() -> Response:
    count = outbox.retry_all_dead(current_person())
    if count:
        flash(
            f"{counted(count, 'mislukt bericht', 'mislukte berichten')} "
            f"{plural(count, 'wordt', 'worden')} opnieuw "
            "verstuurd bij de volgende ronde van de verzender.",
            "success",
        )
    else:
        flash("Er was geen mislukte e-mail om opnieuw te versturen.", "success")
    return redirect(url_for("web.admin_outbox"))


@bp.get("/dev/mailbox")
def dev_mailbox() -> Page:
    if not current_app.debug:
        abort(404)
    return _outbox_page("Ontwikkel-mailbox", "web.dev_mailbox", "web.dev_mail_html")


@bp.get("/dev/mailbox/<int:message_id>/html")
def dev_mail_html(message_id: int) -> Response:
    """The HTML version of an e-mail, for the sandboxed preview in the dev mailbox."""
    if not current_app.debug:
        abort(404)
    return _mail_html(message_id)


def _outbox_page(title: str, endpoint: str, html_endpoint: str) -> Page:
    """How many e-mails failed (with a retry for administrators), then a page of e-mail.

    Filtered by state and recipient, newest first, a page at a time. Each person sees the
    mail addressed to them; administrators all of it.
    """
    reader = current_person()
    values = form_data(request.args, outbox.OutboxFilters())
    context = {
        "title": title,
        "endpoint": endpoint,
        "html_endpoint": html_endpoint,
        "values": values,
        "statuses": outbox.STATUS_LABELS,
        "dead_count": outbox.count_dead_messages(reader),
        "everyone": reader.is_admin,
        "can_retry": reader.is_admin,
        "max_attempts": MAX_ATTEMPTS,
        "status_label": outbox.status_label,
    }
    try:
        page = outbox.outbox_page(reader, values)
    except InputInvalid as error:
        return render_template("web/outbox.html", page=None, errors=error.fields, **context), 422
    return render_template("web/outbox.html", page=page, errors={}, **context)


# The HTML of an e-mail (our own rendering) is shown only inside a sandboxed frame on our own
# pages: no script, nothing loaded from elsewhere, no forms; its links open in a new tab.
MAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"
)
NEW_TAB = '<base target="_blank">'


def _mail_html(message_id: int) -> Response:
    html = outbox.readable_message(current_person(), message_id).body_html
    head = html.lower().find("<head>")
    if head >= 0:
        html = html[: head + len("<head>")] + NEW_TAB + html[head + len("<head>") :]
    else:
        html = NEW_TAB + html
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
