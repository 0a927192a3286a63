"""What the API answers, as marshmallow schemas (dumped, and documented in the OpenAPI file).

Inputs are validated by the domain's own schemas (:mod:`signals.workflow.schemas`,
:mod:`signals.kwesties.schemas`), the same ones the web forms use. The ``present_*``
functions decide what one caller may see of an object — the reporter hidden at nodes that
hide them, what they may do now — and the schemas give it its shape.
"""

from datetime import datetime
from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from signals import codes
from signals.audit.services import ACTIONS, AccessLogPage
from signals.auth.models import ApiToken, User
from signals.knowledge.services import ArticleView
from signals.kwesties.models import Kwestie
from signals.kwesties.services import (
    KwestieSummary,
    LinkedSignals,
    TimelineEntry,
    may_see_kwestie,
    visible_kwestie_ids,
)
from signals.notifications.services import kwestie_url, link_to, signal_url
from signals.ownership.models import Owner
from signals.ownership.services import owner_label
from signals.routing.graph import RouteGraph
from signals.routing.services import RouteDecision, node_label
from signals.search.services import Hit, SearchResult
from signals.search.similar import Similar
from signals.settings import settings
from signals.workflow import access
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import actions_for

Json = dict[str, Any]


class OutputSchema(Schema):
    """Base of the answers: fields in the order declared."""

    class Meta:  # noqa: D106
        ordered = True


class ErrorBodySchema(OutputSchema):
    """What went wrong: a code for programs, a Dutch message for people, messages per field."""

    code = fields.String(required=True, metadata={"example": "invalid_input"})
    message = fields.String(required=True)
    field_messages = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Per invoerveld de meldingen (bij 422)."},
    )


class ErrorEnvelopeSchema(OutputSchema):
    """Every error answer."""

    error = fields.Nested(ErrorBodySchema, required=True)


class TokenCreateSchema(OutputSchema):
    """A new token: ``token`` is shown only in this answer."""

    token = fields.String(required=True, metadata={"example": "ks_…"})
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class NodeRefSchema(OutputSchema):
    """A place in the route: its key and Dutch label."""

    key = fields.String(required=True)
    label = fields.String(required=True)


class OwnerSchema(OutputSchema):
    """A person (``name``, ``email``) or a group of the route (``group``, ``label``)."""

    name = fields.String()
    email = fields.String()
    group = fields.String()
    label = fields.String()


class PersonSchema(OutputSchema):
    """A person: name, e-mail address and organisation."""

    name = fields.String(required=True)
    email = fields.String(required=True)
    organisation = fields.String(required=True)


class DeadlinesSchema(OutputSchema):
    """The deadlines of the current visit to a node (ISO 8601 with offset), or null."""

    accept_due = fields.DateTime(required=True, allow_none=True)
    feedback_due = fields.DateTime(required=True, allow_none=True)
    update_due = fields.DateTime(required=True, allow_none=True)


class KwestieRefSchema(OutputSchema):
    """The kwestie a signal belongs to; its title only for those who may see the kwestie."""

    id = fields.Integer(required=True)
    title = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "null: een kwestie die u niet mag zien (op een onafhankelijke plek)"
        },
    )


class ActorSchema(OutputSchema):
    """Who did it; ``name`` is null where the reporter is not shown to the caller."""

    name = fields.String(required=True, allow_none=True)
    reporter = fields.Boolean(required=True)


class EventSchema(OutputSchema):
    """An entry in the timeline."""

    type = fields.String(required=True, metadata={"example": "accepted"})
    at = fields.DateTime(required=True)
    actor = fields.Nested(ActorSchema, required=True, allow_none=True)
    data = fields.Dict(required=True)


