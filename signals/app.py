"""The application factory: configuration, extensions, blueprints, error handlers and commands."""

import secrets
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from signals.clock import Clock
from signals.config import Config
from signals.extensions import csrf, db, login_manager, migrate
from signals.notifications.services import use_request_address
from signals.routing import services as routing
from signals.safe_methods import HeadAsGet
from signals.settings import SettingsError, settings_of
from signals.settings import install as install_settings
from signals.validation import readable

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent
# The trust pulse's page: its link's token is the key (signals/web/trust_views.py).
PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.forgot_password",
    "auth.account_link",
    "static",
    "web.favicon",
    "trust.answer_pulse",
    "anonymous.new_signal",
    "anonymous.follow",
    "anonymous.reply",
    # Health, readiness and (when on) metrics: signals/operations/.
    "operations.healthz",
    "operations.readyz",
    "operations.metrics",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``SIGNALS_*`` environment variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("SIGNALS")
    if config:
        app.config.update(config)
    _finish_config(app)
    install_settings(app)
    register_operations(app)
    register_extensions(app)
    register_security_headers(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_middleware(app)
    return app


def register_operations(app: Flask) -> None:
    """Health, readiness, metrics and request logs; their hooks run before all others."""
    from signals.operations import register

    register(app)


def register_middleware(app: Flask) -> None:
    """HEAD served as GET; the client's address from the trusted proxies in front, if any."""
    app.wsgi_app = HeadAsGet(app.wsgi_app)  # type: ignore[method-assign]
    proxies = settings_of(app).trusted_proxies
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )


def _finish_config(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise SettingsError(
                "SIGNALS_SECRET_KEY is not set. Set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])
    if app.debug:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    database_url = app.config.get("DATABASE_URL")
    if not database_url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{Path(app.instance_path) / 'signals.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = str(database_url)
    if not app.config.get("MIGRATIONS_DIR"):
        app.config["MIGRATIONS_DIR"] = str(PROJECT_ROOT / "migrations")


def register_extensions(app: Flask) -> None:
    import signals.models  # noqa: F401  (every model mapped before the first query)
    import signals.search.indexing  # noqa: F401  (keeps the search index on every flush)
    from signals.auth.services import load_user

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om verder te gaan."
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    app.extensions["signals.clock"] = app.config.get("CLOCK") or Clock()
    routing.init_app(app, PROJECT_ROOT)
    app.before_request(_refuse_unreadable_addresses)
    app.before_request(_note_request_address)
    app.teardown_request(_forget_request_address)
    app.before_request(_require_login)


def _refuse_unreadable_addresses() -> None:
    """A NUL or a broken character in the path or the query: 400, before any query runs."""
    if not readable(request.path) or not readable(list(request.args.items(multi=True))):
        abort(400)


def _note_request_address() -> None:
    """Where this request came in: e-mail links in debug without ``SIGNALS_BASE_URL``."""
    use_request_address(request.host_url)


def _forget_request_address(_error: BaseException | None = None) -> None:
    use_request_address(None)


def _require_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint == "api":
        return None  # every API request brings its own token
    if not current_user.is_authenticated:
        back_to = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=back_to))
    return None


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_blueprints(app: Flask) -> None:
    from signals.api.views import register as register_api
    from signals.auth.views import bp as auth_bp
    from signals.web.anonymous_views import bp as anonymous_bp
    from signals.web.figure_views import bp as figures_bp
    from signals.web.knowledge_views import bp as knowledge_bp
    from signals.web.kwestie_views import bp as kwesties_bp
    from signals.web.meeting_views import bp as meetings_bp
    from signals.web.privacy_views import bp as privacy_bp
    from signals.web.search_views import bp as search_bp
    from signals.web.trust_views import bp as trust_bp
    from signals.web.views import bp as web_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(kwesties_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(figures_bp)
    app.register_blueprint(trust_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(knowledge_bp)
    app.register_blueprint(anonymous_bp)
    app.register_blueprint(privacy_bp)
    register_api(app)


def register_error_handlers(app: Flask) -> None:
    from signals.web.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from signals.web.filters import register

    register(app)


def register_commands(app: Flask) -> None:
    from signals.cli import register

    register(app)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: enforce foreign keys and wait for locks instead of failing at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
