"""The pattern alert: "zien we dit vaker?" when similar unlinked signals pile up.

When ``PATTERN_ALERT_THRESHOLD`` signals that are not linked to a kwestie, submitted within the
last ``PATTERN_ALERT_DAYS`` days, concern the same regulation and the same source organisation,
the people of the policy node(s) get one e-mail each, naming the mechanism and those of the
signals that they may open (signals at an independent node are left out of the count). A set
of signals alerts once: its fingerprint (the hash of the sorted signal ids) is unique in the
database, so neither a second look at the same set nor two submissions at the same moment
alert twice.
"""

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite

from signals import codes
from signals.auth.models import GroupMembership, User
from signals.clock import now
from signals.extensions import db
from signals.kwesties.models import PatternAlert
from signals.notifications.services import link_to, queue_mail
from signals.routing.graph import NodeKind
from signals.routing.services import active_graph, independent_nodes
from signals.settings import settings
from signals.workflow.access import fully_visible_references
from signals.workflow.models import Signal, SignalRegulation


def check_patterns(signal: Signal) -> list[PatternAlert]:
    """Alert the policy node about every new set of similar signals ``signal`` completes.

    Runs inside the transaction that stores ``signal`` (which must be flushed); returns the
    alerts it made.
    """
    source = signal.source_organisation
    if not source:
        return []
    threshold = settings().pattern_alert_threshold
    since = now() - timedelta(days=settings().pattern_alert_days)
    alerts: list[PatternAlert] = []
    for regulation in dict.fromkeys(signal.regulations):
        similar = _similar_unlinked(regulation, source, since)
        if len(similar) < max(threshold, 1):
            continue
        ids = sorted(row.id for row in similar)
        alert = _record_once(regulation, source, ids)
        if alert is None:
            continue
        alerts.append(alert)
        _mail_policy(alert, similar)
    return alerts


def fingerprint(signal_ids: Iterable[int]) -> str:
    """The identity of a set of signals: sha256 of the sorted ids joined by commas."""
    joined = ",".join(str(signal_id) for signal_id in sorted(signal_ids))
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def _similar_unlinked(regulation: str, source: str, since: Any) -> list[Any]:
    """The unlinked signals of one mechanism, except those in a closed room.

    A signal at an independent node (the ombudsman) is that node's alone: counting it here
    would tell the policy node what the ombudsman is looking into.
    """
    independent = independent_nodes()
    query = (
        select(Signal.id, Signal.reference, Signal.title)
        .where(
            Signal.kwestie_id.is_(None),
            Signal.source_organisation == source,
            Signal.created_at >= since,
            Signal.node.not_in(independent),
            exists().where(
                SignalRegulation.signal_id == Signal.id, SignalRegulation.code == regulation
            ),
        )
        .order_by(Signal.created_at, Signal.id)
    )
    return list(db.session.execute(query).all())


def _record_once(regulation: str, source: str, ids: list[int]) -> PatternAlert | None:
    """Insert the alert unless one with the same fingerprint exists (or is being inserted)."""
    values = {
        "regulation": regulation,
        "source_organisation": source,
        "fingerprint": fingerprint(ids),
        "signal_ids": ids,
        "created_at": now(),
    }
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # A concurrent insert of the same set waits for the other and then does nothing.
        statement = (
            insert(PatternAlert)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["fingerprint"])
            .returning(PatternAlert.id)
        )
        new_id = db.session.execute(statement).scalar()
        if new_id is None:
            return None
        return db.session.get(PatternAlert, new_id)
    existing = db.session.scalar(
        select(PatternAlert.id).where(PatternAlert.fingerprint == values["fingerprint"])
    )
    if existing is not None:
        return None
    alert = PatternAlert(**values)
    db.session.add(alert)
    db.session.flush()
    return alert


def policy_members() -> list[User]:
    """The active members of the groups that own the policy (``beleid``) nodes of the route."""
    groups = sorted(
        {node.owner.group for node in active_graph().nodes.values() if node.kind == NodeKind.BELEID}
    )
    if not groups:
        return []
    members = select(GroupMembership.user_id).where(GroupMembership.group.in_(groups))
    query = select(User).where(User.active.is_(True), User.id.in_(members)).order_by(User.id)
    return list(db.session.scalars(query))


def _mail_policy(alert: PatternAlert, similar: list[Any]) -> None:
    """One alert per member of the policy node, naming only the signals they may open.

    The pattern itself (a mechanism, and that the threshold was reached) is what the alert
    is for; which signals make it up, their number and their titles, each reader learns only
    of the signals they may see in full.
    """
    regulation = codes.label("regulations", alert.regulation)
    source = codes.label("source_organisation", alert.source_organisation)
    references = [row.reference for row in similar]
    # Making a kwestie of it, its form filled in with the pattern's regulation and source.
    url = link_to(
        "kwesties.new_kwestie",
        regulation=alert.regulation,
        source_organisation=alert.source_organisation,
    )
    for person in policy_members():
        theirs = fully_visible_references(person, references)
        queue_mail(
            "pattern_alert",
            person.email,
            {"regulation": regulation, "source": source},
            person=person,
            signals=[row for row in similar if row.reference in theirs],
            threshold=settings().pattern_alert_threshold,
            regulation=regulation,
            source=source,
            days=settings().pattern_alert_days,
            url=url,
        )
