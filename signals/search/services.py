"""Searching: a reference opens its signal or kwestie; words find what a person may see.

Per kind of thing the database finds the matches the person may open (the same visibility
rules as every list: :func:`signals.workflow.access.fully_visible_clause` and its kin), ranks
them (``ts_rank`` on PostgreSQL, ``bm25`` on SQLite) and hands back the best few; those are put
in one order, best first, by :func:`signals.search.text.relevance`, which is the same on both
databases. Each kind is ranked among its newest :data:`CANDIDATES` matches: a common word
matches a hundred thousand signals, and the recent ones are the ones a professional is after.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    table,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute

from signals.auth.models import User
from signals.codes import OUTCOMES, STATUSES
from signals.errors import InputInvalid
from signals.extensions import db
from signals.kwesties.models import Kwestie
from signals.kwesties.services import reachable_kwestie_ids, visible_kwestie_clause
from signals.meetings.models import Meeting
from signals.meetings.services import readable_minutes_clause
from signals.search.indexing import DUTCH, SEARCHABLES, Searchable
from signals.search.models import SQLITE_FTS_TABLE, SearchEntry
from signals.search.schemas import SearchQuery
from signals.search.text import Fragment, fragment, query_stems, relevance, stems
from signals.validation import REQUIRED, load, reusable
from signals.workflow.access import fully_visible_clause, reachable_signal_ids
from signals.workflow.models import Signal

CANDIDATES = 100  # matches ranked per kind
# Who may open at most FEW of a kind is searched among theirs, each tested (cheaper than
# reading a common word's list in the index); anyone else along the newest matches, where
# theirs are dense enough to come soon.
FEW = 5000
SHOWN = 10  # results per kind

_SIGNAL_REFERENCE = re.compile(r"^\s*KM[-\s]?(\d{4})[-\s]?(\d{1,6})\s*$", re.IGNORECASE)
_KWESTIE_REFERENCE = re.compile(r"^\s*kwestie\s*#?\s*(\d{1,9})\s*$", re.IGNORECASE)
_FTS = table(SQLITE_FTS_TABLE, literal_column("rowid"))


@dataclass(frozen=True)
class Hit:
    """One thing found: what it is, how to name it, and the words that matched."""

    kind: str  # signal, kwestie, meeting, article
    key: str  # a signal's reference; the id of anything else
    title: str
    fragment: Fragment
    status: str  # in Dutch
    at: datetime
    score: float
    matched: frozenset[str]  # the wanted stems it contains
    regulations: frozenset[str]  # the codes of the regulations it concerns


@dataclass(frozen=True)
class KindResult:
    """The things of one kind found: the best :data:`SHOWN`, and how many match in all."""

    kind: str
    hits: list[Hit]
    count: int  # the person's matches, counted up to CANDIDATES
    more: bool  # more than CANDIDATES match


@dataclass(frozen=True)
class SearchResult:
    """What a search found; ``exact`` when the query is a reference the person may open."""

    query: str
    exact: Hit | None
    kinds: list[KindResult]

    @property
    def hits(self) -> list[Hit]:
        """Every hit, best first."""
        every = [hit for kind in self.kinds for hit in kind.hits]
        return sorted(every, key=lambda hit: (-hit.score, -hit.at.timestamp()))

    @property
    def total(self) -> int:
        return sum(kind.count for kind in self.kinds)


@dataclass(frozen=True)
class Kind:
    """How to search one kind: who may see which, how its hits are named and labelled."""

    searchable: Searchable
    visible: Callable[[User], ColumnElement[bool]]
    key: Callable[[Any], str]
    status: Callable[[Any], str]
    regulations: Callable[[Any], list[str]]
    # For a kind with many rows: the ids a person could reach (a superset of what they may
    # open), cheap to list, so that a person who reaches few is searched from those; None
    # for who may open most of them by their role.
    reachable: Callable[[User], CompoundSelect[tuple[int]] | None] | None = None
    # Many rows (signals): the newest matches are found by walking the newest entries, which
    # stops after a few for a common word. A kind with few rows reads its matches from the
    # full-text index and sorts them, which is cheaper for a word that few or none hold.
    many: bool = False


def _meeting_status(meeting: Meeting) -> str:
    return "Gepland" if meeting.is_planned else "Gehouden"


def _kwestie_status(kwestie: Kwestie) -> str:
    return "Open" if kwestie.is_open else "Besloten"


_SEARCHABLE = {searchable.kind: searchable for searchable in SEARCHABLES}
KINDS: Sequence[Kind] = (
    Kind(
        _SEARCHABLE["article"],
        lambda user: true(),  # knowledge is for every signed-in person
        key=lambda article: str(article.id),
        status=lambda article: OUTCOMES.get(article.outcome, article.outcome),
        regulations=lambda article: article.regulations,
    ),
    Kind(
        _SEARCHABLE["kwestie"],
        visible_kwestie_clause,
        key=lambda kwestie: str(kwestie.id),
        status=_kwestie_status,
        regulations=lambda kwestie: [kwestie.regulation] if kwestie.regulation else [],
        reachable=reachable_kwestie_ids,
    ),
    Kind(
        _SEARCHABLE["signal"],
        fully_visible_clause,
        key=lambda signal: signal.reference,
        status=lambda signal: STATUSES.get(signal.status, signal.status),
        regulations=lambda signal: signal.regulations,
        reachable=reachable_signal_ids,
        many=True,
    ),
    Kind(
        _SEARCHABLE["meeting"],
        readable_minutes_clause,
        key=lambda meeting: str(meeting.id),
        status=_meeting_status,
        regulations=lambda meeting: [],
    ),
)
_KIND_NAMED = {kind.searchable.kind: kind for kind in KINDS}


def kind_named(name: str) -> Kind:
    """The kind of searchable thing called ``name`` (signal, kwestie, meeting …)."""
    return _KIND_NAMED[name]


def search(user: User, data: Mapping[str, Any]) -> SearchResult:
    """What ``user`` may open that ``data["q"]`` names (a reference) or is about (words)."""
    query = " ".join(load(reusable(SearchQuery), data)["q"].split())
    if not query:
        raise InputInvalid({"q": [REQUIRED]})
    exact = _by_reference(user, query)
    wanted = query_stems(query)
    if exact is not None or not wanted:
        return SearchResult(query, exact, [])
    return SearchResult(query, None, [_search_kind(user, kind, query, wanted) for kind in KINDS])


def _by_reference(user: User, query: str) -> Hit | None:
    signal_reference = _SIGNAL_REFERENCE.match(query)
    if signal_reference is not None:
        year, number = signal_reference.groups()
        reference = f"KM-{year}-{int(number):06d}"
        signal = db.session.scalar(
            select(Signal).where(Signal.reference == reference, fully_visible_clause(user))
        )
        return _hit(kind_named("signal"), signal, set(), 0.0) if signal is not None else None
    kwestie_reference = _KWESTIE_REFERENCE.match(query)
    if kwestie_reference is not None:
        kwestie = db.session.scalar(
            select(Kwestie).where(
                Kwestie.id == min(int(kwestie_reference.group(1)), 2**31 - 1),
                visible_kwestie_clause(user),
            )
        )
        return _hit(kind_named("kwestie"), kwestie, set(), 0.0) if kwestie is not None else None
    return None


def _search_kind(user: User, kind: Kind, query: str, wanted: list[str]) -> KindResult:
    few = _few_reachable(kind, user)
    rank, matching = match_all(query, wanted, probing=few is not None)
    rows, more = candidates(kind, user, rank, matching, only=few)
    hits = hits_for(kind, [row.object_id for row in rows[:SHOWN]], set(wanted))
    return KindResult(kind.searchable.kind, hits, len(rows), more)


def candidates(
    kind: Kind,
    user: User,
    rank: ColumnElement[float],
    matching: Select[Any],
    *,
    where: ColumnElement[bool] | None = None,
    only: list[int] | None = None,
    by_rank: bool = False,
    limit: int | None = None,
) -> tuple[list[Any], bool]:
    """The matches of ``kind`` that ``user`` may open (or ``where`` says), best first.

    Up to ``limit`` rows of (object_id, created_at, rank), and whether there are more: the
    newest matches, ranked; ``by_rank``: the best of all matches. ``only``: among these ids.
    """
    limit = CANDIDATES if limit is None else limit
    model = kind.searchable.model
    query = (
        matching.add_columns(SearchEntry.id, SearchEntry.object_id, SearchEntry.created_at)
        .where(SearchEntry.kind == literal(kind.searchable.kind, literal_execute=True))
        .join(model, model.id == SearchEntry.object_id)
        .where(kind.visible(user) if where is None else where)
    )
    if only is not None:
        query = query.where(_among(SearchEntry.object_id, only))
    if not by_rank and _on_postgresql():
        # Ranked after the newest are picked: sorting carries two columns, not the vectors.
        created: Any = SearchEntry.created_at
        if not kind.many:  # not the indexed column: the planner will not walk its index
            created = created.op("+")(literal_column("interval '0 seconds'"))
        newest = query.order_by(created.desc()).limit(limit + 1).subquery()
        query = (
            select(newest.c.object_id, newest.c.created_at, rank.label("rank"))
            .join_from(newest, SearchEntry, SearchEntry.id == newest.c.id)
            .order_by(newest.c.created_at.desc())
        )
    elif not by_rank:  # SQLite: bm25() only where the full-text match is
        query = query.add_columns(rank.label("rank")).order_by(SearchEntry.created_at.desc())
    else:
        query = query.add_columns(rank.label("rank")).order_by(
            rank.desc(), SearchEntry.created_at.desc()
        )
    rows = list(db.session.execute(query.limit(limit + 1)))
    best_first = sorted(rows[:limit], key=lambda row: (-row.rank, -row.created_at.timestamp()))
    return best_first, len(rows) > limit


def _among(
    column: "ColumnElement[int] | InstrumentedAttribute[int]", ids: list[int]
) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: on PostgreSQL one array parameter, not thousands."""
    if _on_postgresql():
        return column == func.any(bindparam("among", ids, type_=postgresql.ARRAY(Integer)))
    return column.in_(ids)


