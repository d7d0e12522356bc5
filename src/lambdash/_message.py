"""The sans-IO core: normalised requests and responses, and the one binary decision.

Nothing here knows about WSGI, ASGI or sockets. The event formats in ``_formats`` turn events into
:class:`Request` values and :class:`Response` values into results; the adapters call apps with
them; the local gateway reuses the media-type rules.
"""

from __future__ import annotations

import binascii

__all__ = [
    "BinaryMediaTypes",
    "MediaTypePatterns",
    "Request",
    "Response",
    "encode_body",
    "first_accept_type",
    "is_textual",
    "media_type",
    "new_tuple",
    "record",
    "remember",
    "should_base64",
]

# The typing module is for mypy only: importing it, and collections behind it, would be most of
# `import lambdash`'s time (benchmarks/imports.py). mypy reads any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any
    from typing import NamedTuple


def record(name: str, fields: tuple[str, ...], doc: str) -> Any:
    """A tuple class with named fields, without importing collections or typing.

    Fields are read by position (C-level :func:`operator.itemgetter` properties); the class takes
    positional or keyword arguments, has ``_fields``, ``_replace``, ``__match_args__`` and a
    readable repr, and copies and pickles. It is not a full ``collections.namedtuple``: there is
    no ``_asdict``, ``_make`` or defaults, which lambdash does not use.
    """
    from operator import itemgetter

    def __new__(cls: type, *values: object, **named: object) -> Any:
        if named:
            missing = [field for field in fields[len(values) :] if field not in named]
            if missing or len(named) != len(fields) - len(values):
                msg = f"{name}() takes the fields {', '.join(fields)}; missing {missing}, given {sorted(named)}"
                raise TypeError(msg)
            values = (*values, *(named[field] for field in fields[len(values) :]))
        if len(values) != len(fields):
            msg = f"{name}() takes {len(fields)} fields ({', '.join(fields)}), not {len(values)}"
            raise TypeError(msg)
        return tuple.__new__(cls, values)

    def _replace(self: tuple[object, ...], **changes: object) -> Any:
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            msg = f"{name} has no fields {unknown}"
            raise ValueError(msg)
        return tuple.__new__(
            type(self), [changes.get(f, v) for f, v in zip(fields, self, strict=True)]
        )

    def __repr__(self: tuple[object, ...]) -> str:
        pairs = ", ".join(f"{f}={v!r}" for f, v in zip(fields, self, strict=True))
        return f"{name}({pairs})"

    def __getnewargs__(self: tuple[object, ...]) -> tuple[object, ...]:
        # copy and pickle rebuild the tuple from its fields.
        return tuple(self)

    namespace: dict[str, object] = {
        "__slots__": (),
        "__doc__": doc,
        "__module__": __name__,
        "__new__": __new__,
        "__repr__": __repr__,
        "__getnewargs__": __getnewargs__,
        "_replace": _replace,
        "_fields": fields,
        "__match_args__": fields,
    }
    for index, field in enumerate(fields):
        namespace[field] = property(itemgetter(index), doc=f"{name}.{field}")
    return type(name, (tuple,), namespace)


_REQUEST_DOC = """One HTTP request, whatever event source it came from.

``script_name`` and ``path`` are PEP 3333 strings: percent-decoded bytes read as latin-1.
``headers`` maps lower-case names, in arrival order, to their values; a header that arrived
more than once has its values joined with ", " (RFC 9110 §5.3), cookies with "; " (RFC 9113
§8.2.3), which is also how HTTP API payload 2.0 events carry them.
"""
_RESPONSE_DOC = (
    "What the app answered: a status, its header lines in order, and the whole body."
)

# Named tuples rather than dataclasses: importing dataclasses pulls in inspect, and building one
# costs more on every invocation. mypy sees the classes below; at run time the same fields, in
# the same order, are made by record() (tests/test_message.py compares the two).
if TYPE_CHECKING:

    class Request(NamedTuple):
        method: str
        script_name: str
        path: str
        query_string: str
        headers: dict[str, str]
        body: bytes
        scheme: str
        server_name: str
        server_port: int
        protocol: str
        remote_addr: str
        remote_user: str | None
        event: dict[str, Any]
        context: Any

    class Response(NamedTuple):
        status: int
        headers: list[tuple[str, str]]
        body: bytes

