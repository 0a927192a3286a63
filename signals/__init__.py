"""Signal-escalation tracking for knellende mechanismen: the application package."""

from signals.app import create_app

__all__ = ["create_app"]
