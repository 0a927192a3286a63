"""Pages for kwesties (structural issues): list, detail, create, link, message and decide."""

from flask import Blueprint

bp = Blueprint("kwesties", __name__)