class SignalSchema(OutputSchema):
    """A signal as the caller may see it."""

    reference = fields.String(required=True, metadata={"example": "KM-2026-00042"})
    title = fields.String(required=True)
    situation = fields.String(required=True)
    resident_experience = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(list(codes.STATUSES)),
        metadata={
            "description": "Open: `new`, `in_progress`, `awaiting_reporter` (termijnen staan "
            "stil). Gesloten: `resolved` (met uitkomst en onderbouwing) en `withdrawn` (door de "
            "melder ingetrokken: geen uitkomst, termijnen gestopt, geen actie meer mogelijk)."
        },
    )
    node = fields.Nested(NodeRefSchema, required=True)
    owner = fields.Nested(OwnerSchema, required=True, allow_none=True)
    reporter = fields.Nested(
        PersonSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "null waar de melder voor u is afgeschermd, bij een anoniem signaal "
            "en na de bewaartermijn"
        },
    )
    anonymous = fields.Boolean(
        required=True,
        metadata={
            "description": "Anoniem ingediend: geen melder, en van de melder alleen de dag "
            "(`created_at` en de momenten van de melder zijn dan het begin van die dag)"
        },
    )
    deadlines = fields.Nested(DeadlinesSchema, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    outcome = fields.String(required=True, allow_none=True)
    rationale = fields.String(required=True, allow_none=True)
    kwestie = fields.Nested(KwestieRefSchema, required=True, allow_none=True)
    regulations = fields.List(fields.String(), required=True)
    level = fields.String(required=True)
    source_organisation = fields.String(required=True, allow_none=True)
    scope = fields.String(required=True)
    urgency = fields.String(required=True)
    impact = fields.List(fields.String(), required=True)
    maatwerk = fields.String(required=True)
    maatwerk_grounds = fields.List(fields.String(), required=True)
    anonymised_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "Wanneer de bewaartermijn verstreek en tekst en namen zijn "
            "verwijderd (titel: `Geanonimiseerd signaal`, teksten leeg, `reporter` null); "
            "codes, data, route en uitkomst blijven. null: niet geanonimiseerd"
        },
    )
    legal_hold = fields.Boolean(
        required=True,
        metadata={"description": "Bewaarplicht: wordt niet geanonimiseerd (`legal_hold`)"},
    )
    version = fields.Integer(
        required=True,
        metadata={
            "description": "Stuur mee als `version` bij een actie: 409 als het intussen "
            "door iemand anders is gewijzigd."
        },
    )
    actions = fields.List(
        fields.String(), required=True, metadata={"description": "Wat u nu met dit signaal kunt"}
    )
    url = fields.String(required=True, metadata={"description": "De pagina in de webapplicatie"})


class SignalDetailSchema(SignalSchema):
    """A signal with its timeline."""

    events = fields.List(fields.Nested(EventSchema), required=True)


class SignalPageSchema(OutputSchema):
    """A page of signals, newest first; ``next_cursor`` fetches the next page (null: done)."""

    items = fields.List(fields.Nested(SignalSchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class RoutePreviewSchema(OutputSchema):
    """Where a signal with these fields would go now, and its deadlines there."""

    node = fields.Nested(NodeRefSchema, required=True)
    owner = fields.Nested(OwnerSchema, required=True)
    reason = fields.String(required=True)
    accept_due = fields.DateTime(required=True)
    feedback_due = fields.DateTime(required=True)
    update_due = fields.DateTime(required=True)
    similar = fields.Nested(lambda: SimilarSchema(), required=True)


class FragmentSchema(OutputSchema):
    """A piece of the found text, and where the words that matched are in it."""

    text = fields.String(required=True)
    highlights = fields.List(
        fields.List(fields.Integer()),
        required=True,
        metadata={"description": "Per gevonden woord: [begin, eind) als tekenpositie in `text`"},
    )


class SearchHitSchema(OutputSchema):
    """Something found: a signal, kwestie, overleg or kennisartikel."""

    kind = fields.String(
        required=True, metadata={"enum": ["signal", "kwestie", "meeting", "article"]}
    )
    key = fields.String(
        required=True, metadata={"description": "Het kenmerk van een signaal, anders het nummer"}
    )
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "In het Nederlands"})
    date = fields.DateTime(required=True)
    fragment = fields.Nested(FragmentSchema, required=True)
    url = fields.String(required=True, metadata={"description": "Waar de API het geeft"})


class SearchResultSchema(OutputSchema):
    """What a search found, best first; ``exact`` when the query named one thing."""

    query = fields.String(required=True)
    exact = fields.Nested(SearchHitSchema, required=True, allow_none=True)
    items = fields.List(fields.Nested(SearchHitSchema), required=True)
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Per soort: hoeveel u mag zien (geteld tot 100)"},
    )
    more = fields.Dict(
        keys=fields.String(),
        values=fields.Boolean(),
        required=True,
        metadata={"description": "Per soort: of er meer dan 100 zijn (maak de vraag specifieker)"},
    )


