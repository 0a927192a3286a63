"""Knowledge articles: publishing a resolved signal or a decided kwestie, and reading them.

Publishing is an action of the registry (:mod:`signals.workflow.actions`): one function per
source, shared by the web and the API, that checks who may publish and when, stores the
article and records the event on its source in one transaction. Publishing again from the
same source updates the article; the database keeps one per source.

What is published is the publisher's own text (title, summary, what was done) and the codes
of the source; never its situation, the resident's experience, the rationale or who reported
it. Every signed-in person may read every article. An article names its kwestie only to a
reader who may see that kwestie.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from signals.auth.models import User
from signals.clock import now
from signals.database import MAX_ID
from signals.errors import NotFound
from signals.extensions import db
from signals.knowledge.models import KnowledgeArticle
from signals.knowledge.schemas import (
    DEFAULT_LIMIT,
    KnowledgeFilterForm,
    KnowledgeFilters,
    PublishSchema,
)
from signals.kwesties.models import Kwestie
from signals.kwesties.services import (
    begin_kwestie_action,
    record_kwestie_event,
    touch_kwestie,
    visible_kwestie_ids,
)
from signals.transaction import unit_of_work
from signals.validation import load, query_args
from signals.workflow import lifecycle
from signals.workflow.models import Signal
from signals.workflow.signal_lists import ID_CURSOR

NOT_FOUND = "Dit kennisartikel bestaat niet."
NOT_DECIDED = (
    "Over deze kwestie is nog niet besloten. U kunt haar als kennisartikel publiceren "
    "nadat het besluit is vastgelegd."
)


# Publishing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Codes:
    """What an article copies from its source: codes only, never text about a resident."""

    title: str
    regulations: list[str]
    level: str | None
    source_organisation: str | None
    outcome: str
    maatwerk: str | None
    maatwerk_grounds: list[str] = field(default_factory=list)
    kwestie_id: int | None = None


def publish_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """The owner of a resolved signal publishes it as a knowledge article (or updates it)."""
    signal, fields = lifecycle.begin("publish", actor, reference, PublishSchema(), data)
    with unit_of_work():
        existing = db.session.scalar(
            select(KnowledgeArticle).where(KnowledgeArticle.signal_id == signal.id)
        )
        article = _store(
            actor,
            existing,
            fields,
            _Codes(
                title=signal.title,
                regulations=list(signal.regulations),
                level=signal.level,
                source_organisation=signal.source_organisation,
                outcome=signal.outcome or "",
                maatwerk=signal.maatwerk,
                maatwerk_grounds=list(signal.maatwerk_grounds or []),
                kwestie_id=signal.kwestie_id,
            ),
            signal_id=signal.id,
        )
        lifecycle.move(signal, "publish")
        lifecycle.record(signal, "published", actor, article=article.id, again=existing is not None)
    return signal


def publish_kwestie(actor: User, kwestie_id: int, data: Mapping[str, Any]) -> Kwestie:
    """The owner of a decided kwestie publishes it as a knowledge article (or updates it)."""
    kwestie, fields = begin_kwestie_action(
        actor, kwestie_id, PublishSchema(), data, require_decided=NOT_DECIDED
    )
    with unit_of_work():
        existing = db.session.scalar(
            select(KnowledgeArticle).where(KnowledgeArticle.source_kwestie_id == kwestie.id)
        )
        article = _store(
            actor,
            existing,
            fields,
            _Codes(
                title=kwestie.title,
                regulations=[kwestie.regulation] if kwestie.regulation else [],
                level=kwestie.level,
                source_organisation=kwestie.source_organisation,
                outcome=kwestie.outcome or "",
                maatwerk=None,
                kwestie_id=kwestie.id,
            ),
            source_kwestie_id=kwestie.id,
        )
        touch_kwestie(kwestie, article.updated_at)
        record_kwestie_event(
            kwestie, "published", actor, article=article.id, again=existing is not None
        )
    return kwestie


def _store(
    actor: User,
    existing: KnowledgeArticle | None,
    fields: Mapping[str, Any],
    codes: _Codes,
    **source: int,
) -> KnowledgeArticle:
    """The new or updated article, flushed (it has an id); inside the caller's transaction."""
    moment = now()
    article = existing if existing is not None else KnowledgeArticle(published_at=moment, **source)
    article.title = fields.get("title") or codes.title
    article.summary = fields["summary"]
    article.what_was_done = fields.get("what_was_done", "")
    article.set_regulations(codes.regulations)
    article.level = codes.level
    article.source_organisation = codes.source_organisation
    article.outcome = codes.outcome
    article.maatwerk = codes.maatwerk
    article.maatwerk_grounds = codes.maatwerk_grounds
    article.kwestie_id = codes.kwestie_id
    article.published_by = actor
    article.updated_at = moment
    if existing is None:
        db.session.add(article)
    db.session.flush()
    return article


