"""Operations: health and readiness checks, Prometheus metrics and structured request logs.

``register`` puts all three on an app; the factory calls it before any other request hook,
so that the request's clock starts first and every answer, refusals included, is counted.
The endpoints are public (``signals.app.PUBLIC_ENDPOINTS``).
"""

from flask import Flask

from signals.operations import health, logs, metrics


def register(app: Flask) -> None:
    """Add the operations endpoints and the per-request hooks to ``app``."""
    app.register_blueprint(health.bp)
    logs.register(app)
    metrics.register(app)