class SimilarSchema(OutputSchema):
    """Open kwesties (om bij aan te sluiten: ``kwestie_id``) en kennisartikelen als dit signaal."""

    kwesties = fields.List(fields.Nested(SearchHitSchema), required=True)
    articles = fields.List(fields.Nested(SearchHitSchema), required=True)


class ClocksSchema(OutputSchema):
    """Working days: to accept, to the first feedback, between status updates."""

    accept_within = fields.Integer(required=True)
    feedback_within = fields.Integer(required=True)
    update_every = fields.Integer(required=True)


class RouteNodeSchema(OutputSchema):
    """A place in the route: who owns it, its clocks, where it escalates to."""

    key = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True)
    description = fields.String(required=True)
    owner = fields.Dict(required=True, metadata={"description": "`type` en zo nodig `group`"})
    clocks = fields.Nested(ClocksSchema, required=True)
    escalate_on_overdue = fields.String(required=True, allow_none=True)
    independent = fields.Boolean(required=True)
    shows_reporter = fields.Boolean(required=True)


class RouteEdgeSchema(OutputSchema):
    """A line of the route (``back``: a way back)."""

    source = fields.String(required=True, data_key="from")
    target = fields.String(required=True, data_key="to")
    back = fields.Boolean(required=True)


class EntryRuleSchema(OutputSchema):
    """A rule for the first node: all its conditions hold."""

    name = fields.String(required=True)
    to = fields.String(required=True)
    when = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw()), required=True)


class EntrySchema(OutputSchema):
    """How a new signal finds its first node: the first rule that matches, else ``default``."""

    rules = fields.List(fields.Nested(EntryRuleSchema), required=True)
    default = fields.String(required=True)


class RouteGraphSchema(OutputSchema):
    """The active route graph."""

    municipality = fields.String(required=True)
    version = fields.String(required=True)
    nodes = fields.List(fields.Nested(RouteNodeSchema), required=True)
    edges = fields.List(fields.Nested(RouteEdgeSchema), required=True)
    entry = fields.Nested(EntrySchema, required=True)


class CodeSchema(OutputSchema):
    """A code and its Dutch label."""

    code = fields.String(required=True)
    label = fields.String(required=True)


class MaatwerkGroundSchema(OutputSchema):
    """A maatwerk ground explained: where it is written down and what room it gives."""

    code = fields.String(required=True)
    label = fields.String(required=True)
    where = fields.String(required=True, metadata={"description": "Waar de grond staat"})
    allows = fields.String(required=True, metadata={"description": "Wat de grond toestaat"})


class CodeListsSchema(OutputSchema):
    """Every code list with its Dutch labels, in the order forms show them."""

    lists = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(CodeSchema)), required=True
    )
    maatwerk_grounds = fields.List(
        fields.Nested(MaatwerkGroundSchema),
        required=True,
        metadata={
            "description": "De lijst `maatwerk_grounds` met per grond een uitleg in gewone taal"
        },
    )


class KwestieSchema(OutputSchema):
    """A structural issue: one mechanism behind many signals."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "decided"]))
    node = fields.Nested(NodeRefSchema, required=True)
    owner = fields.Nested(OwnerSchema, required=True)
    regulation = fields.String(required=True, allow_none=True)
    level = fields.String(required=True, allow_none=True)
    source_organisation = fields.String(required=True, allow_none=True)
    outcome = fields.String(required=True, allow_none=True)
    rationale = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(required=True, allow_none=True)
    version = fields.Integer(required=True)
    linked = fields.Integer(required=True, metadata={"description": "gekoppelde signalen"})
    url = fields.String(required=True)


class KwestieListSchema(OutputSchema):
    """The kwesties the caller may see."""

    items = fields.List(fields.Nested(KwestieSchema), required=True)


class KwestieEventSchema(OutputSchema):
    """An entry in a kwestie's history."""

    type = fields.String(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True, allow_none=True)
    data = fields.Dict(required=True)


