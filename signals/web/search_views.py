"""The search page (blueprint ``search``): the header's box lands here.

A reference that names something the person may open goes straight to it; words show what
was found per kind, best first, with the matching words marked.
"""

from flask import Blueprint, redirect, render_template, request, url_for

from signals.errors import InputInvalid
from signals.search.services import Hit, search
from signals.web.pages import Page, current_person

bp = Blueprint("search", __name__)

KIND_HEADINGS = {
    "article": "Kennis",
    "kwestie": "Kwesties",
    "signal": "Signalen",
    "meeting": "Overleggen",
}


@bp.app_template_filter("hit_url")
def hit_url(hit: Hit) -> str:
    """Where the web shows ``hit``."""
    if hit.kind == "signal":
        return url_for("web.show_signal", reference=hit.key)
    if hit.kind == "kwestie":
        return url_for("kwesties.show_kwestie", kwestie_id=int(hit.key))
    if hit.kind == "article":
        return url_for("knowledge.show_article", article_id=int(hit.key))
    return url_for("meetings.show_meeting", meeting_id=int(hit.key))


@bp.get("/zoeken")
def search_page() -> Page:
    if "q" not in request.args:
        return render_template("web/search.html", result=None, query="", errors={})
    query = request.args.get("q", "")
    try:
        result = search(current_person(), {"q": query})
    except InputInvalid as error:
        page = render_template("web/search.html", result=None, query=query, errors=error.fields)
        return page, 422
    if result.exact is not None:
        return redirect(hit_url(result.exact))
    return render_template(
        "web/search.html", result=result, query=query, errors={}, headings=KIND_HEADINGS
    )
