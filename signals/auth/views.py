"""Pages of blueprint ``auth``: logging in and out, one's account, password and API tokens.

Also the public pages of one-time links: *wachtwoord vergeten* and setting a password.
"""

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from signals.auth.links import LinkRefused, check_link, request_reset, set_password_by_link
from signals.auth.models import AccountLink, LinkPurpose, User
from signals.auth.services import change_password, log_in, log_out
from signals.auth.tokens import issue_token, revoke_token, tokens_of
from signals.codes import ORGANISATION_KINDS, ROLES
from signals.errors import InputInvalid, StateConflict, TooManyAttempts
from signals.routing.services import active_graph

bp = Blueprint("auth", __name__)

# The longest ``next`` followed after logging in; the login gate makes short ones.
NEXT_MAX_LENGTH = 2000
# How often ``next`` is percent-decoded when checked: "%252F" is "/" after two rounds.
NEXT_DECODINGS = 3


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    if request.method == "GET":
        return render_template("auth/login.html", values={}, errors={})
    values = {"email": request.form.get("email", "")}
    try:
        user = log_in(request.form, request.remote_addr)
    except InputInvalid as error:
        return render_template("auth/login.html", values=values, errors=error.fields), 422
    except TooManyAttempts as error:
        errors = {"password": [error.message]}
        return render_template("auth/login.html", values=values, errors=errors), 429
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.get("/account")
def account() -> str:
    """*Mijn account*: who the person is here, and their password and API-token pages."""
    user = _user()
    graph = active_graph()
    return render_template(
        "auth/account.html",
        user=user,
        role=ROLES.get(user.role, user.role),
        organisation_kind=ORGANISATION_KINDS.get(user.organisation.kind, user.organisation.kind),
        groups=sorted(graph.group_label(group) for group in user.groups),
    )


@bp.route("/api-sleutels", methods=["GET", "POST"])
def api_tokens() -> str | tuple[str, int]:
    """The person's API tokens: make one (shown once, on this page only), see, revoke."""
    user = _user()
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    issued = None
    if request.method == "POST":
        values = {"name": request.form.get("name", "")}
        try:
            issued = issue_token(user, values)
        except InputInvalid as error:
            errors = error.fields
        except StateConflict as error:
            errors = {"name": [error.message]}
    page = render_template(
        "auth/api_tokens.html", tokens=tokens_of(user), issued=issued, values=values, errors=errors
    )
    return (page, 422) if errors else page


@bp.post("/api-sleutels/<int:token_id>/intrekken")
def revoke_api_token(token_id: int) -> Response:
    revoke_token(_user(), token_id)
    flash("De API-sleutel is ingetrokken; hij werkt niet meer.", "success")
    return redirect(url_for("auth.api_tokens"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
def change_own_password() -> Response | tuple[str, int]:
    """Change one's own password; every other session of the person ends."""
    user = _user()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            change_password(user, request.form, request.remote_addr)
        except InputInvalid as error:
            errors, status = error.fields, 422
        except TooManyAttempts as error:
            errors, status = {"current_password": [error.message]}, 429
        else:
            login_user(user)  # this browser goes on, with the new session generation
            flash(
                "Uw wachtwoord is gewijzigd. Op andere apparaten en browsers bent u uitgelogd.",
                "success",
            )
            return redirect(url_for("web.home"))
    return render_template("auth/password.html", errors=errors), status


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password() -> str | tuple[str, int]:
    """Ask for a reset link: the same answer whether the address is a person's or not."""
    values = {"email": request.form.get("email", "")}
    if request.method == "GET":
        return render_template("auth/forgot_password.html", values={}, errors={}, sent=False)
    try:
        request_reset(request.form, request.remote_addr)
    except InputInvalid as error:
        page = render_template(
            "auth/forgot_password.html", values=values, errors=error.fields, sent=False
        )
        return page, 422
    except TooManyAttempts as error:
        errors = {"email": [error.message]}
        page = render_template(
            "auth/forgot_password.html", values=values, errors=errors, sent=False
        )
        return page, 429
    return render_template("auth/forgot_password.html", values=values, errors={}, sent=True)


@bp.route("/wachtwoord-instellen/<token>", methods=["GET", "POST"])
def account_link(token: str) -> str | Response | tuple[str, int]:
    """The page behind an invitation or reset link: set one's password (once)."""
    try:
        if request.method == "POST":
            set_password_by_link(token, request.form, request.remote_addr)
        else:
            return _link_page(check_link(token), {})
    except LinkRefused as error:
        return render_template("auth/link_refused.html", message=error.message), 410
    except TooManyAttempts as error:
        return render_template("auth/link_refused.html", message=error.message), 429
    except InputInvalid as error:
        return _link_page(check_link(token), error.fields), 422
    if current_user.is_authenticated:
        logout_user()  # whoever was logged in here, their session has ended
    flash(
        "Uw wachtwoord is ingesteld. Log in met uw e-mailadres en het nieuwe wachtwoord.", "success"
    )
    return redirect(url_for("auth.login"))


def _link_page(link: AccountLink, errors: dict[str, list[str]]) -> str:
    """The form behind a usable link, with ``errors`` per field."""
    invited = link.purpose == LinkPurpose.INVITE
    return render_template("auth/set_password.html", user=link.user, invited=invited, errors=errors)


@bp.post("/uitloggen")
def logout() -> Response:
    """Log out: every session of the person ends, also one whose cookie was copied."""
    log_out(_user())
    logout_user()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """``next`` if it is a plain path to a page of this site (:func:`_is_local_page`); else home."""
    if target and _is_local_page(target):
        return target
    return url_for("web.home")


def _is_local_page(target: str) -> bool:
    """Whether a browser sent to ``target`` stays on this site, at a page that exists.

    Browsers are lenient with a ``Location``: they drop tabs and line breaks anywhere in it,
    strip control characters and spaces at its ends, read a backslash as a slash and
    ``//host`` as another site. So ``target`` must start with exactly one ``/`` and contain
    no backslash, control, format or space character — as typed, and for its path also after
    percent-decoding (``/%2F/evil.example``), for proxies that decode before they route.
    Its path must then be a page of this site (a GET route).
    """
    if len(target) > NEXT_MAX_LENGTH or not _is_plain_path(target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    path = parts.path
    for _ in range(NEXT_DECODINGS):
        path = unquote(path)
        if not _is_plain_path(path):
            return False
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(unquote(parts.path), method="GET")
    except HTTPException:  # not found, not a GET, or a redirect elsewhere
        return False
    return True


def _is_plain_path(text: str) -> bool:
    """Starts with one ``/``; no backslash, control, format, separator or space character."""
    if not text.startswith("/") or text.startswith("//"):
        return False
    return not any(
        character == "\\" or unicodedata.category(character)[0] in "CZ" for character in text
    )


def _user() -> User:
    user: User = current_user._get_current_object()
    return user
