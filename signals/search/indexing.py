"""Keeping the search index in step: what of each searchable thing is indexed, and when.

Every flush that adds, changes (in a searched field) or deletes a signal, kwestie, meeting or
knowledge article writes its :class:`SearchEntry` in the same transaction, so the index never
shows what was rolled back and never misses what was committed. ``signals search reindex``
rebuilds it from scratch (after an upgrade, or when the indexed fields change).

Only what describes the mechanism is indexed: titles, the situation, decisions, minutes,
code labels. Never a person's name or e-mail address, so a search cannot find a signal by
its (possibly hidden) reporter.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Text,
    bindparam,
    delete,
    event,
    func,
    inspect,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.sql.elements import ColumnElement

from signals.codes import MAATWERK_GROUNDS, REGULATIONS, SOURCE_ORGANISATIONS, label
from signals.database import UTCDateTime
from signals.extensions import db
from signals.knowledge.models import KnowledgeArticle
from signals.kwesties.models import Kwestie
from signals.meetings.models import Meeting
from signals.search.models import SearchEntry
from signals.search.text import stems
from signals.workflow.models import Signal

DUTCH: ColumnElement[Any] = literal_column("'dutch'::regconfig")


@dataclass(frozen=True)
class Document:
    """What one thing contributes to the index.

    Its title (weighted higher), its body, and the labels of its codes (searched, never
    shown as a fragment).
    """

    title: str
    body: str
    created_at: datetime
    labels: str = ""

    @property
    def searched(self) -> str:
        return _joined(self.body, self.labels)


@dataclass(frozen=True)
class Searchable:
    """A kind of searchable thing: its model, the fields searched and how they become text."""

    kind: str
    model: type[Any]
    fields: tuple[str, ...]
    document: Callable[[Any], Document]
    created: str = "created_at"  # the field that says when it came to be


def _joined(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def _codes(text: str) -> list[str]:
    """The codes in a ``|code|code|`` column."""
    return [code for code in text.split("|") if code]


def signal_document(signal: Any) -> Document:
    regulations = [REGULATIONS.get(code, code) for code in _codes(signal.regulation_codes or "")]
    return Document(
        signal.title,
        _joined(signal.situation, signal.resident_experience, signal.rationale),
        signal.created_at,
        _joined(*regulations, SOURCE_ORGANISATIONS.get(signal.source_organisation or "", "")),
    )


def kwestie_document(kwestie: Any) -> Document:
    return Document(
        kwestie.title,
        _joined(kwestie.description, kwestie.rationale),
        kwestie.created_at,
        _joined(
            label("outcome", kwestie.outcome),
            REGULATIONS.get(kwestie.regulation or "", ""),
            SOURCE_ORGANISATIONS.get(kwestie.source_organisation or "", ""),
        ),
    )


def meeting_document(meeting: Any) -> Document:
    return Document(
        meeting.title,
        _joined(meeting.minutes, *_record_texts(meeting.record or {})),
        meeting.created_at,
    )


def _record_texts(record: Mapping[str, Any]) -> Iterator[str]:
    """The texts of a leerdialoog's record (its values are texts or lists of texts)."""
    for value in record.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (item for item in value if isinstance(item, str))


def article_document(article: Any) -> Document:
    grounds = [MAATWERK_GROUNDS.get(code, code) for code in article.maatwerk_grounds or []]
    return Document(
        article.title,
        _joined(article.summary, article.what_was_done),
        article.published_at,
        _joined(
            *(REGULATIONS.get(code, code) for code in _codes(article.regulation_codes or "")),
            *grounds,
            label("outcome", article.outcome),
            label("level", article.level),
        ),
    )


SEARCHABLES: tuple[Searchable, ...] = (
    Searchable(
        "signal",
        Signal,
        (
            "title",
            "situation",
            "resident_experience",
            "rationale",
            "regulation_codes",
            "source_organisation",
        ),
        signal_document,
    ),
    Searchable(
        "kwestie",
        Kwestie,
        ("title", "description", "rationale", "outcome", "regulation", "source_organisation"),
        kwestie_document,
    ),
    Searchable("meeting", Meeting, ("title", "minutes", "record"), meeting_document),
    Searchable(
        "article",
        KnowledgeArticle,
        (
            "title",
            "summary",
            "what_was_done",
            "regulation_codes",
            "maatwerk_grounds",
            "outcome",
            "level",
        ),
        article_document,
        created="published_at",
    ),
)
_BY_MODEL = {searchable.model: searchable for searchable in SEARCHABLES}
KINDS = tuple(searchable.kind for searchable in SEARCHABLES)