class KwestieWhereaboutsSchema(OutputSchema):
    """A kwestie its creator may not see (at an independent node): only where it lies."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "decided"]))
    node = fields.Nested(NodeRefSchema, required=True)
    whereabouts_only = fields.Boolean(
        required=True, metadata={"description": "altijd `true`: de inhoud is voor u afgeschermd"}
    )


class KwestieDetailSchema(KwestieSchema):
    """A kwestie with the linked signals the caller may see, and its history."""

    signals = fields.List(fields.String(), required=True)
    hidden_signals = fields.Integer(
        required=True,
        metadata={
            "description": "gekoppelde signalen die u niet mag zien (alleen voor de eigenaar "
            "van de kwestie en beheerders geteld; voor anderen 0)"
        },
    )
    events = fields.List(fields.Nested(KwestieEventSchema), required=True)


# What one caller sees ------------------------------------------------------------------------


def present_token(token: ApiToken, secret: str) -> Json:
    return {
        "token": secret,
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
    }


def present_signal(viewer: User, signal: Signal, *, with_events: bool = False) -> Json:
    """``signal`` as ``viewer`` may see it in full (the caller has checked that they may)."""
    shows_reporter = access.shows_reporter(viewer, signal)
    reporter = signal.reporter
    view: Json = {
        "reference": signal.reference,
        "title": signal.title,
        "situation": signal.situation,
        "resident_experience": signal.resident_experience,
        "status": signal.status,
        "node": {"key": signal.node, "label": node_label(signal.node)},
        "owner": _owner(signal.owner),
        "reporter": {
            "name": reporter.name,
            "email": reporter.email,
            "organisation": reporter.organisation.name,
        }
        if shows_reporter and reporter is not None
        else None,
        "deadlines": {
            "accept_due": signal.accept_due,
            "feedback_due": signal.feedback_due,
            "update_due": signal.update_due,
        },
        "anonymous": signal.anonymous,
        "created_at": start_of_day(signal.created_at) if signal.anonymous else signal.created_at,
        "updated_at": signal.updated_at,
        "outcome": signal.outcome,
        "rationale": signal.rationale,
        "kwestie": _kwestie_ref(viewer, signal),
        "regulations": signal.regulations,
        "level": signal.level,
        "source_organisation": signal.source_organisation,
        "scope": signal.scope,
        "urgency": signal.urgency,
        "impact": list(signal.impact or []),
        "maatwerk": signal.maatwerk,
        "maatwerk_grounds": list(signal.maatwerk_grounds or []),
        "anonymised_at": signal.anonymised_at,
        "legal_hold": signal.legal_hold,
        "version": signal.version,
        "actions": actions_for(viewer, signal),
        "url": signal_url(signal.reference),
    }
    if with_events:
        hidden_kwesties = _hidden_kwesties(viewer, signal)
        view["events"] = [
            _present_event(event, signal, shows_reporter, hidden_kwesties)
            for event in signal.events
        ]
    return view


def _kwestie_ref(viewer: User, signal: Signal) -> Json | None:
    if signal.kwestie is None:
        return None
    seen = may_see_kwestie(viewer, signal.kwestie.id)
    return {"id": signal.kwestie.id, "title": signal.kwestie.title if seen else None}


def _hidden_kwesties(viewer: User, signal: Signal) -> set[int]:
    """The kwesties named in ``signal``'s timeline that ``viewer`` may not see."""
    named = {
        event.data["kwestie"]
        for event in signal.events
        if isinstance((event.data or {}).get("kwestie"), int)
    }
    return named - visible_kwestie_ids(viewer, named)


def _owner(owner: Owner) -> Json | None:
    """An owner as :class:`OwnerSchema` shows it: a person, else a group of the route."""
    if owner.user is not None:
        return {"name": owner.user.name, "email": owner.user.email}
    if owner.group is not None:
        return {"group": owner.group, "label": owner_label(owner)}
    return None


def _present_event(
    event: SignalEvent, signal: Signal, shows_reporter: bool, hidden_kwesties: set[int]
) -> Json:
    actor: Json | None = None
    at = event.at
    if event.by_anonymous_reporter:
        actor, at = {"name": None, "reporter": True}, start_of_day(event.at)
    elif event.actor is not None:
        by_reporter = event.actor_id == signal.reporter_id
        actor = {
            "name": event.actor.name if shows_reporter or not by_reporter else None,
            "reporter": by_reporter,
        }
    data = dict(event.data or {})
    if data.get("kwestie") in hidden_kwesties and "title" in data:
        data["title"] = None  # the title of a kwestie the viewer may not see
    return {"type": event.type, "at": at, "actor": actor, "data": data}


