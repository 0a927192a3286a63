"""Configuration defaults; every key can be set from the environment as ``SIGNALS_<KEY>``.

The service's own keys are read once, typed and checked, into :class:`signals.settings.Settings`
when the app is made; code reads them there, never from ``app.config``.
"""

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
    # Seconds to wait for each answer of the mail server. Generous (RFC 5321 §4.5.3.2 allows
    # minutes): a server that stores a message but answers after this gets it again.
    SMTP_TIMEOUT = 120
    MAIL_FROM = "signalen@localhost"
    # The start of e-mail links. Unset: http://localhost:5000, or in debug the address the
    # service is used at (signals.notifications.services.base_url).
    BASE_URL: str | None = None
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
    # Minutes between refreshes of the monthly figures behind the dashboard (by the sweep).
    FIGURES_REFRESH_MINUTES = 10
    # Who receives the quarterly report for bestuur and raad, besides the bestuur nodes' groups.
    REPORT_RECIPIENTS = ""
    OFFICE_HOURS_END = 18
    # Months the access log (signals/audit/: who read or exported what, admin actions) is
    # kept; the sweep forgets older entries.
    ACCESS_LOG_RETENTION_MONTHS = 24
    # The trust pulse (signals/trust/): in these months (numbers, comma-separated; empty:
    # never) every reporting professional is asked, on the month's first working day in
    # office hours, whether they trust that a signal is acted on and feel heard.
    TRUST_PULSE_MONTHS = "3,9"
    # Seconds between sweeps of `signals scheduler run` (and of the scheduler in `demo run`):
    # each sweep does the due clock work and digests, then delivers the outbox.
    SCHEDULER_INTERVAL = 60
    # Helper processes that share a large backlog of clock work in one sweep (PostgreSQL
    # only), started when at least SCHEDULER_HELPERS_FROM signals are due: one per spare core.
    SCHEDULER_HELPERS = max(0, min(3, (os.cpu_count() or 1) - 1))
    SCHEDULER_HELPERS_FROM = 2000

    # Failed log-ins and API authentications (signals/auth/throttle.py), counted per
    # (address, account) pair, per address and per account: AUTH_FAILURE_LIMIT failures are
    # free; after n failures the next attempt waits AUTH_FAILURE_DELAY · 2^(n − limit)
    # seconds after the last one, at most AUTH_FAILURE_WINDOW seconds (429 until then). A
    # failure counts for AUTH_FAILURE_MEMORY seconds (the scheduler keeps failures a day or
    # longer, never less than that).
    # Proxies in front of the service that set X-Forwarded-For and X-Forwarded-Proto (a TLS
    # proxy: 1). Their word is taken for the client's address only then: without it, every
    # client would look like the proxy to the throttle, and with it set too high a client
    # could claim any address.
    TRUSTED_PROXIES = 0
    AUTH_FAILURE_LIMIT = 10
    AUTH_FAILURE_WINDOW = 900
    AUTH_FAILURE_DELAY = 1
    AUTH_FAILURE_MEMORY = 86400

    # The anonymous channel (signals/anonymous/): the page /anoniem and the API's
    # /api/v1/anonymous/…; false turns it off. At most ANONYMOUS_DAILY_LIMIT anonymous
    # signals a day from one client network (counted without keeping the address).
    ANONYMOUS = True
    ANONYMOUS_DAILY_LIMIT = 10

    # Retention (signals/retention/, README "Bewaartermijnen"): a closed signal (resolved or
    # withdrawn) is anonymised this many months after it was closed (CONTRACT: default 24);
    # sent and dead e-mail (names and text) is deleted from the outbox this many days after
    # it was sent or given up. Failed log-ins go once they no longer count
    # (AUTH_FAILURE_MEMORY) and are a day old.
    RETENTION_MONTHS = 24
    OUTBOX_RETENTION_DAYS = 90

    # Operations (README "Operations"): GET /metrics in the Prometheus text format when true
    # (no log-in: keep it on the internal network); request logs as one JSON line per request
    # ("json") or none of our own ("text": the server's access log only).
    METRICS = False
    LOG_FORMAT = "text"

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