# Writing --------------------------------------------------------------------------------------


def _weighted(text: ColumnElement[Any], weight: str) -> ColumnElement[Any]:
    return func.setweight(func.to_tsvector(DUTCH, text), literal_column(f"'{weight}'"))


def _upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Write the entries ``rows`` (kind, object_id, created_at, title, body): new or replaced."""
    table = SearchEntry
    values: dict[str, Any] = {
        "kind": bindparam("p_kind"),
        "object_id": bindparam("p_object_id"),
        "created_at": bindparam("p_created_at", type_=UTCDateTime()),
    }
    if connection.dialect.name == "postgresql":
        title, body = bindparam("p_title", type_=Text()), bindparam("p_body", type_=Text())
        values["vector"] = _weighted(title, "A").op("||")(_weighted(body, "B"))
        statement: Any = postgresql.insert(table).values(values)
    else:
        values["vector"] = bindparam("p_terms")
        statement = sqlite.insert(table).values(values)
        for row in rows:  # the title's words count twice, as PostgreSQL weighs them higher
            row["p_terms"] = " ".join(stems(row["p_title"]) * 2 + stems(row["p_body"]))
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "object_id"],
        set_={"vector": statement.excluded.vector, "created_at": statement.excluded.created_at},
    )
    connection.execute(statement, rows)


def _row(searchable: Searchable, thing: Any) -> dict[str, Any]:
    document = searchable.document(thing)
    return {
        "p_kind": searchable.kind,
        "p_object_id": thing.id,
        "p_created_at": document.created_at,
        "p_title": document.title,
        "p_body": document.searched,
    }


def write_entries(connection: Connection, searchable: Searchable, things: Iterable[Any]) -> None:
    """Index ``things`` of one kind (models, or rows with the searched fields) in one statement."""
    rows = [_row(searchable, thing) for thing in things]
    if rows:
        _upsert(connection, rows)


def _searched_field_changed(searchable: Searchable, thing: Any) -> bool:
    state = inspect(thing)
    return any(state.attrs[field].history.has_changes() for field in searchable.fields)


@event.listens_for(Session, "after_flush")
def _keep_index(session: Session, flush_context: UOWTransaction) -> None:
    # After a flush the new things have their ids, and the session still knows what was new,
    # changed and deleted (and the changes' history) before it.
    changed = [thing for thing in session.new if type(thing) in _BY_MODEL]
    changed += [
        thing
        for thing in session.dirty
        if type(thing) in _BY_MODEL and _searched_field_changed(_BY_MODEL[type(thing)], thing)
    ]
    removed = [thing for thing in session.deleted if type(thing) in _BY_MODEL]
    if not (changed or removed):
        return
    connection = session.connection()
    rows = [_row(_BY_MODEL[type(thing)], thing) for thing in changed]
    if rows:
        _upsert(connection, rows)
    for thing in removed:
        kind = _BY_MODEL[type(thing)].kind
        connection.execute(
            delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == thing.id)
        )


# Rebuilding -----------------------------------------------------------------------------------


def reindex(batch_size: int = 2000, progress: Callable[[str, int], None] | None = None) -> int:
    """Rebuild the whole index from the searchable things; returns how many were indexed.

    Reads only the searched fields, a batch at a time, in one transaction per batch.
    """
    total = 0
    db.session.execute(delete(SearchEntry))
    db.session.commit()
    for searchable in SEARCHABLES:
        model = searchable.model
        names = (searchable.created, *searchable.fields)
        columns = [model.id] + [getattr(model, name) for name in names]
        last_id = 0
        while True:
            query = select(*columns).where(model.id > last_id).order_by(model.id)
            batch = list(db.session.execute(query.limit(batch_size)))
            if not batch:
                break
            write_entries(db.session.connection(), searchable, batch)
            db.session.commit()
            last_id = batch[-1].id
            total += len(batch)
            if progress is not None:
                progress(searchable.kind, total)
    return total
