"""``make_handler``: options resolved once, then one small function per invocation."""

from __future__ import annotations

import binascii
import sys

from lambdash._dash import DashPrefix
from lambdash._dash import is_dash
from lambdash._formats import EventFormat
from lambdash._formats import detect
from lambdash._log import logger
from lambdash._message import BinaryMediaTypes
from lambdash._message import MediaTypePatterns
from lambdash._message import Request
from lambdash._message import Response
from lambdash._message import encode_body
from lambdash._message import first_accept_type
from lambdash._message import is_textual
from lambdash._message import media_type
from lambdash._message import remember
from lambdash._types import ERROR_POLICIES
from lambdash._types import INTERFACES
from lambdash._types import LIFESPAN_MODES
from lambdash._wsgi import call_wsgi
from lambdash.exceptions import ConfigurationError

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from typing import Any

    from lambdash._types import ClosableHandler
    from lambdash._types import ErrorPolicy
    from lambdash._types import Event
    from lambdash._types import Interface
    from lambdash._types import LifespanMode
    from lambdash._types import Result

__all__ = ["make_handler"]


# Hop-by-hop and length headers describe one connection, and the gateway sets its own:
# REST APIs rename a Lambda's Content-Length and Connection to x-amzn-Remapped-* and drop
# Transfer-Encoding (LS-SRC header_utils); ALB ignores them (lambda-functions.html).
_DROPPED = frozenset(
    {"connection", "content-length", "keep-alive", "transfer-encoding"}
)
# What _finish does with a response header, by its name as the app wrote it: a lookup per
# header instead of lower-casing it. Apps write a few dozen names; the cache is bounded, and
# emptied when full so that it fills again with the names now written.
_KEEP, _DROP, _TYPE, _ENCODING, _COOKIE = range(5)
_HEADER_KINDS: dict[str, int] = {}
_HEADER_KINDS_LIMIT = 256

# awslambdaric serialises results with json.dumps, with ensure_ascii=False from python3.12 on
# (awslambdaric lambda_runtime_marshaller.py), and the limit counts those bytes.
_ENSURE_ASCII = sys.version_info < (3, 12)

_INTERNAL_ERROR = Response(
    status=500,
    headers=[("Content-Type", "text/plain; charset=utf-8")],
    body=b"Internal Server Error",
)
_WARNED_ACCEPT_LIMIT = 64


def _choice(name: str, value: object, accepted: tuple[str, ...]) -> None:
    if value not in accepted:
        msg = f"unknown {name} value {value!r}; accepted values: {', '.join(map(repr, accepted))}"
        raise ConfigurationError(msg)


def _patterns(name: str, value: Iterable[str]) -> MediaTypePatterns:
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        msg = f"{name} takes a list of media-type patterns such as ['image/*', '+json'], not {value!r}"
        raise ConfigurationError(msg)
    try:
        return MediaTypePatterns(value)
    except ValueError as exc:
        msg = f"{name}: {exc}"
        raise ConfigurationError(msg) from exc


def _binary_media_types(value: Iterable[str]) -> BinaryMediaTypes:
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        msg = f"rest_binary_media_types takes a list such as ['*/*'], as in the SAM template, not {value!r}"
        raise ConfigurationError(msg)
    types = BinaryMediaTypes(value)
    for entry in types.entries:
        if entry.count("/") != 1:
            msg = (
                f"rest_binary_media_types: invalid entry {entry!r}; API Gateway media types look "
                "like 'image/png', 'image/*' or '*/*'"
            )
            raise ConfigurationError(msg)
    return types


