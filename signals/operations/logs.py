"""Structured request logs: one JSON line per request when ``SIGNALS_LOG_FORMAT=json``.

Each line holds a request id (the proxy's ``X-Request-Id`` when it looks sane, else a new
one; echoed in the response), the method, the endpoint, the status and the duration. Never
the client's address or user agent, and nothing at all for the anonymous channel, which
promises that nothing is written down about its requesters.
"""

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from time import perf_counter
from typing import Any, TextIO

from flask import Flask, Response, g, request

from signals.anonymous import ANONYMOUS_PATHS
from signals.settings import settings

LOGGER_NAME = "signals.requests"
REQUEST_ID_HEADER = "X-Request-Id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message and its ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the moment (as gunicorn and pytest replace it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def request_logger() -> logging.Logger:
    """The request log, with its JSON handler (installed once per process)."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(handler, StderrHandler) for handler in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def register(app: Flask) -> None:
    """Give every request an id, and log it on the way out when the format is ``json``."""
    app.before_request(_note_request)
    app.after_request(_log_request)


def request_id() -> str:
    """The incoming ``X-Request-Id`` if it is sane, else a new random one."""
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _note_request() -> None:
    g.request_id = request_id()
    g.log_started = perf_counter()


def _log_request(response: Response) -> Response:
    identity = g.get("request_id") or request_id()
    response.headers[REQUEST_ID_HEADER] = identity
    if settings().log_format != "json" or request.path.startswith(ANONYMOUS_PATHS):
        return response
    started = g.get("log_started")
    fields = {
        "request_id": identity,
        "method": request.method,
        "endpoint": request.endpoint or "none",
        "status": response.status_code,
        "duration_ms": round((perf_counter() - started) * 1000, 1) if started else None,
    }
    request_logger().info("request", extra={"fields": fields})
    return response