def start_of_day(moment: datetime) -> datetime:
    """The start of ``moment``'s local day: what the API shows of an anonymous reporter's times."""
    local = moment.astimezone(settings().zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def present_preview(decision: RouteDecision, similar: Similar) -> Json:
    return {
        "node": {"key": decision.node.key, "label": decision.node.label},
        "owner": _owner(decision.owner),
        "reason": decision.reason,
        "accept_due": decision.deadlines.accept_due,
        "feedback_due": decision.deadlines.feedback_due,
        "update_due": decision.deadlines.update_due,
        "similar": {
            "kwesties": [present_hit(hit) for hit in similar.kwesties],
            "articles": [present_hit(hit) for hit in similar.articles],
        },
    }


_HIT_ENDPOINTS = {
    "signal": ("api.get_signal", "reference", str),
    "kwestie": ("api.get_kwestie", "kwestie_id", int),
    "meeting": ("api.get_meeting", "meeting_id", int),
    "article": ("api.get_knowledge_article", "article_id", int),
}


def present_hit(hit: Hit) -> Json:
    endpoint, argument, convert = _HIT_ENDPOINTS[hit.kind]
    return {
        "kind": hit.kind,
        "key": hit.key,
        "title": hit.title,
        "status": hit.status,
        "date": hit.at,
        "fragment": {
            "text": hit.fragment.text,
            "highlights": [list(span) for span in hit.fragment.highlights],
        },
        "url": url_for(endpoint, **{argument: convert(hit.key)}),
    }


def present_search(result: SearchResult) -> Json:
    return {
        "query": result.query,
        "exact": present_hit(result.exact) if result.exact is not None else None,
        "items": [present_hit(hit) for hit in result.hits],
        "counts": {kind.kind: kind.count for kind in result.kinds},
        "more": {kind.kind: kind.more for kind in result.kinds},
    }


def present_graph(graph: RouteGraph) -> Json:
    return {
        "municipality": graph.municipality,
        "version": graph.version,
        "nodes": [
            {
                "key": node.key,
                "label": node.label,
                "kind": node.kind.value,
                "description": node.description,
                "owner": {"type": node.owner.type.value, "group": node.owner.group or None},
                "clocks": {
                    "accept_within": node.clocks.accept_within,
                    "feedback_within": node.clocks.feedback_within,
                    "update_every": node.clocks.update_every,
                },
                "escalate_on_overdue": node.escalate_on_overdue,
                "independent": node.independent,
                "shows_reporter": node.shows_reporter,
            }
            for node in graph.nodes.values()
        ],
        "edges": [
            {"source": edge.source, "target": edge.target, "back": edge.back}
            for edge in graph.edges
        ],
        "entry": {
            "rules": [
                {
                    "name": rule.name,
                    "to": rule.to,
                    "when": {name: sorted(values, key=str) for name, values in rule.when.items()},
                }
                for rule in graph.rules
            ],
            "default": graph.default,
        },
    }


def present_codes() -> Json:
    return {
        "lists": {
            name: [{"code": code, "label": label} for code, label in code_list.items()]
            for name, code_list in codes.CODE_LISTS.items()
        },
        "maatwerk_grounds": [
            {
                "code": code,
                "label": label,
                "where": codes.MAATWERK_GROUND_EXPLANATIONS[code].where,
                "allows": codes.MAATWERK_GROUND_EXPLANATIONS[code].allows,
            }
            for code, label in codes.MAATWERK_GROUNDS.items()
        ],
    }


def present_kwestie(summary: KwestieSummary) -> Json:
    kwestie = summary.kwestie
    return {**_kwestie_fields(kwestie), "linked": summary.linked}


def present_kwestie_detail(
    kwestie: Kwestie, linked: LinkedSignals, timeline: list[TimelineEntry]
) -> Json:
    return {
        **_kwestie_fields(kwestie),
        "linked": linked.total,
        "signals": [signal.reference for signal in linked.visible],
        "hidden_signals": linked.hidden,
        "events": [
            {
                "type": event.type,
                "at": event.at,
                "actor": event.actor.name if event.actor is not None else None,
                "data": event.data,
            }
            for event in timeline
        ],
    }


def present_kwestie_whereabouts(kwestie: Kwestie) -> Json:
    return {
        "id": kwestie.id,
        "status": kwestie.status,
        "node": {"key": kwestie.node, "label": node_label(kwestie.node)},
        "whereabouts_only": True,
    }


def _kwestie_fields(kwestie: Kwestie) -> Json:
    return {
        "id": kwestie.id,
        "title": kwestie.title,
        "description": kwestie.description,
        "status": kwestie.status,
        "node": {"key": kwestie.node, "label": node_label(kwestie.node)},
        "owner": _owner(kwestie.owner),
        "regulation": kwestie.regulation,
        "level": kwestie.level,
        "source_organisation": kwestie.source_organisation,
        "outcome": kwestie.outcome,
        "rationale": kwestie.rationale,
        "created_at": kwestie.created_at,
        "updated_at": kwestie.updated_at,
        "decided_at": kwestie.decided_at,
        "version": kwestie.version,
        "url": kwestie_url(kwestie.id),
    }


# Knowledge -----------------------------------------------------------------------------------


class KnowledgeArticleSchema(OutputSchema):
    """A knowledge article: the mechanism, what was done and the codes of its source.

    Never the situation, the resident's experience, the rationale or the reporter: only the
    publisher's own texts and codes.
    """

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(
        required=True, metadata={"description": "Het mechanisme en wat ervan te leren is"}
    )
    what_was_done = fields.String(required=True)
    regulations = fields.List(fields.String(), required=True)
    level = fields.String(required=True, allow_none=True)
    source_organisation = fields.String(required=True, allow_none=True)
    outcome = fields.String(required=True, validate=validate.OneOf(list(codes.OUTCOMES)))
    maatwerk = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null: gepubliceerd vanuit een kwestie"},
    )
    maatwerk_grounds = fields.List(fields.String(), required=True)
    kwestie = fields.Nested(
        KwestieRefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null: geen kwestie, of een die u niet mag zien"},
    )
    published_by = fields.String(
        required=True, metadata={"description": "De naam van wie de tekst publiceerde"}
    )
    published_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True)
    url = fields.String(required=True)