def _base_path(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or (value and not value.startswith("/")):
        msg = f"base_path must be None (detect it) or a path such as '/dash' or '', not {value!r}"
        raise ConfigurationError(msg)
    return value.rstrip("/")


def _is_asgi(app: object) -> bool:
    import inspect  # imported here: only make_handler needs it, once

    # FastAPI, Starlette and Quart apps are instances with an ``async def __call__``.
    return inspect.iscoroutinefunction(app) or (
        not inspect.isroutine(app) and inspect.iscoroutinefunction(type(app).__call__)
    )


def _accepts_gzip(accept_encoding: str | None) -> bool:
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            return quality == "" or (
                quality.replace(".", "", 1).isdigit() and float(quality) > 0
            )
    return False


def make_handler(
    app: Any,
    *,
    binary_types: Iterable[str] = (),
    text_types: Iterable[str] = (),
    rest_binary_media_types: Iterable[str] = ("*/*",),
    base_path: str | None = None,
    on_error: ErrorPolicy = "raise",
    lifespan: LifespanMode = "auto",
    interface: Interface = "auto",
) -> ClosableHandler:
    """Make a Lambda handler that serves *app* behind any AWS HTTP front door.

    :param app: a ``dash.Dash`` app (any backend), a WSGI app (Flask, Django, Werkzeug, or
        ``dash_app.server``) or an ASGI app (FastAPI, Starlette, Quart).
    :param binary_types: media-type patterns always sent base64-encoded, on top of the rule.
    :param text_types: media-type patterns sent as text when their body is valid UTF-8.
    :param rest_binary_media_types: the REST API's ``BinaryMediaTypes``; only used to warn when
        API Gateway would deliver a base64 response as text.
    :param base_path: the URL prefix in front of the app, instead of detecting it per request;
        ``""`` means none.
    :param on_error: ``"raise"`` re-raises app exceptions so Lambda counts them; ``"respond"``
        answers ``500 Internal Server Error``. A response over the payload limit is answered
        with a 500 that says so either way.
    :param lifespan: ASGI lifespan mode: ``"auto"``, ``"on"`` or ``"off"``.
    :param interface: ``"auto"`` detects WSGI or ASGI; ``"wsgi"`` or ``"asgi"`` forces one.
    :raises ConfigurationError: for an option value it does not accept.

    The handler's ``close()`` runs an ASGI app's lifespan shutdown and closes its event loop;
    lambdash also calls it on SIGTERM and at interpreter exit, never from the garbage collector.
    """
    _choice("on_error", on_error, ERROR_POLICIES)
    _choice("lifespan", lifespan, LIFESPAN_MODES)
    _choice("interface", interface, INTERFACES)
    binary = _patterns("binary_types", binary_types)
    text = _patterns("text_types", text_types)
    rest_types = _binary_media_types(rest_binary_media_types)
    prefix = _base_path(base_path)

    dash = DashPrefix(app) if is_dash(app) else None
    target = app.server if dash is not None else app
    if not callable(target):
        msg = (
            f"make_handler needs a Dash, WSGI or ASGI app, not {type(target).__name__}"
        )
        raise ConfigurationError(msg)
    # The handler runs call(app, request): for a WSGI app, call_wsgi itself, since a closure
    # around it would cost a call per invocation.
    call: Callable[[Any, Request], Response] = call_wsgi
    callee: Any = target
    close: Callable[[], None] = _nothing_to_close
    if interface == "asgi" or (interface == "auto" and _is_asgi(target)):
        # asyncio is imported only for ASGI apps: it would double a WSGI app's import time.
        from lambdash._asgi import ASGIRunner
        from lambdash._scope import NO_ROOT
        from lambdash._scope import layout_for

        # Dash 4.4's FastAPI middleware compares scope["path"] with its routes prefix without
        # taking root_path off, so a Dash app sees only the path below the prefix; Dash builds
        # its URLs from requests_pathname_prefix, which follows the prefix instead.
        call = ASGIRunner.__call__
        callee = (
            ASGIRunner(target, lifespan=lifespan, layout=layout_for(target))
            if dash is None
            else ASGIRunner(
                target, lifespan=lifespan, context=dash.context(), layout=NO_ROOT
            )
        )
        close = callee.close
    if dash is not None:
        call = _with_dash(dash, call)
    warned: set[str | None] = set()

    def handler(event: Event, context: Any) -> Result:
        fmt = detect(event)
        request = fmt.parse(event, context, base_path=prefix)
        try:
            response = call(callee, request)
        except Exception:
            logger().exception(
                "the app raised on %s %s (request id %s)",
                request.method,
                request.script_name + request.path,
                getattr(context, "aws_request_id", "unknown"),
            )
            if on_error == "raise":
                raise
            response = _INTERNAL_ERROR
        return _finish(fmt, request, response, text, binary, rest_types, warned)

    handler.close = close  # type: ignore[attr-defined]
    return handler  # type: ignore[return-value]


def _nothing_to_close() -> None:
    """A WSGI app has no lifespan: its handler's close() has nothing to do."""


def _with_dash(
    dash: DashPrefix, call: Callable[[Any, Request], Response]
) -> Callable[[Any, Request], Response]:
    def call_dash(app: Any, request: Request) -> Response:
        # The requests prefix is process-wide state; one request at a time may set and use it.
        with dash.lock:
            return call(app, dash.adjust(request))

    return call_dash


def _header_kind(name: str) -> int:
    lower = name.lower()
    kind = (
        _DROP
        if lower in _DROPPED
        else _TYPE
        if lower == "content-type"
        else _ENCODING
        if lower == "content-encoding"
        else _COOKIE
        if lower == "set-cookie"
        else _KEEP
    )
    remember(_HEADER_KINDS, _HEADER_KINDS_LIMIT, name, kind)
    return kind


def _finish(
    fmt: EventFormat,
    request: Request,
    response: Response,
    text: MediaTypePatterns,
    binary: MediaTypePatterns,
    rest_types: BinaryMediaTypes,
    warned: set[str | None],
) -> Result:
    # One unpacking costs less than three field reads.
    status, response_headers, body = response
    headers: list[tuple[str, str]] = []
    content_type = content_encoding = None
    header_chars = set_cookies = 0
    kinds = _HEADER_KINDS
    for item in response_headers:
        name = item[0]
        # A subscript in a try costs less than get() and a test of the answer.
        try:
            kind = kinds[name]
        except KeyError:
            kind = _header_kind(name)
        if kind == _DROP:
            continue
        headers.append(item)
        header_chars += len(name) + len(item[1])
        if kind == _TYPE:
            content_type = item[1]
        elif kind == _ENCODING:
            content_encoding = item[1]
        elif kind == _COOKIE:
            set_cookies += 1
    body_text, is_base64 = encode_body(
        content_type=content_type,
        content_encoding=content_encoding,
        body=body,
        text_types=text,
        binary_types=binary,
    )
    result = fmt.render(
        status,
        headers,
        body=body_text,
        is_base64=is_base64,
        request=request,
        set_cookies=set_cookies,
    )
    # Twelve bytes a character bounds any JSON escape, so most results need no closer look.
    if (len(body_text) + header_chars) * 12 + 256 > fmt.limit and _may_exceed(
        fmt.limit, body_text, is_base64, header_chars
    ):
        size = _size(result)
        if size > fmt.limit:
            result, is_base64 = _shrink(
                fmt,
                request,
                status,
                headers,
                body,
                content_type,
                content_encoding,
                size=size,
                set_cookies=set_cookies,
            )
    if (
        is_base64
        and fmt.rest
        and not rest_types.decodes_all
        and "version" not in request.event
    ):
        _warn_rest_binary(request, content_type, rest_types, warned)
    return result


def _may_exceed(limit: int, body_text: str, is_base64: bool, header_chars: int) -> bool:
    # A cheap upper bound first. Base64 needs no escapes; otherwise JSON costs at most 6 bytes a
    # character (\u00XX), or 12 for a character outside the BMP where the runtime escapes
    # non-ASCII (python3.11, ensure_ascii=True).
    if is_base64:
        per_char = 1
    elif body_text.isascii() or not _ENSURE_ASCII:
        per_char = 6
    else:
        per_char = 12
    return len(body_text) * per_char + header_chars * 12 + 256 > limit


def _size(result: Result) -> int:
    import json  # imported here: only large responses are measured exactly

    return len(json.dumps(result, ensure_ascii=_ENSURE_ASCII).encode("utf-8"))


def _shrink(
    fmt: EventFormat,
    request: Request,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    content_type: str | None,
    content_encoding: str | None,
    *,
    size: int,
    set_cookies: int,
) -> tuple[Result, bool]:
    """Gzip an oversized response when the client takes gzip and that makes it fit, or answer 500.

    The result comes with whether its body is base64.
    """
    where = f"{request.method} {request.script_name + request.path}"
    bare = media_type(content_type)
    if (
        content_encoding is None
        and (bare is None or is_textual(bare))
        and _accepts_gzip(request.headers.get("accept-encoding"))
    ):
        import gzip  # imported here: only oversized responses need it

        packed = gzip.compress(body, compresslevel=6, mtime=0)
        new_headers = [
            *headers,
            ("Content-Encoding", "gzip"),
            ("Vary", "Accept-Encoding"),
        ]
        result = fmt.render(
            status,
            new_headers,
            body=binascii.b2a_base64(packed, newline=False).decode("ascii"),
            is_base64=True,
            request=request,
            set_cookies=set_cookies,
        )
        new_size = _size(result)
        if new_size <= fmt.limit:
            logger().info(
                "%s: the response was %d bytes serialised, over the %d-byte limit; sent gzip-compressed (%d bytes)",
                where,
                size,
                fmt.limit,
                new_size,
            )
            return result, True
        size = new_size
    limit = (
        f"{fmt.limit:,}-byte {'ALB' if fmt.name == 'alb' else 'Lambda'} response limit"
    )
    logger().error(
        "%s: the response is %s bytes serialised, over the %s, where AWS would answer 502; the "
        "client gets a 500 instead. Compress it (Dash(compress=True)), load large scripts from a "
        "CDN (Dash(serve_locally=False)), or serve large files from S3 or CloudFront.",
        where,
        f"{size:,}",
        limit,
    )
    # Lambda would refuse the result and the front door answer an opaque 502 (Lambda's
    # Function.ResponseSizeTooLarge, https://zaccharles.medium.com/deep-dive-lambdas-response-payload-size-limit-8aedba9530ed;
    # ALB lambda-functions.html). The client gets the house's text/plain 500 instead, saying
    # what happened and nothing of the app's response: no headers, no cookies, no body.
    message = f"Response too large: {size:,} bytes serialised, over the {limit}. The function's log says how to fix it."
    error = fmt.render(
        500,
        [("Content-Type", "text/plain; charset=utf-8")],
        body=message,
        is_base64=False,
        request=request,
        set_cookies=0,
    )
    return error, False


def _warn_rest_binary(
    request: Request,
    content_type: str | None,
    rest_types: BinaryMediaTypes,
    warned: set[str | None],
) -> None:
    # REST APIs turn base64 back into bytes only when the request's first Accept type matches
    # BinaryMediaTypes; the response Content-Type plays no part (api-gateway-payload-encodings.html;
    # localstack PR #12199, validated on AWS).
    accept = first_accept_type(request.headers.get("accept"))
    if accept in warned or rest_types.decodes(accept):
        return
    if len(warned) < _WARNED_ACCEPT_LIMIT:
        warned.add(accept)
    logger().warning(
        "%s %s: this %s response is base64-encoded, and API Gateway will deliver it as base64 text: "
        "the request's first Accept type %r does not match the REST API's BinaryMediaTypes %s. "
        "Set BinaryMediaTypes: ['*/*'] on the API (a SAM AWS::Serverless::Api property).",
        request.method,
        request.script_name + request.path,
        content_type or "untyped",
        accept,
        list(rest_types.entries),
    )
