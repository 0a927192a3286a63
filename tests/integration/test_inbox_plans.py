"""The inbox's page query walks the partial ``(owner, due, id)`` indexes on PostgreSQL.

The index expression and the query's sort expression must be the same after PostgreSQL has
parsed both, or every page sorts the whole owner scope (1-2 s for a group sharing 250,000
signals). Alembic cannot compare expression indexes, so this asks the planner instead. With
sorting and sequential scans priced out, the planner takes the ordered index whenever it
matches; a plan without it, or with a sort, means the expression or the predicate drifted.
"""

from typing import Any

import pytest
from sqlalchemy import Select, inspect, text

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.workflow.inbox import branch_queries, inbox_page, page_query
from signals.workflow.services import accept_signal, resolve_signal, submit_signal
from signals.workflow.signal_lists import DUE_CURSOR, DueCursor
from tests.fixtures.app import START
from tests.helpers import RESOLUTION

DUE_INDEXES = {
    "ix_signals_owner_user_id_open_due",
    "ix_signals_owner_user_id_resolved_due",
    "ix_signals_owner_group_open_due",
    "ix_signals_owner_group_resolved_due",
}


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def plan_of(statement: Select[Any]) -> str:
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_sort = off"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = db.session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
    return "\n".join(rows)


def test_the_due_indexes_exist_only_on_postgresql() -> None:
    names = {index["name"] for index in inspect(db.engine).get_indexes("signals")}
    if is_postgresql():
        assert DUE_INDEXES <= names
    else:
        assert not DUE_INDEXES & names


@pytest.mark.parametrize(
    ("owner", "filters", "index"),
    [
        ("manager", {}, "ix_signals_owner_user_id_open_due"),
        ("manager", {"status": "new"}, "ix_signals_owner_user_id_open_due"),
        ("manager", {"status": "resolved"}, "ix_signals_owner_user_id_resolved_due"),
        ("manager", {"urgency": "acute"}, "ix_signals_owner_user_id_open_due"),
        ("intake", {}, "ix_signals_owner_group_open_due"),
        ("intake", {"status": "awaiting_reporter"}, "ix_signals_owner_group_open_due"),
        ("intake", {"status": "resolved"}, "ix_signals_owner_group_resolved_due"),
        ("intake", {"regulation": "participatiewet"}, "ix_signals_owner_group_open_due"),
        ("intake", {"overdue": "false"}, "ix_signals_owner_group_open_due"),
        (
            "intake",
            {"status": "resolved", "overdue": "false"},
            "ix_signals_owner_group_resolved_due",
        ),
        (
            "intake",
            {"cursor": DUE_CURSOR.encode(DueCursor(START, 1))},
            "ix_signals_owner_group_open_due",
        ),
    ],
)
def test_the_page_query_walks_the_due_index(
    clock: Clock,
    manager: User,
    reporter: User,
    intake_member: User,
    partner_reporter: User,
    signal_data: dict[str, Any],
    owner: str,
    filters: dict[str, Any],
    index: str,
) -> None:
    staff_signals = [submit_signal(reporter, signal_data) for _ in range(3)]
    submit_signal(partner_reporter, signal_data)
    accept_signal(manager, staff_signals[1].reference, {})
    resolve_signal(manager, staff_signals[2].reference, RESOLUTION)
    user = manager if owner == "manager" else intake_member
    assert inbox_page(user, filters, START).signals or filters  # the case has data to walk
    if not is_postgresql():
        return  # SQLite has no such indexes (checked above) and sorts the small scope itself

    # The branches are the person, then each group: the manager's own, the intake group's.
    plan = plan_of(branch_queries(user, filters, START)[-1])

    assert index in plan, plan
    assert "Sort" not in plan, plan  # the index gives the order; nothing is sorted
    assert plan_of(page_query(user, filters, START))  # the whole page statement plans too


def test_not_late_reads_the_index_as_a_range_from_now(
    clock: Clock, intake_member: User, partner_reporter: User, signal_data: dict[str, Any]
) -> None:
    submit_signal(partner_reporter, signal_data)
    assert inbox_page(intake_member, {"overdue": "false"}, START).signals
    if not is_postgresql():
        return

    plan = plan_of(branch_queries(intake_member, {"overdue": "false"}, START)[-1])

    (condition,) = [line for line in plan.splitlines() if "Index Cond" in line]
    assert "owner_group" in condition and ">=" in condition, plan
