"""Pages for knowledge articles (blueprint ``knowledge``): the list, one article, the grounds.

Every signed-in person may read them. Publishing is a signal or kwestie action, offered on
those pages (:mod:`signals.web.views`, :mod:`signals.web.kwestie_views`).
"""

from flask import Blueprint, render_template, request

from signals.errors import InputInvalid
from signals.knowledge import services
from signals.knowledge.schemas import MAATWERK_FILTER, KnowledgeFilterForm
from signals.web.forms import form_data
from signals.web.pages import Page, current_person

bp = Blueprint("knowledge", __name__)


@bp.get("/kennis")
def list_articles() -> Page:
    """The articles, newest first, filtered by regulation, level, outcome and maatwerk."""
    values = form_data(request.args, KnowledgeFilterForm())
    options = {"maatwerk_choices": MAATWERK_FILTER}
    try:
        page = services.list_articles(current_person(), values, form=True)
    except InputInvalid as error:
        return (
            render_template(
                "web/knowledge.html", page=None, values=values, errors=error.fields, **options
            ),
            422,
        )
    return render_template("web/knowledge.html", page=page, values=values, errors={}, **options)


@bp.get("/kennis/<int:article_id>")
def show_article(article_id: int) -> str:
    view = services.get_article(current_person(), article_id)
    return render_template("web/knowledge_article.html", view=view, article=view.article)


@bp.get("/kennis/maatwerkgronden")
def maatwerk_grounds() -> str:
    """What each ground for maatwerk allows, and where it is written down."""
    return render_template("web/maatwerk_grounds.html")