else:
    Request = record(
        "Request",
        (
            "method",
            "script_name",
            "path",
            "query_string",
            "headers",
            "body",
            "scheme",
            "server_name",
            "server_port",
            "protocol",
            "remote_addr",
            "remote_user",
            "event",
            "context",
        ),
        _REQUEST_DOC,
    )
    Response = record("Response", ("status", "headers", "body"), _RESPONSE_DOC)

# A named tuple's __new__ is a Python function; building the tuple directly costs half as much
# on the paths that run every invocation. The fields go in declaration order.
new_tuple = tuple.__new__


def remember(cache: dict[Any, Any], limit: int, key: object, value: object) -> None:
    """Store *value* under *key* in a per-process cache of at most *limit* entries.

    The keys come from requests or apps, so every cache is bounded; when full it is emptied,
    and fills again with the keys now arriving.
    """
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value


# Media types whose bodies are text, so that they can travel as a JSON string. Everything else is
# binary. Browsers and API Gateway's own HTTP API request rule agree on the core of this list
# (text/*, JSON, XML, JavaScript: https://github.com/ministackorg/ministack/pull/766).
_TEXT_TYPES = frozenset(
    {
        "application/ecmascript",
        "application/graphql",
        "application/javascript",
        "application/json",
        "application/jsonl",
        "application/ld+json",
        "application/manifest+json",
        "application/ndjson",
        "application/sql",
        "application/toml",
        "application/x-javascript",
        "application/x-ndjson",
        "application/x-www-form-urlencoded",
        "application/x-yaml",
        "application/xhtml+xml",
        "application/xml",
        "application/yaml",
    }
)
_TEXT_SUFFIXES = ("+json", "+xml", "+yaml")


def media_type(content_type: str | None) -> str | None:
    """The bare, lower-case media type of a Content-Type value, parameters dropped."""
    if content_type is None:
        return None
    bare = content_type.partition(";")[0].strip().lower()
    return bare or None


def is_textual(bare: str) -> bool:
    return (
        bare.startswith("text/") or bare in _TEXT_TYPES or bare.endswith(_TEXT_SUFFIXES)
    )


