"""Helpers every event format shares: typed field access, bodies, hosts and prefixes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from lambdash.exceptions import MalformedEventError

__all__ = [
    "decode_body",
    "field",
    "mapping",
    "server_address",
    "split_route_prefix",
    "strip_base_path",
    "wsgi_path",
    "wsgi_str",
]


def mapping(event: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    """``event[key]`` as a dict; absent or ``null`` gives ``{}``."""
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        msg = f"the {source} event's {key!r} must be an object, not {type(value).__name__}"
        raise MalformedEventError(msg)
    return value


def field(
    event: Mapping[str, Any], key: str, source: str, *, default: str | None = None
) -> str:
    """``event[key]`` as a string; a missing key raises unless there is a *default*."""
    value = event.get(key)
    if value is None:
        if default is not None:
            return default
        msg = f"the {source} event has no {key!r}; lambdash cannot build a request without it"
        raise MalformedEventError(msg)
    if not isinstance(value, str):
        msg = (
            f"the {source} event's {key!r} must be a string, not {type(value).__name__}"
        )
        raise MalformedEventError(msg)
    return value


def decode_body(event: Mapping[str, Any], source: str) -> bytes:
    """The request body as bytes, base64-decoded when ``isBase64Encoded`` says so."""
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        msg = f"the {source} event's 'body' must be a string or null, not {type(body).__name__}"
        raise MalformedEventError(msg)
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            msg = f"the {source} event says isBase64Encoded but its body is not valid base64: {exc}"
            raise MalformedEventError(msg) from exc
    return body.encode("utf-8")


def wsgi_str(value: object) -> str:
    """A header or query value as PEP 3333 wants it: its UTF-8 bytes, read as latin-1.

    Events carry text, and HTTP carries bytes: a value such as ``"€"`` becomes the string of its
    bytes on the wire, so that WSGI apps decode it as they would behind any server, and ASGI
    header bytes are the original ones.
    """
    text = value if isinstance(value, str) else str(value)
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


def wsgi_path(raw: str) -> str:
    """PEP 3333's form of a raw URL path: percent-decoded bytes, read as latin-1.

    ``+`` stays ``+``: only query strings use it for a space.
    """
    return unquote(raw, encoding="latin-1", errors="strict")


def server_address(headers: list[tuple[str, str]]) -> tuple[str, str, int]:
    """The scheme, host name and port the client used.

    API Gateway and ALB set ``X-Forwarded-Proto`` and ``X-Forwarded-Port`` themselves
    (api-gateway-known-issues.html; ALB lambda-functions.html), so they describe the client's
    connection to AWS, which is what URLs the app builds must point at.
    """
    found = dict(headers)
    scheme = (
        found.get("x-forwarded-proto", "https").rpartition(",")[2].strip().lower()
        or "https"
    )
    host = found.get("host", "")
    name, colon, host_port = host.rpartition(":")
    if not colon or "]" in host_port:
        # No port, or a bare IPv6 literal such as "[::1]".
        name, host_port = host, ""
    port_text = (
        found.get("x-forwarded-port", "").rpartition(",")[2].strip() or host_port
    )
    port = int(port_text) if port_text.isdigit() else (443 if scheme == "https" else 80)
    return scheme, name or "lambda", port


_PARAM = r"\{([^{}+]+)\+?\}"


def split_route_prefix(
    path: str, route: str | None, params: Mapping[str, Any]
) -> tuple[str, str]:
    """Split *path* into the prefix in front of the matched route and the route part.

    The route part is *route* (the API's resource template, such as ``/{proxy+}``) with the
    request's path parameters put back in. Whatever stands in front of it in *path* is a base path
    that API Gateway passed through: a custom domain's base path mapping on REST APIs
    (https://github.com/localstack/localstack/pull/12296) or a named stage on HTTP APIs
    (https://github.com/logandk/serverless-wsgi/issues/191). ``{proxy+}`` loses a trailing slash
    (LS-TEST snapshot), so one on *path* is kept on the route part. When the route cannot be
    rebuilt or does not match, the prefix is empty.
    """
    if route is None or not route.startswith("/"):
        return "", path
    if route == "/{proxy+}":
        # The catch-all route of nearly every deployment, without the regex.
        proxy = params.get("proxy")
        if not isinstance(proxy, str):
            return "", path
        filled = "/" + proxy
    else:
        import re  # imported here: the catch-all route above needs no regex

        filled = re.sub(_PARAM, lambda m: _param(params, m.group(1)), route)
        if "\0" in filled:
            return "", path
    rest = filled.rstrip("/")
    trimmed = path[:-1] if path.endswith("/") and not filled.endswith("/") else path
    if not trimmed.endswith(rest):
        return "", path
    prefix = trimmed[: len(trimmed) - len(rest)]
    if prefix.endswith("/"):
        # The route is the root resource "/": the prefix owns no trailing slash.
        prefix = prefix.rstrip("/")
    return prefix, path[len(prefix) :] or "/"


def _param(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return value if isinstance(value, str) else "\0"


def strip_base_path(path: str, base_path: str) -> tuple[str, str]:
    """Split *path* at an explicit *base_path*, given by the user instead of detected."""
    if base_path and (path == base_path or path.startswith(base_path + "/")):
        return base_path, path[len(base_path) :] or "/"
    return base_path, path
