"""The dashboard (``/overzicht``): figures per month, place, regulation and kind of reporter.

Thin: the figures are :mod:`signals.figures.dashboard`'s, the charts
:mod:`signals.figures.charts`'; this reads the period and node from the query string, shows
what is wrong with them per field, and offers the same signals as CSV.
"""

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from signals.clock import now
from signals.errors import InputInvalid
from signals.figures.access import may_see_dashboard, sees_whole_municipality
from signals.figures.charts import KIND_LABELS, dashboard_charts, month_label, shown
from signals.figures.cube import REPORTER_KINDS, suppressed
from signals.figures.dashboard import dashboard, dashboard_filters, default_span
from signals.routing.services import active_graph
from signals.web.pages import Page, current_person
from signals.workflow.export import csv_lines

bp = Blueprint("figures", __name__)
QUERY_FIELDS = ("van", "tot", "plek")


@bp.app_context_processor
def figure_helpers() -> dict[str, Any]:
    """For the dashboard's and the report's templates (also rendered outside a request)."""
    return {
        "shown": shown,
        "suppressed": suppressed,
        "reporter_kinds": REPORTER_KINDS,
        "kind_labels": KIND_LABELS,
        "month_label": month_label,
        "may_see_dashboard": lambda: may_see_dashboard(current_person()),
    }


@bp.get("/overzicht")
def show_dashboard() -> Page:
    user = current_person()
    if not may_see_dashboard(user):
        abort(403)
    query = _query()
    first, last = default_span(now())
    options: dict[str, Any] = {
        "query": query,
        "nodes": {key: node.label for key, node in active_graph().nodes.items()},
        "default_first": f"{first:%Y-%m}",
        "default_last": f"{last:%Y-%m}",
        "whole_municipality": sees_whole_municipality(user),
    }
    try:
        board = dashboard(user, query)
    except InputInvalid as error:
        form = {"van": f"{first:%Y-%m}", "tot": f"{last:%Y-%m}", "plek": "", **query}
        page = render_template(
            "web/dashboard.html", board=None, form=form, errors=error.fields, **options
        )
        return page, 422
    form = {"van": f"{board.first:%Y-%m}", "tot": f"{board.last:%Y-%m}", "plek": board.node or ""}
    return render_template(
        "web/dashboard.html",
        board=board,
        form=form,
        charts=dashboard_charts(board),
        errors={},
        **options,
    )


@bp.get("/overzicht.csv")
def dashboard_csv() -> Response | Page:
    """The signals behind the dashboard's period and node, that the reader may see in full."""
    user = current_person()
    if not may_see_dashboard(user):
        abort(403)
    try:
        conditions = dashboard_filters(_query())
    except InputInvalid:
        query: dict[str, Any] = _query()
        return redirect(url_for("figures.show_dashboard", **query))  # which says what is wrong
    lines = csv_lines(
        user, conditions, "overzicht.csv", request.query_string.decode(errors="replace")
    )
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="overzicht.csv"'
    return response


def _query() -> dict[str, str]:
    return {name: request.args[name] for name in QUERY_FIELDS if name in request.args}
