"""The ASGI HTTP scope for a :class:`Request`, and where an app expects the prefix in it."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from lambdash._message import Request
from lambdash._types import SCOPE_CONTEXT
from lambdash._types import SCOPE_EVENT

__all__ = [
    "NO_ROOT",
    "ROOT_APART",
    "ROOT_APART_ROUTED",
    "ROOT_IN_PATH",
    "layout_for",
    "scope_for",
]

logger = logging.getLogger("lambdash")

# API Gateway reports "HTTP/1.1" even for HTTP/2 clients (LS-TEST snapshot); ASGI allows these.
_HTTP_VERSIONS = {"HTTP/1.0": "1.0", "HTTP/1.1": "1.1", "HTTP/2": "2", "HTTP/2.0": "2"}

# Where the prefix goes in the scope (see scope_for).
ROOT_IN_PATH = "root in path"
ROOT_APART = "root apart"
ROOT_APART_ROUTED = "root apart, route_path"
NO_ROOT = "no root"


def scope_for(
    request: Request, state: dict[str, Any], *, layout: str = ROOT_IN_PATH
) -> dict[str, Any]:
    """The ASGI HTTP scope for *request*, with the prefix placed as *layout* says.

    :data:`ROOT_IN_PATH`: ``path`` includes ``root_path``, as the ASGI spec and uvicorn have it and
    Starlette 0.35 and later expect (``starlette._utils.get_route_path``). :data:`ROOT_APART`:
    ``path`` leaves ``root_path`` out, for Starlette below 0.33, whose routers match ``path`` as
    it is and whose URLs are ``root_path + path``. :data:`ROOT_APART_ROUTED`: the same with
    ``route_path``, which Starlette 0.33 and 0.34 route on instead of taking ``root_path`` off
    ``path`` with a regex (that turned ``/Products`` under ``/Prod`` into ``ucts``) while still
    building URLs from ``root_path + path``. :data:`NO_ROOT`: the prefix is left out of both,
    for apps that compare ``path`` with their own routes directly.
    """
    root = request.script_name if layout != NO_ROOT else ""
    full = root + request.path
    path = full if layout == ROOT_IN_PATH else request.path
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in request.headers.items()
    ]
    if request.body and "content-length" not in request.headers:
        # REST events carry no Content-Length (LS-TEST snapshot); frameworks that check it get one.
        headers.append((b"content-length", str(len(request.body)).encode("ascii")))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": _HTTP_VERSIONS.get(request.protocol, "1.1"),
        "method": request.method,
        "scheme": request.scheme,
        "path": path.encode("latin-1").decode("utf-8", errors="replace"),
        "raw_path": quote(full.encode("latin-1"), safe="/:@!$&'()*+,;=~").encode(
            "ascii"
        ),
        "root_path": root.encode("latin-1").decode("utf-8", errors="replace"),
        "query_string": request.query_string.encode("latin-1"),
        "headers": headers,
        "client": (request.remote_addr, 0),
        "server": (request.server_name, request.server_port),
        "state": dict(state),
        "extensions": {},
        SCOPE_EVENT: request.event,
        SCOPE_CONTEXT: request.context,
    }
    if layout == ROOT_APART_ROUTED:
        scope["route_path"] = scope["path"]
    return scope


def layout_for(app: object) -> str:
    """Where *app* expects the prefix in the scope: :data:`ROOT_APART` or :data:`ROOT_APART_ROUTED`
    for a Starlette or FastAPI app on Starlette below 0.35, else :data:`ROOT_IN_PATH`.

    Called once, when the handler is made. The app counts as Starlette's when a class in its type's
    MRO comes from ``starlette`` or ``fastapi`` (Starlette middleware around the app included).
    """
    import sys  # imported here: only make_handler needs it, once

    starlette = sys.modules.get("starlette")
    version = _starlette_version(getattr(starlette, "__version__", ""))
    if version is None or version >= (0, 35):
        return ROOT_IN_PATH
    if not any(
        cls.__module__.partition(".")[0] in ("starlette", "fastapi")
        for cls in type(app).__mro__
    ):
        logger.warning(
            "Starlette %s is loaded, but the ASGI app (%s) is not a Starlette or FastAPI object, so "
            "it gets scope['path'] with root_path in it, as the ASGI spec says; if it routes with "
            "that Starlette, its routes (below 0.33) or its request.url (0.33, 0.34) break behind a "
            "stage or base path. Pass the Starlette or FastAPI app itself to make_handler, or "
            "upgrade to Starlette 0.35 (FastAPI 0.109) or later.",
            starlette.__version__,  # type: ignore[union-attr]
            type(app).__name__,
        )
        return ROOT_IN_PATH
    return ROOT_APART if version < (0, 33) else ROOT_APART_ROUTED


def _starlette_version(text: str) -> tuple[int, int] | None:
    parts = text.split(".")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return int(parts[0]), int(parts[1])
