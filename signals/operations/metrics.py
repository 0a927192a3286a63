"""Prometheus metrics at ``/metrics``, only when ``SIGNALS_METRICS=true`` (404 otherwise).

Each app has a registry of its own (never the library's global one), made on first use:
requests counted by endpoint, method and status, their latency, and a collector that asks the
database at scrape time for the outbox, the open and overdue signals per node and the clock
backlog (cheap grouped counts). The endpoint has no log-in: keep it on the internal network
(the proxy in front does not pass ``/metrics`` on).
"""

from collections.abc import Iterator
from datetime import datetime
from time import perf_counter, time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from signals.clock import now
from signals.extensions import db
from signals.notifications.models import OutboxMessage, OutboxStatus
from signals.operations.health import bp
from signals.settings import settings
from signals.workflow.models import OPEN_STATUSES, Signal
from signals.workflow.signal_lists import overdue_clause

EXTENSION_KEY = "signals.metrics"


class Metrics:
    """One app's registry and the metrics the request hooks and the scheduler write."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "signals_http_requests",
            "HTTP requests answered, by endpoint, method and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "signals_http_request_duration_seconds",
            "Time to answer an HTTP request, by endpoint and method",
            ["endpoint", "method"],
            registry=self.registry,
        )
        self.sweep_duration = Gauge(
            "signals_scheduler_last_sweep_duration_seconds",
            "How long the last sweep run in this process took",
            registry=self.registry,
        )
        self.sweep_time = Gauge(
            "signals_scheduler_last_sweep_timestamp_seconds",
            "When the last sweep run in this process ended (Unix time)",
            registry=self.registry,
        )
        self.registry.register(DatabaseCollector())


class DatabaseCollector(Collector):
    """Figures from the database, counted when Prometheus scrapes (inside the request)."""

    def collect(self) -> Iterator[Metric]:
        """The outbox, open and overdue signals per node, and the clock backlog."""
        try:
            yield from self._families(now())
        except SQLAlchemyError:
            db.session.rollback()

    def _families(self, moment: datetime) -> Iterator[Metric]:
        outbox = GaugeMetricFamily(
            "signals_outbox_messages", "E-mail in the outbox by status", labels=["status"]
        )
        counts = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.DEAD]))
                .group_by(OutboxMessage.status)
            ).all()
        )
        for status in (OutboxStatus.PENDING, OutboxStatus.DEAD):
            outbox.add_metric([status.value], counts.get(status.value, 0))
        yield outbox
        yield self._per_node(
            "signals_open_signals", "Open signals per route node", Signal.status.in_(OPEN_STATUSES)
        )
        yield self._per_node(
            "signals_overdue_signals", "Overdue signals per route node", overdue_clause(moment)
        )
        backlog = db.session.scalar(
            select(func.count()).select_from(Signal).where(Signal.next_clock_at <= moment)
        )
        yield GaugeMetricFamily(
            "signals_scheduler_backlog",
            "Signals whose clock work is due and not yet done by a sweep",
            value=backlog or 0,
        )

    @staticmethod
    def _per_node(name: str, documentation: str, condition: object) -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, documentation, labels=["node"])
        rows = db.session.execute(
            select(Signal.node, func.count()).where(condition).group_by(Signal.node)  # type: ignore[arg-type]
        ).all()
        for node, count in sorted(rows):
            family.add_metric([node], count)
        return family


def metrics_of(app: Flask) -> Metrics:
    """``app``'s metrics, made on first use."""
    found: Metrics | None = app.extensions.get(EXTENSION_KEY)
    if found is None:
        found = app.extensions.setdefault(EXTENSION_KEY, Metrics())
    return found


def register(app: Flask) -> None:
    """Time and count every request while ``SIGNALS_METRICS`` is on."""
    app.before_request(_start_timer)
    app.after_request(_count_request)


def _start_timer() -> None:
    g.metrics_started = perf_counter()


def _count_request(response: Response) -> Response:
    if not settings().metrics:
        return response
    metrics = metrics_of(current_app)
    endpoint = request.endpoint or "none"
    metrics.requests.labels(endpoint, request.method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        metrics.latency.labels(endpoint, request.method).observe(perf_counter() - started)
    return response


def record_sweep(seconds: float) -> None:
    """Note a finished sweep's duration (the scheduler calls this; only with metrics on)."""
    if settings().metrics:
        metrics = metrics_of(current_app)
        metrics.sweep_duration.set(seconds)
        metrics.sweep_time.set(time())


@bp.get("/metrics")
def metrics() -> Response:
    """The Prometheus text format; 404 unless ``SIGNALS_METRICS=true``."""
    if not settings().metrics:
        abort(404)
    body = generate_latest(metrics_of(current_app).registry)
    response = Response(body, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
