"""Sweep jobs: plain functions that take the moment as an argument, so tests control the clock."""

from datetime import datetime

from signals.notifications.delivery import deliver_pending, smtp_configured


def sweep(now: datetime) -> str:
    """One sweep at ``now``; returns a Dutch line per thing it did."""
    if not smtp_configured():
        return "e-mail: SIGNALS_SMTP_HOST niet ingesteld, outbox blijft staan"
    return f"e-mail: {deliver_pending(now).summary()}"