def _few_reachable(kind: Kind, user: User) -> list[int] | None:
    """The ids ``user`` could reach of ``kind``, if there are at most FEW of them."""
    if kind.reachable is None or user.is_admin:
        return None
    reaching = kind.reachable(user)
    if reaching is None:
        return None
    reachable = reaching.subquery()
    ids = list(db.session.scalars(select(reachable.c[0]).limit(FEW + 1)))
    return sorted(set(ids)) if len(ids) <= FEW else None


def hits_for(kind: Kind, object_ids: list[int], wanted: set[str]) -> list[Hit]:
    """The hits for ``object_ids`` of ``kind``, in that order."""
    model = kind.searchable.model
    query = select(model).where(model.id.in_(object_ids))
    things = {thing.id: thing for thing in db.session.scalars(query)}
    return [_hit(kind, things[key], wanted) for key in object_ids if key in things]


def match_all(
    query: str, wanted: list[str], *, probing: bool = False
) -> tuple[ColumnElement[float], Select[Any]]:
    """The rank (higher is better) and the entries with every word of ``query``.

    ``wanted``: the query's stems. ``probing``: the caller names the few entries to look at;
    testing each of them beats reading a common word's whole list in the index.
    """
    if _on_postgresql():
        return _pg_matching(func.plainto_tsquery(DUTCH, query), probing=probing)
    return _fts_matching(" AND ".join(f'"{stem}"' for stem in wanted))


