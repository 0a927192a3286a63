"""One function per user action on a kwestie, shared by the web UI and the API.

A kwestie is one mechanism behind many signals, with its own node in the route and its own
owner. Every action validates its input, checks that the caller may do it, records its events
and writes its e-mails to the outbox, all in one transaction. A message or a decision reaches
every linked reporter once, however many of their signals are linked.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from marshmallow import Schema
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm.attributes import flag_modified

from signals.auth.models import User
from signals.clock import now
from signals.database import MAX_ID
from signals.errors import Forbidden, InputInvalid, NotFound, StaleVersion, StateConflict
from signals.extensions import db
from signals.kwesties.models import Kwestie, KwestieEvent, KwestieStatus
from signals.kwesties.schemas import (
    DecideSchema,
    KwestieInputSchema,
    KwestieMessageSchema,
    LinkSchema,
    kwestie_nodes,
)
from signals.notifications.services import (
    kwestie_url,
    queue_anonymous_notice,
    queue_mail,
    queue_reporter_mail,
)
from signals.ownership.models import Owner
from signals.ownership.services import owner_people
from signals.routing.graph import Node
from signals.routing.services import independent_nodes, resolve_owner
from signals.transaction import unit_of_work
from signals.validation import load
from signals.workflow import lifecycle
from signals.workflow.access import (
    Visibility,
    fully_visible_clause,
    fully_visible_references,
    visibility,
    visible_clause,
)
from signals.workflow.models import OPEN_STATUSES, Signal, SignalRegulation
from signals.workflow.services import close_signal

NOT_FOUND = "Deze kwestie bestaat niet of u heeft er geen toegang toe."
OWNER_ONLY = "Alleen de eigenaar van deze kwestie kan dit doen."
ALREADY_DECIDED = "Over deze kwestie is al besloten."
NOT_JOINABLE = "Deze kwestie bestaat niet of is niet meer open; dien het signaal zonder kwestie in."


# Actions -------------------------------------------------------------------------------------


def create_kwestie(actor: User, data: Mapping[str, Any]) -> Kwestie:
    """Start a kwestie at a node of the route; from a signal, that signal is linked at once.

    Starting from a signal needs the same right as linking it: being its owner while it is
    open. The kwestie's owner follows from the node's owner rule, with the actor in the place
    of the reporter. A signal cannot be linked into a kwestie its owner may not see (one at an
    independent node that is not theirs): it goes there by being forwarded.
    """
    if not may_create_kwestie(actor):
        raise Forbidden("Alleen behandelaars van signalen kunnen een kwestie aanmaken.")
    schema = KwestieInputSchema()
    reference = data.get("from_signal")
    signal: Signal | None = None
    if isinstance(reference, str) and reference.strip():
        signal, fields = lifecycle.begin("link", actor, reference.strip(), schema, data)
    else:
        fields = load(schema, data)
    node = _kwestie_node(fields["node"])
    owner = resolve_owner(node, actor)
    if signal is not None and not _sees_kwestie_at(actor, node, owner):
        raise InputInvalid(
            {
                "node": [
                    f"{node.label} is een onafhankelijke plek in de route: u ziet de inhoud van "
                    "een kwestie daar niet en kunt er dus geen signaal aan koppelen. Stuur het "
                    "signaal zelf door als het daarheen moet."
                ]
            }
        )
    with unit_of_work():
        moment = now()
        kwestie = Kwestie(
            title=fields["title"],
            description=fields.get("description", ""),
            regulation=fields.get("regulation"),
            level=fields.get("level"),
            source_organisation=fields.get("source_organisation"),
            node=node.key,
            owner=owner,
            status=KwestieStatus.OPEN,
            created_by=actor,
            created_at=moment,
            updated_at=moment,
        )
        db.session.add(kwestie)
        db.session.flush()
        record_kwestie_event(
            kwestie,
            "created",
            actor,
            node=node.key,
            from_signal=signal.reference if signal is not None else None,
        )
        for person in owner_people(kwestie.owner):
            if person.id != actor.id:
                queue_mail(
                    "kwestie_new",
                    person.email,
                    {"reference": kwestie.reference, "title": kwestie.title},
                    kwestie=kwestie,
                    owner=person,
                    actor=actor,
                    url=kwestie_url(kwestie.id),
                )
        if signal is not None:
            _link(signal, kwestie, actor)
    return kwestie


def link_signal(actor: User, reference: str, data: Mapping[str, Any]) -> Signal:
    """Link an open signal to an open kwestie (its owner's action); the reporter hears of it.

    A kwestie the actor may not see is, to them, one that does not exist.
    """
    signal, fields = lifecycle.begin("link", actor, reference, LinkSchema(), data)
    try:
        kwestie = get_visible_kwestie(actor, fields["kwestie"], for_update=True)
    except NotFound:
        raise InputInvalid({"kwestie": ["Deze kwestie bestaat niet."]}) from None
    if not kwestie.is_open:
        raise StateConflict(
            "Over deze kwestie is al besloten; koppel het signaal aan een open kwestie."
        )
    if signal.kwestie_id == kwestie.id:
        raise StateConflict("Dit signaal is al aan deze kwestie gekoppeld.")
    with unit_of_work():
        _link(signal, kwestie, actor)
    return signal


def note_discussed(kwestie: Kwestie, actor: User, meeting_title: str, conclusion: str) -> None:
    """A meeting concluded on the kwestie: its history says so (no e-mail: the owner decides)."""
    touch_kwestie(kwestie, now())
    record_kwestie_event(kwestie, "discussed", actor, meeting=meeting_title, message=conclusion)


def kwestie_message(actor: User, kwestie_id: int, data: Mapping[str, Any]) -> Kwestie:
    """A message from the kwestie's owner: one e-mail per linked reporter, on every timeline."""
    kwestie, fields = begin_kwestie_action(actor, kwestie_id, KwestieMessageSchema(), data)
    with unit_of_work():
        moment = now()
        message = fields["message"]
        linked = _linked_signals(kwestie.id, for_update=True)
        touch_kwestie(kwestie, moment)
        record_kwestie_event(kwestie, "message", actor, message=message)
        for signal in linked:
            if signal.is_open:
                lifecycle.move(signal, "feedback")
                lifecycle.record(
                    signal, "feedback_sent", actor, message=message, kwestie=kwestie.id
                )
        _mail_linked_reporters("kwestie_message", kwestie, linked, actor, message=message)
    return kwestie


def decide_kwestie(actor: User, kwestie_id: int, data: Mapping[str, Any]) -> Kwestie:
    """Decide a kwestie; its open linked signals are resolved with the same outcome.

    Each linked reporter gets one e-mail listing their signals, however many there are.
    """
    kwestie, fields = begin_kwestie_action(
        actor, kwestie_id, DecideSchema(), data, require_open=True
    )
    with unit_of_work():
        moment = now()
        linked = _linked_signals(kwestie.id, for_update=True)
        resolved: list[Signal] = []
        for signal in linked:
            if not signal.is_open:
                continue
            close_signal(
                signal,
                actor,
                fields["outcome"],
                fields["rationale"],
                fields["message"],
                kwestie=kwestie.id,
            )
            resolved.append(signal)
        kwestie.status = KwestieStatus.DECIDED
        kwestie.outcome = fields["outcome"]
        kwestie.rationale = fields["rationale"]
        kwestie.decided_at = moment
        touch_kwestie(kwestie, moment)
        record_kwestie_event(
            kwestie,
            "decided",
            actor,
            outcome=fields["outcome"],
            rationale=fields["rationale"],
            message=fields["message"],
            resolved=[signal.reference for signal in resolved],
        )
        resolved_ids = {signal.id for signal in resolved}
        _mail_linked_reporters(
            "kwestie_decided",
            kwestie,
            linked,
            actor,
            resolved_ids=resolved_ids,
            message=fields["message"],
        )
    return kwestie


def _mail_linked_reporters(
    kind: str, kwestie: Kwestie, linked: list[Signal], actor: User, **context: Any
) -> None:
    """One e-mail ``kind`` to each reporter of the ``linked`` signals, naming theirs.

    An anonymous signal's reporter gets a notice without content, if they left an address.
    """
    for signal in linked:
        if signal.anonymous:
            queue_anonymous_notice(signal, kind)
    for reporter, theirs in _by_reporter(linked):
        queue_mail(
            kind,
            reporter.email,
            {"reference": kwestie.reference, "title": kwestie.title},
            kwestie=kwestie,
            reporter=reporter,
            signals=theirs,
            actor=actor,
            url=kwestie_url(kwestie.id),
            **context,
        )


def _link(signal: Signal, kwestie: Kwestie, actor: User, *, tell_reporter: bool = True) -> None:
    moment = now()
    previous = signal.kwestie
    if previous is not None and previous.id != kwestie.id:
        record_kwestie_event(previous, "unlinked", actor, reference=signal.reference, to=kwestie.id)
    signal.kwestie = kwestie
    signal.kwestie_id = kwestie.id
    lifecycle.move(signal, "link")
    # Bumps the kwestie's version: a decision taken at the same moment conflicts instead of
    # leaving this signal open under a decided kwestie.
    touch_kwestie(kwestie, moment)
    lifecycle.record(
        signal,
        "linked",
        actor,
        kwestie=kwestie.id,
        title=kwestie.title,
        previous=previous.id if previous is not None else None,
    )
    record_kwestie_event(kwestie, "linked", actor, reference=signal.reference)
    if not tell_reporter:
        return
    queue_reporter_mail(
        "kwestie_linked",
        signal,
        kwestie=kwestie,
        actor=actor,
        kwestie_url=kwestie_url(kwestie.id),
    )


def begin_kwestie_action(
    actor: User,
    kwestie_id: int,
    schema: Schema,
    data: Mapping[str, Any],
    *,
    require_open: bool = False,
    require_decided: str | None = None,
) -> tuple[Kwestie, dict[str, Any]]:
    """Lock the kwestie, check that ``actor`` owns it and that it is open, then validate.

    Every kwestie action begins here. ``require_decided``: the action is for a decided
    kwestie only, and this is the refusal while it is open.
    """
    kwestie = get_visible_kwestie(actor, kwestie_id, for_update=True)
    if not kwestie.is_owned_by(actor):
        raise Forbidden(OWNER_ONLY)
    if require_open and not kwestie.is_open:
        raise StateConflict(ALREADY_DECIDED)
    if require_decided is not None and kwestie.is_open:
        raise StateConflict(require_decided)
    fields = load(schema, data)
    if fields["version"] is not None and fields["version"] != kwestie.version:
        raise StaleVersion()
    return kwestie, fields


def touch_kwestie(kwestie: Kwestie, moment: datetime) -> None:
    """Count a change of ``kwestie`` at ``moment``: a new version (the caller commits)."""
    kwestie.updated_at = moment
    flag_modified(kwestie, "updated_at")  # an UPDATE (and a new version) even at the same moment


def _kwestie_node(key: str) -> Node:
    node = kwestie_nodes().get(key)
    if node is None:  # the schema checked it; the route cannot change within a request
        raise InputInvalid({"node": ["Op deze plek in de route kan geen kwestie liggen."]})
    return node


def record_kwestie_event(
    kwestie: Kwestie, event_type: str, actor: User | None, **data: Any
) -> KwestieEvent:
    """Append an event to the kwestie's history (the caller commits)."""
    event = KwestieEvent(kwestie=kwestie, type=event_type, actor=actor, at=now(), data=data)
    db.session.add(event)
    return event


def _by_reporter(signals: Iterable[Signal]) -> list[tuple[User, list[Signal]]]:
    """The signals grouped per reporter, in order of first appearance; none without one."""
    grouped: dict[int, tuple[User, list[Signal]]] = {}
    for signal in signals:
        if signal.reporter_id is None or signal.reporter is None:
            continue  # anonymous: its reporter hears through the anonymous channel
        grouped.setdefault(signal.reporter_id, (signal.reporter, []))[1].append(signal)
    return list(grouped.values())


# Who and where -------------------------------------------------------------------------------


def may_create_kwestie(user: User) -> bool:
    """Whether ``user`` may start kwesties: managers, node-group members and administrators."""
    return user.can_triage


def visible_kwestie_clause(user: User) -> ColumnElement[bool]:
    """SQL condition: the kwesties ``user`` may see.

    Its owners see it; administrators and people who handle signals see every kwestie except
    one at an independent node (the ombudsman), which is a closed room like it is for signals
    (the ombudsman's administrator sees those); a reporter sees the kwesties their own signals
    are linked to (and so their outcome).
    """
    independent = independent_nodes()
    outside_closed_rooms = Kwestie.node.not_in(independent) if independent else true()
    own_signal = exists().where(Signal.kwestie_id == Kwestie.id, Signal.reporter_id == user.id)
    clauses = [Kwestie.is_owned_by(user), own_signal]
    if user.is_admin or user.can_triage:
        clauses.append(outside_closed_rooms)
    if user.is_ombudsman_admin and independent:
        clauses.append(Kwestie.node.in_(independent))
    return or_(*clauses)


def joinable_kwestie_clause(user: User) -> ColumnElement[bool]:
    """SQL condition: the open kwesties ``user`` may join with a new signal of theirs.

    The open kwesties they may see, and every open kwestie outside the closed rooms: a
    professional who is about to report the same mechanism again should find the kwestie that
    bundles it, even if none of their signals is linked to it yet.
    """
    independent = independent_nodes()
    outside_closed_rooms = Kwestie.node.not_in(independent) if independent else true()
    return and_(
        Kwestie.status == KwestieStatus.OPEN,
        or_(visible_kwestie_clause(user), outside_closed_rooms),
    )


def join_kwestie(signal: Signal, kwestie_id: int, reporter: User) -> None:
    """The reporter's new ``signal`` joins the open kwestie ``kwestie_id``.

    Inside the submission's unit of work. The kwestie's owner finds it among the linked
    signals, the reporter hears the decision. No e-mail about the link: the reporter chose
    it, and gets the receipt.
    """
    query = select(Kwestie).where(Kwestie.id == kwestie_id, joinable_kwestie_clause(reporter))
    kwestie = db.session.scalar(
        query.with_for_update(of=Kwestie, key_share=True).execution_options(populate_existing=True)
    )
    if kwestie is None:
        raise InputInvalid({"kwestie_id": [NOT_JOINABLE]})
    _link(signal, kwestie, reporter, tell_reporter=False)


def check_joinable(reporter: User, kwestie_id: int) -> None:
    """Refuse (422) a kwestie the reporter may not join, before anything is stored."""
    if not 0 < kwestie_id <= MAX_ID or not db.session.scalar(
        select(Kwestie.id).where(Kwestie.id == kwestie_id, joinable_kwestie_clause(reporter))
    ):
        raise InputInvalid({"kwestie_id": [NOT_JOINABLE]})


def reachable_kwestie_ids(user: User) -> CompoundSelect[tuple[int]] | None:
    """The ids of the kwesties ``user`` owns or has a signal linked to, from indexes.

    A superset of what :func:`visible_kwestie_clause` lets a professional see; None for who
    sees most kwesties by their role (they triage, or administer).
    """
    if user.is_admin or user.can_triage or user.is_ombudsman_admin:
        return None
    owned = select(Kwestie.id).where(Kwestie.is_owned_by(user))
    linked = select(Signal.kwestie_id).where(
        Signal.reporter_id == user.id, Signal.kwestie_id.is_not(None)
    )
    return union_all(owned, linked)


def _sees_kwestie_at(user: User, node: Node, owner: Owner) -> bool:
    """Whether ``user`` would see a kwestie at ``node`` owned by ``owner`` (linked signals aside).

    The same rule as :func:`visible_kwestie_clause`, for a kwestie not yet saved.
    """
    if owner.user is not None and owner.user.id == user.id:
        return True
    if owner.group is not None and owner.group in user.groups:
        return True
    if node.independent:
        return user.is_ombudsman_admin
    return user.is_admin or user.can_triage


def may_see_kwestie(user: User, kwestie_id: int) -> bool:
    """Whether ``user`` may see the kwestie ``kwestie_id``."""
    return kwestie_id in visible_kwestie_ids(user, [kwestie_id])


def visible_kwestie_ids(user: User, kwestie_ids: Iterable[int]) -> set[int]:
    """Those of ``kwestie_ids`` that ``user`` may see (one query)."""
    wanted = sorted({kwestie_id for kwestie_id in kwestie_ids if 0 < kwestie_id <= MAX_ID})
    if not wanted:
        return set()
    query = select(Kwestie.id).where(Kwestie.id.in_(wanted), visible_kwestie_clause(user))
    return set(db.session.scalars(query))


def get_visible_kwestie(user: User, kwestie_id: int, *, for_update: bool = False) -> Kwestie:
    """The kwestie ``kwestie_id`` if ``user`` may see it; else NotFound."""
    if not 0 < kwestie_id <= MAX_ID:
        raise NotFound(NOT_FOUND)
    query = select(Kwestie).where(Kwestie.id == kwestie_id, visible_kwestie_clause(user))
    if for_update:
        # NO KEY UPDATE: new events and links (foreign keys to the kwestie) do not wait for it.
        query = query.with_for_update(of=Kwestie, key_share=True).execution_options(
            populate_existing=True
        )
    kwestie = db.session.scalar(query)
    if kwestie is None:
        raise NotFound(NOT_FOUND)
    return kwestie


# Queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KwestieSummary:
    """A kwestie in a list, with how many signals are linked to it and how many are open."""

    kwestie: Kwestie
    linked: int
    open: int


def list_kwesties(user: User) -> list[KwestieSummary]:
    """The kwesties ``user`` may see: open ones first, most recently changed first.

    The counts of linked signals are of those ``user`` may see in full, except for the
    kwesties they answer for (:func:`answers_for_all_linked`), where every one counts.
    """
    every = _linked_counts(None)
    seen = _linked_counts(fully_visible_clause(user))
    query = (
        select(
            Kwestie,
            func.coalesce(every.c.linked, 0),
            func.coalesce(every.c.open, 0),
            func.coalesce(seen.c.linked, 0),
            func.coalesce(seen.c.open, 0),
        )
        .outerjoin(every, every.c.kwestie_id == Kwestie.id)
        .outerjoin(seen, seen.c.kwestie_id == Kwestie.id)
        .where(visible_kwestie_clause(user))
        .order_by(
            case((Kwestie.status == KwestieStatus.OPEN, 0), else_=1),
            Kwestie.updated_at.desc(),
            Kwestie.id.desc(),
        )
    )
    summaries = []
    for kwestie, linked, open_count, seen_linked, seen_open in db.session.execute(query).all():
        if not answers_for_all_linked(user, kwestie):
            linked, open_count = seen_linked, seen_open
        summaries.append(KwestieSummary(kwestie, int(linked), int(open_count)))
    return summaries


def _linked_counts(condition: ColumnElement[bool] | None) -> Any:
    """Per kwestie: its linked signals and the open ones among them (matching ``condition``)."""
    query = select(
        Signal.kwestie_id.label("kwestie_id"),
        func.count().label("linked"),
        func.count(case((Signal.status.in_(OPEN_STATUSES), 1))).label("open"),
    ).where(Signal.kwestie_id.is_not(None))
    if condition is not None:
        query = query.where(condition)
    return query.group_by(Signal.kwestie_id).subquery()


def open_kwesties(user: User) -> list[Kwestie]:
    """Every open kwestie ``user`` may see, by title (what they can link a signal to)."""
    query = (
        select(Kwestie)
        .where(Kwestie.status == KwestieStatus.OPEN, visible_kwestie_clause(user))
        .order_by(Kwestie.title, Kwestie.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class LinkedSignals:
    """The signals of a kwestie as one viewer may see them: the visible ones, and a count.

    ``hidden`` counts the linked signals the viewer may not see, for the kwestie's owners and
    administrators only: a decision resolves all of them, so its owner must know how many
    there are. To anyone else they do not exist (0).
    """

    visible: list[Signal]
    hidden: int

    @property
    def total(self) -> int:
        return len(self.visible) + self.hidden


def linked_signals_for(user: User, kwestie: Kwestie) -> LinkedSignals:
    """The linked signals ``user`` may see in full; the others only count, for its owners."""
    linked = _linked_signals(kwestie.id)
    visible = [signal for signal in linked if visibility(user, signal) == Visibility.FULL]
    hidden = len(linked) - len(visible) if answers_for_all_linked(user, kwestie) else 0
    return LinkedSignals(visible, hidden)


def answers_for_all_linked(user: User, kwestie: Kwestie) -> bool:
    """Whether ``user`` may know of every signal linked to ``kwestie``: owners, administrators."""
    if kwestie.is_owned_by(user):
        return True
    at_closed_room = kwestie.node in independent_nodes()
    return user.is_ombudsman_admin if at_closed_room else user.is_admin


@dataclass(frozen=True)
class TimelineEntry:
    """An event of a kwestie as one viewer may see it: references they may not open removed."""

    type: str
    at: datetime
    actor: User | None
    data: dict[str, Any]
    id: int = 0  # the event's, so a page can tell what came after the entries it showed


# Event data that names signals: one reference, or a list of them.
_REFERENCE_KEYS = ("from_signal", "reference")
_REFERENCE_LIST_KEYS = ("resolved",)


def kwestie_timeline(user: User, kwestie: Kwestie) -> list[TimelineEntry]:
    """The history of ``kwestie`` for ``user``: a signal they may not see in full is unnamed.

    A named reference they may not open becomes ``None`` (one) or is left out (a list), so
    neither the page nor the API tells them which signals lie behind the kwestie; the links
    and unlinks of such signals are shown only to those who answer for every linked signal.
    """
    named = {
        reference for event in kwestie.events for reference in _references_in(event.data or {})
    }
    seen = fully_visible_references(user, named)
    knows_all = answers_for_all_linked(user, kwestie)
    entries = []
    for event in kwestie.events:
        data = _redacted(event.data or {}, seen)
        if event.type in ("linked", "unlinked") and data.get("reference") is None and not knows_all:
            continue  # to them, a signal they may not see was never linked
        entries.append(TimelineEntry(event.type, event.at, event.actor, data, id=event.id))
    return entries


def _references_in(data: Mapping[str, Any]) -> list[str]:
    found = [data[key] for key in _REFERENCE_KEYS if isinstance(data.get(key), str)]
    for key in _REFERENCE_LIST_KEYS:
        found += [item for item in data.get(key) or [] if isinstance(item, str)]
    return found


def _redacted(data: Mapping[str, Any], seen: set[str]) -> dict[str, Any]:
    shown = dict(data)
    for key in _REFERENCE_KEYS:
        if key in shown and shown[key] not in seen:
            shown[key] = None
    for key in _REFERENCE_LIST_KEYS:
        if key in shown:
            shown[key] = [item for item in shown[key] or [] if item in seen]
    return shown


def _linked_signals(kwestie_id: int, *, for_update: bool = False) -> list[Signal]:
    query = select(Signal).where(Signal.kwestie_id == kwestie_id).order_by(Signal.id)
    if for_update:
        query = query.with_for_update(of=Signal).execution_options(populate_existing=True)
    return list(db.session.scalars(query))


# Suggestions ---------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """
    aangezien alle alleen altijd ander andere anders bijna daar daardoor daarna daarom dat
    deze dezelfde doen door doordat eens eerst eigen elke enige enkele geen gaan gaat heeft
    hebben hier hierdoor hoewel hun iets juist komen komt kunnen maar meer mensen met moet
    moeten naar niet niets nooit omdat onder ons onze ook over steeds terwijl tegen toch tussen
    veel voor vaak vanaf vanuit waar waardoor wanneer want waren wegens welke werd werden wordt
    worden zelf zich zijn zonder zoals zodat inwoner inwoners signaal signalen
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+")
CANDIDATES = 200  # at most this many of the newest candidates are ranked


def title_words(text: str) -> set[str]:
    """The meaningful words of a title: lowercase, at least four letters, no stopwords."""
    return {
        word for word in _WORD.findall(text.lower()) if len(word) >= 4 and word not in STOPWORDS
    }


@dataclass(frozen=True)
class Suggestions:
    """Open kwesties and open unlinked signals that look like a signal (best first)."""

    kwesties: list[Kwestie] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.kwesties or self.signals)


@dataclass(frozen=True)
class _Subject:
    title: str
    regulations: frozenset[str]
    source: str | None
    signal_id: int | None
    kwestie_id: int | None


def _subject(subject: Signal | Mapping[str, Any]) -> _Subject:
    if isinstance(subject, Signal):
        return _Subject(
            subject.title,
            frozenset(subject.regulations),
            subject.source_organisation,
            subject.id,
            subject.kwestie_id,
        )
    title = subject.get("title")
    raw = subject.get("regulations", subject.get("regulation")) or []
    raw = [raw] if isinstance(raw, str) else raw
    regulations = frozenset(code for code in raw if isinstance(code, str) and code)
    source = subject.get("source_organisation")
    return _Subject(
        title if isinstance(title, str) else "",
        regulations,
        source if isinstance(source, str) and source else None,
        None,
        None,
    )


def suggest_for(user: User, subject: Signal | Mapping[str, Any], limit: int = 5) -> Suggestions:
    """Open kwesties and open unlinked signals ``user`` may see that look like ``subject``.

    ``subject`` is a signal or the fields of a form (title, regulations or regulation, source
    organisation). Candidates share a regulation or the source organisation (or, without
    either, at least one word of the title); they are ranked by the words their titles share,
    then by how much of the mechanism they share, newest first.
    """
    facts = _subject(subject)
    words = title_words(facts.title)
    if not (facts.regulations or facts.source or words):
        return Suggestions()

    kwestie_mechanism: list[ColumnElement[bool]] = []
    signal_mechanism: list[ColumnElement[bool]] = []
    if facts.regulations:
        kwestie_mechanism.append(Kwestie.regulation.in_(facts.regulations))
        signal_mechanism.append(
            exists().where(
                SignalRegulation.signal_id == Signal.id,
                SignalRegulation.code.in_(facts.regulations),
            )
        )
    if facts.source:
        kwestie_mechanism.append(Kwestie.source_organisation == facts.source)
        signal_mechanism.append(Signal.source_organisation == facts.source)

    kwestie_query = select(Kwestie).where(
        Kwestie.status == KwestieStatus.OPEN, visible_kwestie_clause(user)
    )
    if facts.kwestie_id is not None:
        kwestie_query = kwestie_query.where(Kwestie.id != facts.kwestie_id)
    if kwestie_mechanism:
        kwestie_query = kwestie_query.where(or_(*kwestie_mechanism))
    kwestie_query = kwestie_query.order_by(Kwestie.updated_at.desc()).limit(CANDIDATES)

    signal_query = select(Signal).where(
        Signal.status.in_(OPEN_STATUSES), Signal.kwestie_id.is_(None), visible_clause(user)
    )
    if facts.signal_id is not None:
        signal_query = signal_query.where(Signal.id != facts.signal_id)
    if signal_mechanism:
        signal_query = signal_query.where(or_(*signal_mechanism))
    signal_query = signal_query.order_by(Signal.created_at.desc(), Signal.id.desc()).limit(
        CANDIDATES
    )

    def shared(regulations: Iterable[str | None], source: str | None) -> int:
        in_common = len(facts.regulations.intersection(code for code in regulations if code))
        return in_common + (1 if facts.source and source == facts.source else 0)

    kwesties = _rank(
        (
            (
                len(words & title_words(kwestie.title)),
                shared([kwestie.regulation], kwestie.source_organisation),
                kwestie,
            )
            for kwestie in db.session.scalars(kwestie_query)
        ),
        needs_words=not kwestie_mechanism,
    )
    ranked_signals = _rank(
        (
            (
                len(words & title_words(signal.title)),
                shared(signal.regulations, signal.source_organisation),
                signal,
            )
            for signal in db.session.scalars(signal_query)
        ),
        needs_words=not signal_mechanism,
    )
    signals: list[Signal] = []
    for signal in ranked_signals:
        if len(signals) == limit:
            break
        # Seeing only where a signal is (an independent node) is not seeing its title.
        if visibility(user, signal) == Visibility.FULL:
            signals.append(signal)
    return Suggestions(kwesties[:limit], signals)


T = TypeVar("T")


def _rank(scored: Iterable[tuple[int, int, T]], *, needs_words: bool) -> list[T]:
    # Candidates come newest first; a stable sort keeps that order among equal scores.
    kept = [
        (overlap, mechanism, item)
        for overlap, mechanism, item in scored
        if overlap > 0 or not needs_words
    ]
    kept.sort(key=lambda entry: (-entry[0], -entry[1]))
    return [item for _overlap, _mechanism, item in kept]
