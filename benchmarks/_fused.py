"""A prototype for benchmarks/checks.py only: a REST event turned straight into a WSGI environ.

lambdash reads an event into a Request (lower-case header names, fields checked), and the WSGI
layer turns the Request into an environ: the event formats never see WSGI, so that one parsed
request serves WSGI, ASGI and the local gateway. This prototype skips the Request on the usual
REST event (single-valued ASCII headers under names seen before) and sets the environ's header
keys straight from ``multiValueHeaders``, keeping every check lambdash makes; any other event
goes to lambdash's own handler. It measures what the split costs. It is not part of lambdash,
and its results were compared with lambdash's for the benchmark's event only.
"""

from __future__ import annotations

import io
import sys
import types
from typing import Any

from lambdash import _handler
from lambdash import _wsgi
from lambdash._formats import REST_V1
from lambdash._formats import _common
from lambdash._formats import apigw_v1
from lambdash._formats import detect
from lambdash._message import Request
from lambdash._message import new_tuple

# Event header name as it arrived -> environ key.
_KEYS: dict[str, str] = {}

# call_wsgi itself, with the environ passed in instead of built from a Request.
_call_environ = types.FunctionType(
    _wsgi.call_wsgi.__code__,
    {**vars(_wsgi), "environ_for": lambda environ: environ},
)


def make_fused_handler(app: Any) -> Any:
    usual = _handler.make_handler(app)
    text = _handler._patterns("text_types", ())
    binary = _handler._patterns("binary_types", ())
    rest_types = _handler._binary_media_types(("*/*",))
    warned: set[str | None] = set()
    source = apigw_v1.SOURCE

    def handler(event: Any, context: Any) -> Any:
        fmt = detect(event)
        multi = event.get("multiValueHeaders")
        if fmt is not REST_V1 or type(multi) is not dict or "version" in event:
            return usual(event, context)
        info = event.get("requestContext")
        if type(info) is not dict:
            info = _common.mapping(event, "requestContext", source)
        environ = _wsgi._TEMPLATE.copy()
        try:
            for name, values in multi.items():
                if (
                    type(values) is not list
                    or len(values) != 1
                    or not values[0].isascii()
                ):
                    return usual(event, context)
                environ[_KEYS[name]] = values[0]
        except KeyError:
            for name in multi:
                _KEYS[name] = _wsgi._environ_key(name.lower())
            return usual(event, context)
        if len(environ) != _wsgi._TEMPLATE_SIZE + len(multi):
            return usual(event, context)
        path = event.get("path")
        if type(path) is not str:
            path = _common.field(event, "path", source)
        host = environ.get("HTTP_HOST", "")
        script_raw, path_raw = apigw_v1._split_path(event, info, path, host, source)
        method = event.get("httpMethod")
        if type(method) is not str:
            method = _common.field(event, "httpMethod", source)
        protocol = info.get("protocol")
        if type(protocol) is not str:
            protocol = _common.field(info, "protocol", source, default="HTTP/1.1")
        identity = info.get("identity")
        remote_addr = identity.get("sourceIp") if type(identity) is dict else None
        if type(remote_addr) is not str:
            return usual(event, context)
        query = event.get("multiValueQueryStringParameters") or event.get(
            "queryStringParameters"
        )
        key = (
            host,
            environ.get("HTTP_X_FORWARDED_PROTO", "https"),
            environ.get("HTTP_X_FORWARDED_PORT", ""),
        )
        try:
            scheme, server_name, server_port = _common._ADDRESSES[key]
        except KeyError:
            scheme, server_name, server_port = _common.server_address(*key)
        body = event.get("body")
        body = b"" if body is None or body == "" else _common.decode_body(event, source)
        environ["REQUEST_METHOD"] = method.upper()
        environ["SCRIPT_NAME"] = _common.wsgi_path(script_raw)
        environ["PATH_INFO"] = _common.wsgi_path(path_raw)
        environ["QUERY_STRING"] = apigw_v1._query_string(event, source) if query else ""
        environ["SERVER_NAME"] = server_name
        try:
            environ["SERVER_PORT"] = _wsgi._PORTS[server_port]
        except KeyError:
            environ["SERVER_PORT"] = str(server_port)
        environ["SERVER_PROTOCOL"] = protocol
        environ["REMOTE_ADDR"] = remote_addr
        environ["wsgi.url_scheme"] = scheme
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.errors"] = sys.stderr
        environ["lambdash.event"] = event
        environ["lambdash.context"] = context
        environ["CONTENT_LENGTH"] = str(len(body)) if body else "0"
        response = _call_environ(app, environ)
        # _finish takes a Request: a fused design would hand it the event and the few headers
        # it reads instead; this one is built, which counts against the prototype.
        request = new_tuple(
            Request,
            (method, script_raw, path_raw, "", {}, body, scheme, server_name,
             server_port, protocol, remote_addr, None, event, context),
        )  # fmt: skip
        return _handler._finish(
            fmt, request, response, text, binary, rest_types, warned
        )

    return handler