def match_any(words: list[str], wanted: list[str]) -> tuple[ColumnElement[float], Select[Any]]:
    """As :func:`match_all`, for the entries with at least one of ``words``.

    ``words`` are letters and digits only; ``wanted``: their stems.
    """
    if _on_postgresql():
        return _pg_matching(func.to_tsquery(DUTCH, " | ".join(words)))
    return _fts_matching(" OR ".join(f'"{stem}"' for stem in wanted))


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _pg_matching(
    tsquery: ColumnElement[Any], *, probing: bool = False
) -> tuple[ColumnElement[float], Select[Any]]:
    rank = func.ts_rank(SearchEntry.vector, tsquery)
    vector: Any = SearchEntry.vector
    if probing:  # the same vector, but not the indexed expression: the planner probes
        vector = vector.op("||")(literal_column("''::tsvector"))
    return rank, select().select_from(SearchEntry).where(vector.op("@@")(tsquery))


def _fts_matching(fts_query: str) -> tuple[ColumnElement[float], Select[Any]]:
    """SQLite: the FTS5 table's matches for ``fts_query`` (stems are letters and digits only)."""
    fts: ColumnElement[Any] = literal_column(SQLITE_FTS_TABLE)
    rank = -func.bm25(fts)  # bm25 is lower for better matches
    matching = (
        select()
        .select_from(SearchEntry)
        .join(_FTS, literal_column(f"{SQLITE_FTS_TABLE}.rowid") == SearchEntry.id)
        .where(fts.op("MATCH")(fts_query))
    )
    return rank, matching


def _hit(kind: Kind, thing: Any, wanted: set[str], score: float | None = None) -> Hit:
    document = kind.searchable.document(thing)
    return Hit(
        kind=kind.searchable.kind,
        key=kind.key(thing),
        title=document.title,
        fragment=fragment(document.body, wanted),
        status=kind.status(thing),
        at=document.created_at,
        score=relevance(document.title, document.searched, wanted) if score is None else score,
        matched=frozenset(wanted & set(stems(f"{document.title}\n{document.searched}"))),
        regulations=frozenset(kind.regulations(thing)),
    )
