"""Dash awareness: the same app object serves correct pages under any detected prefix.

Dash writes ``requests_pathname_prefix`` into every script, asset, favicon and callback URL of
its index page, and reads it on each request (``dash/dash.py``, Dash 4.4). Behind a REST stage
or a custom domain's base path it must be that prefix, and the same function is often reachable
at two URLs at once (execute-api and a custom domain), so it is set per request.
"""

from __future__ import annotations

import sys

from lambdash._log import logger
from lambdash._message import Request

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    import contextvars
    from typing import Any

__all__ = ["DashPrefix", "is_dash"]


def is_dash(app: object) -> bool:
    """Whether *app* is a ``dash.Dash`` instance, found without importing Dash."""
    return any(
        cls.__module__ == "dash.dash" and cls.__name__ == "Dash"
        for cls in type(app).__mro__
    )


def _under(path: str, prefix: str) -> bool:
    return path.startswith(prefix) or path + "/" == prefix


class DashPrefix:
    """Follows the detected prefix in the app's ``requests_pathname_prefix``.

    An app that sets ``requests_pathname_prefix`` apart from ``routes_pathname_prefix`` has chosen
    its own URLs, and they are left alone. Otherwise the requests prefix becomes the detected prefix
    plus the routes prefix. An app whose routes are mounted under a base path itself (the user
    story's ``routes_pathname_prefix='/bp/'``) gets that part of the path back in ``PATH_INFO``.
    """

    def __init__(self, app: Any) -> None:
        self._app = app
        self._config = app.config
        self._routes: str = app.config.routes_pathname_prefix
        # A second handler for the same app must not take the prefix the first one set for a
        # request as the app's own choice.
        self._follow: bool = getattr(
            app,
            "_lambdash_follows_prefix",
            app.config.requests_pathname_prefix == self._routes,
        )
        app._lambdash_follows_prefix = self._follow
        import threading  # imported here: only Dash apps need the lock

        self.lock = threading.Lock()
        if getattr(app, "_websocket_callbacks", False) or any(
            isinstance(spec, dict) and spec.get("websocket")
            for spec in getattr(app, "callback_map", {}).values()
        ):
            logger().warning(
                "this Dash app uses WebSocket callbacks, which cannot work on Lambda: API Gateway REST "
                "and HTTP APIs, ALB and Function URLs carry request/response HTTP only. Pass "
                "websocket_callbacks=False to Dash() and drop websocket=True from callbacks so they use HTTP."
            )

    def context(self) -> contextvars.Context:
        """A context in which ``dash.get_app()`` is this app, for ASGI backends.

        Dash's FastAPI backend looks its app up with ``get_app()`` during lifespan startup, and
        that reads a context variable any other Dash app in the process may have set.
        """
        import contextvars  # imported here: only Dash's ASGI backends need it

        context = contextvars.copy_context()
        variable = getattr(sys.modules.get("dash._get_app"), "app_context", None)
        if isinstance(variable, contextvars.ContextVar):
            context.run(variable.set, self._app)
        return context

    def adjust(self, request: Request) -> Request:
        """*request* with its prefix fitted to the app's routes; sets the requests prefix to match."""
        script, path = request.script_name, request.path
        if (
            self._routes != "/"
            and not _under(path, self._routes)
            and _under(script + path, self._routes)
        ):
            script, path = "", script + path
            request = request._replace(script_name=script, path=path)
        if self._follow:
            wanted = script + self._routes
            if self._config.requests_pathname_prefix != wanted:
                # Dash locks its prefix settings after init_app; the lock guards user code, and
                # this is the documented value changing, not a new setting.
                dict.__setitem__(self._config, "requests_pathname_prefix", wanted)
        return request
