"""The sans-IO core: normalised requests and responses, and the one binary decision.

Nothing here knows about WSGI, ASGI or sockets. The event formats in ``_formats`` turn events into
:class:`Request` values and :class:`Response` values into results; the adapters call apps with
them; the local gateway reuses the media-type rules.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable
from typing import Any
from typing import NamedTuple

__all__ = [
    "BinaryMediaTypes",
    "MediaTypePatterns",
    "Request",
    "Response",
    "encode_body",
    "first_accept_type",
    "is_textual",
    "media_type",
    "should_base64",
]


# Named tuples rather than dataclasses: importing dataclasses pulls in inspect, and with it a
# third of `import lambdash`'s time; building one also costs less on every invocation.
class Request(NamedTuple):
    """One HTTP request, whatever event source it came from.

    ``script_name`` and ``path`` are PEP 3333 strings: percent-decoded bytes read as latin-1.
    ``headers`` holds lower-case names in arrival order, one entry per value.
    """

    method: str
    script_name: str
    path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    scheme: str
    server_name: str
    server_port: int
    protocol: str
    remote_addr: str
    event: dict[str, Any]
    context: Any

    def header(self, name: str) -> str | None:
        """The values of header *name* (lower case) joined with commas, or ``None``."""
        values = [value for key, value in self.headers if key == name]
        return ", ".join(values) if values else None


class Response(NamedTuple):
    """What the app answered: a status, its header lines in order, and the whole body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


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


@functools.lru_cache(maxsize=256)
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

    Matching is case-insensitive and ignores parameters. Results are cached per instance, so
    each distinct Content-Type is parsed once per process.
    """

    __slots__ = ("_any", "_exact", "_suffixes", "_types", "matches", "patterns")

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
        self.matches = functools.lru_cache(maxsize=256)(self._matches)

    def _matches(self, bare: str | None) -> bool:
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
    binary = content_encoding is not None and content_encoding.strip().lower() not in (
        "",
        "identity",
    )
    if not binary:
        bare = media_type(content_type)
        binary = binary_types.matches(bare) or (
            bare is not None and not is_textual(bare) and not text_types.matches(bare)
        )
    if not binary:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


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
