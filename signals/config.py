"""Configuration defaults; every key can be set from the environment as ``SIGNALS_<KEY>``."""

import os
from datetime import timedelta


class Config:
    """Defaults for production. Tests and the demo override what they need."""

    # CONTRACT §Configuration
    DATABASE_URL: str | None = None  # default: SQLite file in the instance folder
    SECRET_KEY: str | None = None  # required unless DEBUG or TESTING
    ROUTES = "routes_config/amsterdam.yaml"
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_TIMEOUT = 10
    MAIL_FROM = "signalen@localhost"
    BASE_URL = "http://localhost:5000"
    TIMEZONE = "Europe/Amsterdam"

    # Where Alembic's scripts live; by default the migrations/ folder beside the package.
    MIGRATIONS_DIR: str | None = None
    # How many days after resolution a reporter may still reopen a signal.
    REOPEN_WINDOW_DAYS = 14
    # Pattern alert ("zien we dit vaker?"): this many unlinked signals about the same
    # regulation and source organisation within this many days alert the policy node.
    PATTERN_ALERT_THRESHOLD = 3
    PATTERN_ALERT_DAYS = 30
    # Clocks: a reminder to the owner this many working days before each deadline; a check
    # with the resolving owner this many months after resolution ("houdt de oplossing
    # stand?"); the daily digest of late signals to managers, on working days, from this
    # hour until the end of office hours (local time).
    REMINDER_WORKING_DAYS = 2
    FOLLOWUP_MONTHS = 6
    DIGEST_HOUR = 8
    OFFICE_HOURS_END = 18
    # Seconds between outbox deliveries in `signals scheduler run`.
    SCHEDULER_INTERVAL = 60
    # Helper processes that share a large backlog of clock work in one sweep (PostgreSQL
    # only), started when at least SCHEDULER_HELPERS_FROM signals are due: one per spare core.
    SCHEDULER_HELPERS = max(0, min(3, (os.cpu_count() or 1) - 1))
    SCHEDULER_HELPERS_FROM = 2000

    # Failed log-ins and API authentications: after AUTH_FAILURE_LIMIT failures from one
    # address (or for one e-mail address) within AUTH_FAILURE_WINDOW seconds, further
    # attempts are refused (429) until the window has passed.
    AUTH_FAILURE_LIMIT = 10
    AUTH_FAILURE_WINDOW = 900

    # werkzeug hash method for passwords; tests use a cheaper one.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "signals_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=9)
    # A long form may be open a while; the token stays valid for a working day.
    WTF_CSRF_TIME_LIMIT = 9 * 3600
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
