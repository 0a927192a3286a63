"""The trust pulse: do professionals trust that signals are acted on, and feel heard."""