def article_of_signal(signal: Signal) -> KnowledgeArticle | None:
    """The article published from ``signal``, if any (for the signal's own page)."""
    query = select(KnowledgeArticle).where(KnowledgeArticle.signal_id == signal.id)
    return db.session.scalar(query)


def article_of_kwestie(kwestie: Kwestie) -> KnowledgeArticle | None:
    """The article published from ``kwestie``, if any (for the kwestie's own page)."""
    query = select(KnowledgeArticle).where(KnowledgeArticle.source_kwestie_id == kwestie.id)
    return db.session.scalar(query)


# Reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleView:
    """An article as one reader sees it: its kwestie only if they may see that kwestie."""

    article: KnowledgeArticle
    kwestie: Kwestie | None


@dataclass(frozen=True)
class ArticlePage:
    """One page of articles, newest first, and the cursor of the next (None: the last)."""

    articles: list[ArticleView]
    next_cursor: str | None
    filters: dict[str, Any]

    @property
    def is_filtered(self) -> bool:
        return any(name in self.filters for name in ("regulation", "level", "outcome", "maatwerk"))

    def query_args(self, **changes: str | int | None) -> dict[str, str]:
        """The page's filters as query string values, with ``changes`` (None drops one)."""
        return query_args(self.filters, **changes)


def list_articles(user: User, filters: Mapping[str, Any], *, form: bool = False) -> ArticlePage:
    """The articles that match ``filters``, newest first, a page at a time.

    ``regulation``, ``level``, ``outcome``: a code; ``maatwerk``: ``applied`` or
    ``not_applied``; ``cursor`` and ``limit`` as in the list of signals. ``form``: the
    filters come from the web page's form, where an empty choice means no filter.
    Raises :class:`signals.errors.InputInvalid` with Dutch per-field messages.
    """
    loaded = load(KnowledgeFilterForm() if form else KnowledgeFilters(), filters)
    limit = loaded.pop("limit", DEFAULT_LIMIT)
    cursor = loaded.pop("cursor", None)
    query = select(KnowledgeArticle).where(*_conditions(loaded))
    if cursor is not None and cursor <= MAX_ID:
        # (a cursor past every id a key can hold is the top of the list: no condition)
        query = query.where(KnowledgeArticle.id < cursor)
    query = query.order_by(KnowledgeArticle.id.desc()).limit(limit + 1)
    articles = list(db.session.scalars(query))
    more = len(articles) > limit
    articles = articles[:limit]
    next_cursor = ID_CURSOR.encode(articles[-1].id) if more else None
    return ArticlePage(_views(user, articles), next_cursor, loaded)


def _conditions(filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if "regulation" in filters:
        pattern = KnowledgeArticle.regulation_code_pattern(filters["regulation"])
        conditions.append(KnowledgeArticle.regulation_codes.contains(pattern, autoescape=True))
    if "level" in filters:
        conditions.append(KnowledgeArticle.level == filters["level"])
    if "outcome" in filters:
        conditions.append(KnowledgeArticle.outcome == filters["outcome"])
    if filters.get("maatwerk") == "applied":
        conditions.append(KnowledgeArticle.maatwerk == "applied")
    elif filters.get("maatwerk") == "not_applied":
        conditions.append(
            or_(KnowledgeArticle.maatwerk.is_(None), KnowledgeArticle.maatwerk != "applied")
        )
    return conditions


def get_article(user: User, article_id: int) -> ArticleView:
    """The article ``article_id`` (every signed-in person may read it); else NotFound."""
    if not 0 < article_id <= MAX_ID:
        raise NotFound(NOT_FOUND)
    article = db.session.get(KnowledgeArticle, article_id)
    if article is None:
        raise NotFound(NOT_FOUND)
    return _views(user, [article])[0]


def _views(user: User, articles: list[KnowledgeArticle]) -> list[ArticleView]:
    """The articles with the kwesties ``user`` may see (one query for all of them)."""
    visible = visible_kwestie_ids(
        user, [article.kwestie_id for article in articles if article.kwestie_id is not None]
    )
    return [
        ArticleView(article, article.kwestie if article.kwestie_id in visible else None)
        for article in articles
    ]