class KnowledgePageSchema(OutputSchema):
    """A page of articles, newest first; ``next_cursor`` fetches the next page (null: done)."""

    items = fields.List(fields.Nested(KnowledgeArticleSchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


def present_article(view: ArticleView) -> Json:
    """An article as its reader may see it: its kwestie only if they may see that."""
    article = view.article
    kwestie = view.kwestie
    return {
        "id": article.id,
        "title": article.title,
        "summary": article.summary,
        "what_was_done": article.what_was_done,
        "regulations": list(article.regulations),
        "level": article.level,
        "source_organisation": article.source_organisation,
        "outcome": article.outcome,
        "maatwerk": article.maatwerk,
        "maatwerk_grounds": list(article.maatwerk_grounds),
        "kwestie": {"id": kwestie.id, "title": kwestie.title} if kwestie is not None else None,
        "published_by": article.published_by.name,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "version": article.version,
        "url": link_to("knowledge.show_article", article_id=article.id),
    }


# Meetings ------------------------------------------------------------------------------------


class AgendaItemOutSchema(OutputSchema):
    """An item on a meeting's agenda: a signal, a kwestie or a returning action item."""

    id = fields.Integer(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["proposed", "agendered", "declined", "concluded"])
    )
    signal = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Het kenmerk; null als u het signaal niet mag zien"},
    )
    kwestie = fields.Integer(required=True, allow_none=True)
    action_item = fields.Integer(required=True, allow_none=True)
    note = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)
    conclusion = fields.String(required=True, allow_none=True)


class ActionItemOutSchema(OutputSchema):
    """An action item agreed at a meeting."""

    id = fields.Integer(required=True)
    meeting = fields.Integer(required=True)
    description = fields.String(required=True)
    owner = fields.Nested(OwnerSchema, required=True)
    due = fields.Date(required=True)
    feedback_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "done"]))
    overdue = fields.Boolean(required=True)
    signal = fields.String(required=True, allow_none=True)
    kwestie = fields.Integer(required=True, allow_none=True)
    done_note = fields.String(required=True, allow_none=True)


class MeetingRoleOutSchema(OutputSchema):
    """A person's role in a leerdialoog."""

    name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(
        required=True,
        validate=validate.OneOf(
            ["gespreksleider", "casusinbrenger", "verdiepingspanel", "notulist", "organisator"]
        ),
    )


