"""Helpers every event format shares: typed field access, bodies, hosts and prefixes."""

from __future__ import annotations

import binascii

from lambdash._message import Request
from lambdash._message import new_tuple
from lambdash._message import remember
from lambdash.exceptions import MalformedEventError

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from typing import Any

__all__ = [
    "decode_body",
    "field",
    "join_headers",
    "make_request",
    "mapping",
    "multi_headers",
    "multi_pairs",
    "server_address",
    "single_headers",
    "split_route_prefix",
    "strip_base_path",
    "wsgi_path",
    "wsgi_str",
]


def mapping(
    event: Mapping[str, Any], key: str, source: str, *, where: str | None = None
) -> dict[str, Any]:
    """``event[key]`` as a dict; absent or ``null`` gives ``{}``.

    *where* names a nested key in messages, such as ``"requestContext.http"``.
    """
    value = event.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        msg = f"the {source} event's {where or key!r} must be an object, not {type(value).__name__}"
        raise MalformedEventError(msg)
    return value


def field(
    event: Mapping[str, Any],
    key: str,
    source: str,
    *,
    default: str | None = None,
    where: str | None = None,
) -> str:
    """``event[key]`` as a string; a missing key raises unless there is a *default*.

    *where* names a nested key in messages, such as ``"requestContext.http.method"``.
    """
    value = event.get(key)
    label = where or key
    if value is None:
        if default is not None:
            return default
        msg = f"the {source} event has no {label!r}; lambdash cannot build a request without it"
        raise MalformedEventError(msg)
    if not isinstance(value, str):
        msg = f"the {source} event's {label!r} must be a string, not {type(value).__name__}"
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
            return binascii.a2b_base64(body, strict_mode=True)
        except (binascii.Error, ValueError) as exc:  # ValueError: a non-ASCII body
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
    if "%" not in raw:
        return raw
    from urllib.parse import unquote  # imported here: most paths have no escapes

    return unquote(raw, encoding="latin-1", errors="strict")


def join_headers(pairs: Iterable[tuple[Any, Any]], source: str) -> dict[str, str]:
    """Header lines as a map of lower-case names, repeated ones joined; ``None`` values skipped.

    This is the careful path, for events the fast paths below do not take as they are: values
    that are not ASCII strings, names that differ only in case, repeated headers.
    """
    out: dict[str, str] = {}
    for name, value in pairs:
        if value is None:
            continue
        if not isinstance(name, str):
            msg = f"the {source} event has a header name {name!r} that is not a string"
            raise MalformedEventError(msg)
        lower = _lower(name)
        text = wsgi_str(value)
        if lower in out:
            out[lower] += ("; " if lower == "cookie" else ", ") + text
        else:
            out[lower] = text
    return out


# Header name as it arrived -> its lower-case form. A dict lookup costs less than ``str.lower``,
# which builds a new string each time, and a warm function sees the same few dozen names.
# Clients choose names, so the cache is bounded: when full it is emptied and fills again with the
# names now arriving.
_LOWER: dict[str, str] = {}
_LOWER_LIMIT = 512


def _lower(name: str) -> str:
    lower = _LOWER.get(name)
    if lower is None:
        lower = name.lower()
        remember(_LOWER, _LOWER_LIMIT, name, lower)
    return lower


def single_headers(headers: dict[str, Any], source: str) -> dict[str, str]:
    """A one-value-per-name header map (``headers``) with lower-case names."""
    # HTTP APIs, Function URLs and ALBs send lower-case names, and nearly always ASCII values:
    # then the map is right as it is, which a test of all names and of all values at once says
    # for less than a look at each header. A name or value that is not a string makes a join
    # raise TypeError, and the careful path says what is wrong.
    try:
        names = "".join(headers)
        if (
            names.isascii()
            and names.lower() == names
            and "".join(headers.values()).isascii()
        ):
            # A plain dict whatever mapping the event holds; copy() is the cheaper way to one.
            return headers.copy() if type(headers) is dict else dict(headers)
    except TypeError:
        return join_headers(headers.items(), source)
    # Otherwise one comprehension for the usual event: ASCII string values under names seen
    # before and distinct in lower case. Anything else raises, or makes the lengths differ, and
    # takes the careful path, which also puts new names in the cache.
    try:
        lower = _LOWER
        out = {lower[name]: value for name, value in headers.items() if value.isascii()}
    except (KeyError, AttributeError):
        out = {}
    if len(out) == len(headers):
        return out
    return join_headers(headers.items(), source)


