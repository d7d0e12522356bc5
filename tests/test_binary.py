"""Binary by rule: every body class reaches the client byte for byte through every source."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable
from wsgiref.types import StartResponse
from wsgiref.types import WSGIEnvironment

import pytest
from flask import Flask
from flask import Response as FlaskResponse
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from lambdash import make_handler
from lambdash._message import BinaryMediaTypes
from lambdash._message import MediaTypePatterns
from lambdash._message import first_accept_type
from lambdash._message import should_base64
from tests.conftest import FakeContext
from tests.conftest import echo_app
from tests.events import SOURCES
from tests.events import Source
from tests.events import delivered
from tests.events import event_for

ICO = (
    bytes.fromhex("0000010001001010000001002000680400001600000028000000")
    + bytes(range(256)) * 4
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
WOFF2 = b"wOF2\x00\x01\x00\x00" + bytes(range(255, -1, -1))
HTML = "<!doctype html><title>Café ☕</title><p>naïve — 日本語</p>".encode()
LATIN1_HTML = "<p>Café crème</p>".encode("latin-1")

# (name, body, Content-Type or None, Content-Encoding or None, travels as base64)
BODY_CLASSES: list[tuple[str, bytes, str | None, str | None, bool]] = [
    ("favicon-x-icon", ICO, "image/x-icon", None, True),
    ("favicon-vnd", ICO, "image/vnd.microsoft.icon", None, True),
    ("png", PNG, "image/png", None, True),
    ("font-woff2", WOFF2, "font/woff2", None, True),
    ("font-octet-stream", WOFF2, "application/octet-stream", None, True),
    (
        "gzip-html",
        gzip.compress(HTML, mtime=0),
        "text/html; charset=utf-8",
        "gzip",
        True,
    ),
    (
        "br-json",
        b"\x1b\x0e\x00\xf8\xa5@\xc2\xaa\x93\x91",
        "application/json",
        "br",
        True,
    ),
    ("no-content-type-binary", b"\x00\x01\xfe\xff", None, None, True),
    ("no-content-type-text", b"plain words", None, None, False),
    ("utf8-html", HTML, "text/html; charset=utf-8", None, False),
    ("latin1-html", LATIN1_HTML, "text/html; charset=iso-8859-1", None, True),
    (
        "javascript",
        b"window.x = '\xe2\x9c\x93';",
        "text/javascript; charset=utf-8",
        None,
        False,
    ),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml", None, False),
    (
        "problem-json",
        b'{"title":"Not Found","status":404}',
        "application/problem+json",
        None,
        False,
    ),
    ("empty", b"", "application/octet-stream", None, False),
]


def _flask_app() -> Flask:
    app = Flask(__name__)
    table = {name: (body, ctype, enc) for name, body, ctype, enc, _ in BODY_CLASSES}

    @app.get("/body/<name>")
    def body(name: str) -> FlaskResponse:
        data, ctype, enc = table[name]
        response = FlaskResponse(data)
        del response.headers["Content-Type"]
        if ctype is not None:
            response.headers["Content-Type"] = ctype
        if enc is not None:
            response.headers["Content-Encoding"] = enc
        return response

    return app


flask_handler = make_handler(_flask_app())


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    ("name", "body", "ctype", "encoding", "as_base64"),
    [pytest.param(*c, id=c[0]) for c in BODY_CLASSES],
)
def test_body_class_reaches_client_intact(
    source: Source,
    name: str,
    body: bytes,
    ctype: str | None,
    encoding: str | None,
    as_base64: bool,
) -> None:
    result = flask_handler(
        event_for(source, path=f"/body/{name}", headers=[("Accept", "*/*")]),
        FakeContext(),
    )
    status, headers, received = delivered(result)
    expected_headers = sorted(
        [("content-type", ctype)] * (ctype is not None)
        + [("content-encoding", encoding)] * (encoding is not None)
    )
    assert (status, sorted(headers), received, result["isBase64Encoded"]) == (
        200,
        expected_headers,
        body,
        as_base64,
    )


def test_rest_result_without_matching_binary_media_types_is_base64_text() -> None:
    # What a REST API without BinaryMediaTypes delivers: the base64 text, the user story's favicon.
    result = flask_handler(
        event_for("rest", path="/body/favicon-x-icon"), FakeContext()
    )
    assert delivered(result, rest_decodes=False)[2] == base64.b64encode(ICO)


@pytest.mark.parametrize(
    ("content_type", "encoding", "body", "expected"),
    [
        ("text/plain", None, b"", False),
        ("image/png", None, b"", False),
        ("text/html", "gzip", b"x", True),
        ("text/html", "identity", b"x", False),
        ("text/html", " ", b"x", False),
        ("TEXT/HTML; Charset=UTF-8", None, b"x", False),
        ("application/json", None, b"\xff", True),
        ("application/vnd.api+json", None, b"{}", False),
        ("application/atom+xml", None, b"<a/>", False),
        ("application/x-www-form-urlencoded", None, b"a=1", False),
        ("application/xml", None, b"<a/>", False),
        ("application/yaml", None, b"a: 1", False),
        ("application/octet-stream", None, b"abc", True),
        ("image/svg+xml", None, b"<svg/>", False),
        ("font/ttf", None, b"abc", True),
        ("", None, b"abc", False),
        (None, None, b"\x80", True),
    ],
)
def test_should_base64_rule(
    content_type: str | None, encoding: str | None, body: bytes, expected: bool
) -> None:
    none = MediaTypePatterns(())
    assert (
        should_base64(
            content_type=content_type,
            content_encoding=encoding,
            body=body,
            text_types=none,
            binary_types=none,
        )
        is expected
    )


def test_extra_patterns_override_the_rule() -> None:
    text = MediaTypePatterns(["application/vnd.custom", "+csv"])
    binary = MediaTypePatterns(["text/x-raw", "image/*"])

    def decide(ctype: str) -> bool:
        return should_base64(
            content_type=ctype,
            content_encoding=None,
            body=b"abc",
            text_types=text,
            binary_types=binary,
        )

    assert [
        decide(t)
        for t in (
            "application/vnd.custom",
            "application/x+csv",
            "text/x-raw",
            "image/svg+xml",
            "text/plain",
        )
    ] == [
        False,
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    "pattern", ["image", "*/png", "/png", "image/", "a/b/c", "+", "im*ge/png"]
)
def test_invalid_pattern(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid media-type pattern"):
        MediaTypePatterns([pattern])


def test_patterns_repr_and_truth() -> None:
    assert (
        repr(MediaTypePatterns(["*/*"])),
        bool(MediaTypePatterns(())),
        bool(MediaTypePatterns(["*/*"])),
    ) == (
        "MediaTypePatterns(['*/*'])",
        False,
        True,
    )


# The matrix validated against AWS by localstack's test_aws_proxy_binary_response (spec §1.2.2).
AWS_MATRIX = [
    ([], "image/png", False),
    (["image/png", "*/test"], "image/png", True),
    (["image/png", "*/test"], "image/jpg", False),
    (["image/png", "*/test"], "image/*", False),
    (["image/png", "*/test"], "*/test", False),
    (["image/png", "*/test"], "random/test", False),
    (["image/png", "*/test"], "*/*", False),
    (["image/png", "*/test"], "image/webp,image/png,*/*;q=0.8", False),
    (["image/png", "*/test"], "image/png,image/*,*/*;q=0.8", True),
    (["image/png", "application/*", "image/jpg"], "application/whatever", True),
    (["image/png", "application/*", "image/jpg"], "application/*", True),
    (["image/png", "application/*", "image/jpg"], "application", False),
    (["image~1png"], "IMAGE/PNG; q=1", True),
    (["*/*"], "anything/at-all", True),
    (["*/*"], None, True),
    (["application/json"], None, True),
    (["image/*"], None, False),
]


@pytest.mark.parametrize(("entries", "accept", "decodes"), AWS_MATRIX)
def test_rest_binary_media_types_matrix(
    entries: list[str], accept: str | None, decodes: bool
) -> None:
    assert BinaryMediaTypes(entries).decodes(first_accept_type(accept)) is decodes


def test_binary_media_types_repr() -> None:
    assert repr(BinaryMediaTypes(["Image~1PNG"])) == "BinaryMediaTypes(['image/png'])"


content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "text/html; charset=utf-8",
            "application/json",
            "image/png",
            "font/woff2",
            "image/x-icon",
            "application/problem+json",
        ]
    ),
    st.from_regex(r"[a-z]{1,8}/[a-z0-9.+-]{1,12}", fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(
    body=st.one_of(st.binary(max_size=2048), st.text(max_size=512).map(str.encode)),
    content_type=content_types,
    encoding=st.sampled_from([None, "gzip", "br", "identity"]),
    source=st.sampled_from(SOURCES),
)
def test_any_response_round_trips(
    body: bytes, content_type: str | None, encoding: str | None, source: Source
) -> None:
    headers: list[tuple[str, str]] = []
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    if encoding is not None:
        headers.append(("Content-Encoding", encoding))

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [body]

    result = make_handler(app)(
        event_for(source, headers=[("Accept", "text/html")]), FakeContext()
    )
    json.dumps(result)  # what the Lambda runtime does with it
    assert delivered(result)[2] == body


@settings(max_examples=100, deadline=None)
@given(body=st.binary(min_size=1, max_size=2048), source=st.sampled_from(SOURCES))
def test_any_request_body_reaches_the_app(body: bytes, source: Source) -> None:
    event = event_for(
        source,
        method="POST",
        body=body,
        binary=True,
        headers=[("Content-Type", "application/octet-stream")],
    )
    seen = json.loads(make_handler(echo_app)(event, FakeContext())["body"])
    assert seen["body"].encode("latin-1") == body