class TimelineEntryOutSchema(OutputSchema):
    """A moment in the case of a leerdialoog."""

    date = fields.Date(required=True)
    event = fields.String(required=True)
    parties = fields.String(required=True)


class MeetingOutSchema(OutputSchema):
    """A meeting of the owners of a route node, with its agenda and action items."""

    id = fields.Integer(required=True)
    node = fields.Nested(NodeRefSchema, required=True)
    kind = fields.String(
        required=True, validate=validate.OneOf(["casuistiek", "signalenoverleg", "leerdialoog"])
    )
    title = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["planned", "held", "closed"]))
    chair = fields.String(required=True)
    minutes = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Alleen voor de deelnemers en beheerders"},
    )
    agenda = fields.List(fields.Nested(AgendaItemOutSchema), required=True)
    action_items = fields.List(fields.Nested(ActionItemOutSchema), required=True)
    case = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Leerdialoog: de casus (null als u die niet mag zien)"},
    )
    roles = fields.List(fields.Nested(MeetingRoleOutSchema), required=True)
    timeline = fields.List(fields.Nested(TimelineEntryOutSchema), required=True)
    record = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        allow_none=True,
        metadata={
            "description": "Leerdialoog: dominant_views, values, crucial_moments, lessons "
            "(alleen voor de deelnemers)"
        },
    )
    warnings = fields.List(fields.String(), required=True)


class MeetingListSchema(OutputSchema):
    """The meetings the caller may see: planned ones first."""

    items = fields.List(fields.Nested(MeetingOutSchema), required=True)


def present_action_item(item: Any, visible: set[str]) -> Json:
    reference = item.signal.reference if item.signal is not None else None
    return {
        "id": item.id,
        "meeting": item.meeting_id,
        "description": item.description,
        "owner": _owner(item.owner),
        "due": item.due,
        "feedback_on": item.feedback_on,
        "status": item.status,
        "overdue": item.overdue_at is not None,
        "signal": reference if reference in visible else None,
        "kwestie": item.kwestie_id,
        "done_note": item.done_note,
    }


def present_meeting(
    meeting: Any, visible: set[str], reads_minutes: bool, warnings: list[str]
) -> Json:
    case = meeting.case_signal.reference if meeting.case_signal is not None else None
    return {
        "case": case if case in visible else None,
        "roles": [
            {"name": given.person.name, "email": given.person.email, "role": given.role}
            for given in meeting.roles
        ],
        "timeline": [
            {"date": entry.day, "event": entry.event, "parties": entry.parties}
            for entry in meeting.timeline
        ],
        "record": meeting.record if reads_minutes else None,
        "warnings": warnings,
        "id": meeting.id,
        "node": {"key": meeting.node, "label": node_label(meeting.node)},
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "status": meeting.status,
        "chair": meeting.chair.name,
        "minutes": meeting.minutes if reads_minutes else None,
        "agenda": [
            {
                "id": item.id,
                "status": item.status,
                "signal": item.signal.reference
                if item.signal is not None and item.signal.reference in visible
                else None,
                "kwestie": item.kwestie_id,
                "action_item": item.action_item_id,
                "note": item.note if reads_minutes else "",
                "reason": item.reason,
                "conclusion": item.conclusion,
            }
            for item in meeting.items
        ],
        "action_items": [present_action_item(item, visible) for item in meeting.action_items],
    }


# Figures -------------------------------------------------------------------------------------

COUNT = {"description": "null: minder dan 5 (zodat niemand herkenbaar is)"}


def _count_field() -> fields.Integer:
    return fields.Integer(required=True, allow_none=True, metadata=COUNT)


class TotalsSchema(OutputSchema):
    """Signals submitted in the period: all, still open, resolved."""

    submitted = _count_field()
    open = _count_field()
    resolved = _count_field()


class OnTimeSchema(OutputSchema):
    """Share (0–1) of deadlines met per clock; null over fewer than 5."""

    accept = fields.Float(required=True, allow_none=True)
    feedback = fields.Float(required=True, allow_none=True)
    update = fields.Float(required=True, allow_none=True)


class SatisfactionSchema(OutputSchema):
    """The reporters' verdicts after resolution (1–5)."""

    answers = _count_field()
    mean = fields.Float(required=True, allow_none=True)


