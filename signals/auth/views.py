"""Login and logout pages (blueprint ``auth``)."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from signals.auth.models import User
from signals.auth.services import log_in
from signals.auth.tokens import issue_token, revoke_token, tokens_of
from signals.errors import InputInvalid, TooManyAttempts

bp = Blueprint("auth", __name__)


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
    page = render_template(
        "auth/api_tokens.html", tokens=tokens_of(user), issued=issued, values=values, errors=errors
    )
    return (page, 422) if errors else page


@bp.post("/api-sleutels/<int:token_id>/intrekken")
def revoke_api_token(token_id: int) -> Response:
    revoke_token(_user(), token_id)
    flash("De API-sleutel is ingetrokken; hij werkt niet meer.", "success")
    return redirect(url_for("auth.api_tokens"))


@bp.post("/uitloggen")
def logout() -> Response:
    logout_user()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` to a path on this site, never to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("web.home")


def _user() -> User:
    user: User = current_user._get_current_object()
    return user
