"""Login and logout pages (blueprint ``auth``)."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from signals.auth.services import authenticate
from signals.errors import InputInvalid

bp = Blueprint("auth", __name__)


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    if request.method == "GET":
        return render_template("auth/login.html", values={}, errors={})
    try:
        user = authenticate(request.form)
    except InputInvalid as error:
        values = {"email": request.form.get("email", "")}
        return render_template("auth/login.html", values=values, errors=error.fields), 422
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


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