class ReporterKindSchema(OutputSchema):
    """The figures of one kind of reporter (municipal staff or a contracted partner)."""

    submitted = _count_field()
    resolved = _count_field()
    median_days_to_feedback = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "Werkdagen van indienen tot de eerste terugkoppeling"},
    )
    satisfaction = fields.Nested(SatisfactionSchema, required=True)


class NodeFiguresSchema(OutputSchema):
    """The period's signals that are at a node now: open and closed."""

    open = _count_field()
    closed = _count_field()


class EffectivenessSchema(OutputSchema):
    """The six-month question "houdt de oplossing stand?": asked, held, not held."""

    asked = _count_field()
    held = _count_field()
    not_held = _count_field()


class StatsSchema(OutputSchema):
    """Figures over the signals submitted in the period that the caller may see."""

    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    node = fields.String(required=True, allow_none=True)
    totals = fields.Nested(TotalsSchema, required=True)
    on_time = fields.Nested(OnTimeSchema, required=True)
    by_node = fields.Dict(
        keys=fields.String(), values=fields.Nested(NodeFiguresSchema), required=True
    )
    by_reporter_kind = fields.Dict(
        keys=fields.String(), values=fields.Nested(ReporterKindSchema), required=True
    )
    by_regulation = fields.Dict(
        keys=fields.String(), values=fields.Integer(allow_none=True), required=True
    )
    outcomes = fields.Dict(
        keys=fields.String(), values=fields.Integer(allow_none=True), required=True
    )
    satisfaction = fields.Nested(SatisfactionSchema, required=True)
    effectiveness = fields.Nested(EffectivenessSchema, required=True)


# The anonymous channel -------------------------------------------------------------------------


class AnonymousCreatedSchema(OutputSchema):
    """What an anonymous submission answers: the reference and the receipt, shown only here."""

    reference = fields.String(required=True, metadata={"example": "KM-2026-000123"})
    receipt = fields.String(
        required=True,
        metadata={
            "example": "7KQM-2XRD-9PFT-HC4W-M1ZE",
            "description": "100 willekeurige bits in groepen van vier; alleen de hash wordt "
            "bewaard, dus dit is de enige keer dat hij te zien is",
        },
    )


class AnonymousEntrySchema(OutputSchema):
    """One step of an anonymous signal's history: the day, what happened, the words."""

    day = fields.Date(required=True)
    label = fields.String(required=True)
    message = fields.String(required=True, allow_none=True)
    by_reporter = fields.Boolean(required=True)


class AnonymousSignalViewSchema(OutputSchema):
    """An anonymous signal as its reporter reads it: no names, no time finer than the day."""

    reference = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(list(codes.STATUSES)))
    status_label = fields.String(required=True)
    node_label = fields.String(required=True)
    submitted_on = fields.Date(required=True)
    question = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "De open vraag van de eigenaar (status awaiting_reporter)"},
    )
    outcome = fields.String(required=True, allow_none=True)
    rationale = fields.String(required=True, allow_none=True)
    may_reply = fields.Boolean(required=True)
    entries = fields.List(fields.Nested(AnonymousEntrySchema), required=True)


class AccessLogActorSchema(OutputSchema):
    """Who acted: a person (``null`` for the command line)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)


class AccessLogEntrySchema(OutputSchema):
    """One entry of the access log: who did what to what, when."""

    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.Nested(AccessLogActorSchema, required=True, allow_none=True)
    action = fields.String(required=True, metadata={"enum": list(ACTIONS)})
    subject = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    detail = fields.String(required=True, allow_none=True)


class AccessLogSchema(OutputSchema):
    """A page of the access log, newest first; ``next_cursor`` gives the next page."""

    items = fields.List(fields.Nested(AccessLogEntrySchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


def present_access_log(page: AccessLogPage) -> Json:
    """A page of the access log as the API answers it."""
    items = []
    for logged in page.entries:
        entry = logged.entry
        actor = None
        if entry.actor_id is not None:
            person = logged.actor
            actor = {
                "id": entry.actor_id,
                "name": person.name if person is not None else None,
                "email": person.email if person is not None else None,
            }
        items.append(
            {
                "id": entry.id,
                "at": entry.at,
                "actor": actor,
                "action": entry.action,
                "subject": {"kind": entry.subject_kind, "reference": entry.subject_reference},
                "detail": entry.detail,
            }
        )
    cursor = str(page.next_cursor) if page.next_cursor is not None else None
    return {"items": items, "next_cursor": cursor}
