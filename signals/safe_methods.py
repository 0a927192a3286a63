"""HEAD is answered as GET without a body: no view ever branches into a change for a HEAD.

Flask routes every HEAD to the view of GET, with ``request.method == "HEAD"``. A view that
serves a form on GET and handles it on anything else (``if request.method == "GET": …``)
would then run its POST branch for a HEAD — without a CSRF check, since HEAD is a safe
method to the CSRF guard. Rather than trust every view to test for POST, the application
never sees a HEAD: it gets a GET, and the body of the answer is dropped here. Status and
headers stay those of the GET, as HTTP asks of a HEAD.
"""

from collections.abc import Iterable
from typing import Any

WsgiApp = Any  # (environ, start_response) -> iterable of bytes


class HeadAsGet:
    """WSGI middleware: a HEAD request runs as a GET, and its body is discarded."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "").upper() != "HEAD":
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        as_get = {**environ, "REQUEST_METHOD": "GET"}
        body = self.app(as_get, start_response)
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return []