class MediaTypePatterns:
    """A set of media-type patterns: ``type/subtype``, ``type/*``, ``*/*`` or a ``+suffix``.

    Matching is case-insensitive and ignores parameters. :func:`encode_body` caches its
    decisions, so each distinct Content-Type is matched once per process.
    """

    __slots__ = ("_any", "_exact", "_suffixes", "_types", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        exact: set[str] = set()
        types: set[str] = set()
        suffixes: list[str] = []
        self._any = False
        for raw in self.patterns:
            pattern = raw.strip().lower()
            if pattern == "*/*":
                self._any = True
            elif pattern.startswith("+") and len(pattern) > 1:
                suffixes.append(pattern)
            elif (
                pattern.endswith("/*") and pattern.count("/") == 1 and len(pattern) > 2
            ):
                types.add(pattern[:-1])
            elif (
                pattern.count("/") == 1
                and "*" not in pattern
                and pattern[0] != "/"
                and pattern[-1] != "/"
            ):
                exact.add(pattern)
            else:
                msg = (
                    f"invalid media-type pattern {raw!r}; use 'type/subtype', 'type/*', '*/*' "
                    "or a suffix such as '+json'"
                )
                raise ValueError(msg)
        self._exact = frozenset(exact)
        self._types = tuple(types)
        self._suffixes = tuple(suffixes)

    def matches(self, bare: str | None) -> bool:
        """Whether the bare media type *bare* matches one of the patterns."""
        if bare is None:
            return False
        return (
            self._any
            or bare in self._exact
            or bare.startswith(self._types)
            or bare.endswith(self._suffixes)
        )

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __repr__(self) -> str:
        return f"MediaTypePatterns({list(self.patterns)!r})"


# (Content-Type, Content-Encoding, text patterns, binary patterns) -> binary? The patterns are
# keyed by value, so handlers made with the same options share entries. An app sends a handful of
# distinct header pairs, so the media-type parsing runs once per pair and process. An app that
# puts request data in its Content-Type would grow it, so it is emptied when full and fills
# again with the pairs now sent.
_DECISIONS: dict[
    tuple[str | None, str | None, tuple[str, ...], tuple[str, ...]], bool
] = {}
_DECISIONS_LIMIT = 256


def _is_binary(
    content_type: str | None,
    content_encoding: str | None,
    text_types: MediaTypePatterns,
    binary_types: MediaTypePatterns,
) -> bool:
    if content_encoding is not None and content_encoding.strip().lower() not in (
        "",
        "identity",
    ):
        return True
    bare = media_type(content_type)
    return binary_types.matches(bare) or (
        bare is not None and not is_textual(bare) and not text_types.matches(bare)
    )


def encode_body(
    *,
    content_type: str | None,
    content_encoding: str | None,
    body: bytes,
    text_types: MediaTypePatterns,
    binary_types: MediaTypePatterns,
) -> tuple[str, bool]:
    """The one binary decision: the body as the JSON string it travels in, and whether that is base64.

    A body is binary when it is compressed (any Content-Encoding but ``identity``), when its media
    type is not textual, or when a textual body is not valid UTF-8. API Gateway delivers a text body
    as UTF-8 (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html),
    so a latin-1 page must travel as base64 to keep its bytes. A missing Content-Type counts as
    textual, and the UTF-8 test decides. *binary_types* forces base64 and *text_types* forces
    text (still subject to the UTF-8 test). An empty body never needs base64.
    """
    if not body:
        return "", False
    key = (content_type, content_encoding, text_types.patterns, binary_types.patterns)
    try:
        binary = _DECISIONS[key]
    except KeyError:
        binary = _is_binary(content_type, content_encoding, text_types, binary_types)
        remember(_DECISIONS, _DECISIONS_LIMIT, key, binary)
    if not binary:
        try:
            # decode() is UTF-8 without the codec-name lookup that decode("utf-8") makes.
            return body.decode(), False
        except UnicodeDecodeError:
            pass
    return binascii.b2a_base64(body, newline=False).decode("ascii"), True


def should_base64(
    *,
    content_type: str | None,
    content_encoding: str | None,
    body: bytes,
    text_types: MediaTypePatterns,
    binary_types: MediaTypePatterns,
) -> bool:
    """Whether :func:`encode_body` sends this body base64-encoded."""
    return encode_body(
        content_type=content_type,
        content_encoding=content_encoding,
        body=body,
        text_types=text_types,
        binary_types=binary_types,
    )[1]


def first_accept_type(accept: str | None) -> str | None:
    """The first media type of an Accept header, the only one REST APIs look at.

    "When a request contains multiple media types in its Accept header, API Gateway honors only
    the first Accept media type" (api-gateway-payload-encodings.html). A missing header counts as
    ``application/json``, API Gateway's default (request-response-data-mappings.html).
    """
    if accept is None:
        return "application/json"
    return media_type(accept.partition(",")[0])


class BinaryMediaTypes:
    """A REST API's ``BinaryMediaTypes`` setting, matched the way API Gateway matches it.

    These are API Gateway's rules as validated against AWS (localstack
    ``test_aws_proxy_binary_response``, recorded on AWS): ``*/*`` matches everything; ``type/*``
    matches any subtype, including a literal ``type/*`` Accept; other entries match exactly; a
    wildcard in the Accept header does not match a concrete entry; ``*/subtype`` entries never
    match; a malformed Accept type matches only ``*/*``. SAM's ``~1`` escape stands for ``/``.
    """

    __slots__ = ("_exact", "_types", "decodes_all", "entries")

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(
            entry.replace("~1", "/").strip().lower() for entry in entries
        )
        self.decodes_all = "*/*" in self.entries
        self._exact = frozenset(e for e in self.entries if "*" not in e)
        self._types = tuple(
            e[:-1] for e in self.entries if e.endswith("/*") and not e.startswith("*")
        )

    def decodes(self, first_accept: str | None) -> bool:
        """Whether API Gateway turns a base64 response into bytes for this first Accept type."""
        if self.decodes_all:
            return True
        if first_accept is None or first_accept.count("/") != 1:
            return False
        return first_accept in self._exact or first_accept.startswith(self._types)

    def __repr__(self) -> str:
        return f"BinaryMediaTypes({list(self.entries)!r})"