def multi_pairs(multi: dict[str, Any], source: str, key: str) -> list[tuple[str, Any]]:
    """The (name, value) pairs of a multi-value map, ``multiValueHeaders`` or
    ``multiValueQueryStringParameters``, whose entries AWS sends as lists; ``null`` has none.

    A string would iterate as its characters (``{"a": "bc"}`` becoming ``a=b&a=c``), so any entry
    but a list or ``null`` is a :class:`MalformedEventError`.
    """
    pairs: list[tuple[str, Any]] = []
    for name, values in multi.items():
        if type(values) is list:
            pairs.extend((name, value) for value in values)
        elif values is not None:
            msg = f"the {source} event's {key}[{name!r}] must be a list, not {type(values).__name__}"
            raise MalformedEventError(msg)
    return pairs


def multi_headers(multi: dict[str, Any], source: str) -> dict[str, str]:
    """A ``multiValueHeaders`` map with lower-case names and each header's values joined."""
    # As in single_headers, for the usual event: one value per name.
    try:
        lower = _LOWER
        out = {
            lower[name]: values[0]
            for name, values in multi.items()
            if type(values) is list and len(values) == 1 and values[0].isascii()
        }
    except (KeyError, AttributeError):
        out = {}
    if len(out) == len(multi):
        return out
    return join_headers(multi_pairs(multi, source, "multiValueHeaders"), source)


# (Host, X-Forwarded-Proto, X-Forwarded-Port) -> (scheme, server name, port). A warm function
# sees the same few hosts, so each is parsed once. Forged hosts could grow it, so it is emptied
# when full and fills again with the hosts now arriving.
_ADDRESSES: dict[tuple[str, str, str], tuple[str, str, int]] = {}
_ADDRESSES_LIMIT = 64


def server_address(host: str, proto: str, forwarded_port: str) -> tuple[str, str, int]:
    """The scheme, host name and port the client used, from Host and the X-Forwarded headers.

    API Gateway and ALB set ``X-Forwarded-Proto`` and ``X-Forwarded-Port`` themselves
    (api-gateway-known-issues.html; ALB lambda-functions.html), so they describe the client's
    connection to AWS, which is what URLs the app builds must point at. :func:`make_request`
    looks each triple up in a cache first, and calls this for one it has not seen.
    """
    found = _parse_address(host, proto, forwarded_port)
    remember(_ADDRESSES, _ADDRESSES_LIMIT, (host, proto, forwarded_port), found)
    return found


def _parse_address(host: str, proto: str, forwarded_port: str) -> tuple[str, str, int]:
    scheme = proto.rpartition(",")[2].strip().lower() or "https"
    # A repeated Host arrives joined; like the other forwarded values, the last one counts.
    host = host.rpartition(",")[2].strip()
    name, colon, host_port = host.rpartition(":")
    if not colon or "]" in host_port:
        # No port, or a bare IPv6 literal such as "[::1]".
        name, host_port = host, ""
    port_text = forwarded_port.rpartition(",")[2].strip() or host_port
    port = (
        int(port_text)
        if port_text.isascii() and port_text.isdigit()
        else (443 if scheme == "https" else 80)
    )
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


def make_request(
    event: dict[str, Any],
    context: Any,
    source: str,
    *,
    method: str,
    script_raw: str,
    path_raw: str,
    query_string: str,
    headers: dict[str, str],
    protocol: str,
    remote_addr: str,
    remote_user: str | None,
) -> Request:
    """The :class:`Request` each format's ``parse`` ends with: paths and body decoded."""
    body = event.get("body")
    # The server address, from a per-process cache: a call costs more than the lookup.
    key = (
        headers.get("host", ""),
        headers.get("x-forwarded-proto", "https"),
        headers.get("x-forwarded-port", ""),
    )
    try:
        scheme, server_name, server_port = _ADDRESSES[key]
    except KeyError:
        scheme, server_name, server_port = server_address(*key)
    return new_tuple(
        Request,
        (
            method.upper(),
            script_raw if "%" not in script_raw else wsgi_path(script_raw),
            path_raw if "%" not in path_raw else wsgi_path(path_raw),
            query_string,
            headers,
            # ALB sends "" for no body, and so do many GET events.
            b"" if body is None or body == "" else decode_body(event, source),
            scheme,
            server_name,
            server_port,
            protocol,
            remote_addr,
            remote_user,
            event,
            context,
        ),
    )
