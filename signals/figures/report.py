"""The periodic report for bestuur and raad: a period's figures as HTML or PDF, each quarter.

The report holds the dashboard's figures for the whole municipality over exact dates, the
kwesties decided (by name only those outside the ombudsman's closed room) and the policy
changes of the period, and anonymised examples: resolved
signals described by their codes (regulation, level, outcome) and how long they took — no
reference, no free text, nothing a resident or reporter could be recognised by.

Each quarter, from the first working day of January, April, July and October in office hours,
the sweep writes the report of the quarter before (once signals were submitted by its end)
and mails it (PDF attached) to
``SIGNALS_REPORT_RECIPIENTS`` and to the members of every ``bestuur`` node's group. A
``periodic_reports`` row, unique per quarter and written in the same transaction as the mail,
makes sure that happens once.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import render_template
from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError

from signals.auth.models import GroupMembership, User
from signals.clock import now
from signals.extensions import db
from signals.figures.charts import dashboard_charts
from signals.figures.cube import Cube
from signals.figures.dashboard import Dashboard, decided_kwesties
from signals.figures.measures import in_period, local_start, measure, months_from
from signals.figures.models import PeriodicReport
from signals.figures.stats import population
from signals.kwesties.models import Kwestie
from signals.notifications.services import link_to, queue_mail
from signals.pdf import pdf_from_html
from signals.routing.graph import NodeKind
from signals.routing.services import active_graph, business_calendar, independent_nodes
from signals.scheduler.digest import in_digest_hours
from signals.settings import settings
from signals.transaction import unit_of_work
from signals.trust.services import pulse_figures
from signals.wording import calendar_day
from signals.workflow.models import Signal

EXAMPLES = 6
EXAMPLE_OUTCOMES = ("policy_changed", "escalated", "solved_individually")
QUARTER_STARTS = (1, 4, 7, 10)


@dataclass(frozen=True)
class Example:
    """A resolved signal by its codes only."""

    regulations: list[str]
    level: str
    outcome: str
    working_days: int


def report_html(start: date, end: date) -> str:
    """The report of the signals submitted from ``start`` up to and including ``end``."""
    board = report_board(start, end)
    return render_template(
        "figures/report.html",
        board=board,
        charts=dashboard_charts(board),
        start=start,
        end=end,
        examples=_examples(start, end),
        made_at=now(),
    )


def write_report(start: date, end: date, out: Path) -> None:
    """The report as PDF when ``out`` ends in ``.pdf``, else as HTML."""
    html = report_html(start, end)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(pdf_from_html(html))
    else:
        out.write_text(html, encoding="utf-8")


def report_board(start: date, end: date) -> Dashboard:
    """The dashboard of the whole municipality over exact dates, counted live."""
    cube = Cube(measure(population(true(), start, end)))
    months = months_from(start, end)
    since, until = local_start(start), local_start(end + timedelta(days=1))
    return Dashboard(
        first=months[0],
        last=months[-1],
        node=None,
        whole_municipality=True,
        cube=cube,
        months=months,
        computed_at=None,
        trust=pulse_figures(start, end),
        # Counted all, but listed by name only outside a closed room (the ombudsman's).
        **decided_kwesties(true(), since, until, listed=Kwestie.node.not_in(independent_nodes())),
    )


def _examples(start: date, end: date) -> list[Example]:
    query = (
        select(Signal)
        .where(
            in_period(start, end),
            Signal.status == "resolved",
            Signal.outcome.in_(EXAMPLE_OUTCOMES),
        )
        .order_by(Signal.outcome, Signal.resolved_at.desc(), Signal.id)
        .limit(EXAMPLES)
    )
    calendar = business_calendar()
    return [
        Example(
            regulations=[code for code in signal.regulation_codes.split("|") if code],
            level=signal.level,
            outcome=signal.outcome or "",
            working_days=calendar.working_days_between(
                signal.created_at, signal.resolved_at or signal.created_at
            ),
        )
        for signal in db.session.scalars(query)
    ]


# The quarterly delivery ----------------------------------------------------------------------


def previous_quarter(day: date) -> tuple[date, date]:
    """The first and last day of the quarter before the one ``day`` falls in."""
    first_of_this = date(day.year, QUARTER_STARTS[(day.month - 1) // 3], 1)
    last = first_of_this - timedelta(days=1)
    return date(last.year, QUARTER_STARTS[(last.month - 1) // 3], 1), last


def send_due_report(moment: datetime) -> int:
    """Write and mail the last quarter's report if it is due and not sent; how many mails."""
    if not in_digest_hours(moment):
        return 0
    start, end = previous_quarter(business_calendar().local_date(moment))
    known = select(PeriodicReport.id).where(PeriodicReport.first_day == start)
    if db.session.scalar(known) is not None or not _in_use_by(end):
        return 0
    try:
        with unit_of_work():
            return _send_report(start, end, moment)
    except IntegrityError:  # another scheduler sent it first
        return 0


def _in_use_by(day: date) -> bool:
    """Whether any signal was submitted by the end of ``day`` (no reports before the first)."""
    first = select(Signal.id).where(Signal.created_at < local_start(day + timedelta(days=1)))
    return db.session.scalar(first.limit(1)) is not None


def report_recipients() -> list[str]:
    """``SIGNALS_REPORT_RECIPIENTS`` and the active members of the bestuur nodes' groups."""
    groups = {
        node.owner.group for node in active_graph().nodes.values() if node.kind == NodeKind.BESTUUR
    }
    members = db.session.scalars(
        select(User.email)
        .join(GroupMembership, GroupMembership.user_id == User.id)
        .where(GroupMembership.group.in_(sorted(groups)), User.active.is_(True))
    )
    return sorted({*settings().report_recipients, *members})


def _send_report(start: date, end: date, moment: datetime) -> int:
    recipients = report_recipients()
    db.session.add(
        PeriodicReport(first_day=start, last_day=end, recipients=len(recipients), created_at=moment)
    )
    db.session.flush()  # the unique row first: a second writer fails here, before any mail
    if not recipients:
        return 0
    pdf = pdf_from_html(report_html(start, end))
    name = f"signalen-rapportage-{start:%Y-%m-%d}-{end:%Y-%m-%d}.pdf"
    period = f"{calendar_day(start)} t/m {calendar_day(end)}"
    url = link_to("figures.show_dashboard", van=f"{start:%Y-%m}", tot=f"{end:%Y-%m}")
    for recipient in recipients:
        queue_mail(
            "periodic_report",
            recipient,
            {"period": period},
            period=period,
            url=url,
            attachment=(name, pdf),
        )
    return len(recipients)
