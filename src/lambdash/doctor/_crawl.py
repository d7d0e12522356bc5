"""Crawling an app through the adapter the way a browser loads it, behind a given front door."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lambdash._dash import is_dash
from lambdash._handler import make_handler
from lambdash._message import BinaryMediaTypes
from lambdash._message import first_accept_type
from lambdash.local._events import build_event
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse
from lambdash.local._workers import LocalContext

__all__ = ["Fetch", "crawl"]

# What Chromium sends, by what the page asks for.
NAVIGATION = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
SCRIPT = "*/*"
STYLESHEET = "text/css,*/*;q=0.1"
IMAGE = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
FONT = "*/*"
JSON = "application/json"
ENCODINGS = "gzip, deflate, br, zstd"

_LINK = re.compile(r'(?:src|href)="([^"]+)"')
_IMAGE_SUFFIXES = (".ico", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")
_FONT_SUFFIXES = (".woff", ".woff2", ".ttf", ".otf", ".eot")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Fetch:
    """One request of the crawl and what the function answered."""

    url: str
    accept: str
    status: int
    content_type: str
    size: int
    base64: bool
    decoded: bool
    """Whether the front door delivers the bytes (always, except REST with a non-matching Accept)."""
    too_large: str = ""
    """The adapter's message when the response cannot fit the payload limit."""
    compressed_to_fit: bool = False


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        if record.levelno >= logging.ERROR:
            self.errors.append(record.getMessage())


def _accept_for(url: str) -> str:
    path = url.partition("?")[0].lower()
    if path.endswith(_IMAGE_SUFFIXES):
        return IMAGE
    if path.endswith(_FONT_SUFFIXES):
        return FONT
    if path.endswith(".css"):
        return STYLESHEET
    return SCRIPT


def _dash_urls(app: Any) -> Iterator[tuple[str, str]]:
    """The app's own URLs beyond the page: layout, dependencies, every component-suite file and asset."""
    yield "_dash-layout", JSON
    yield "_dash-dependencies", JSON
    for namespace, paths in sorted(app.registered_paths.items()):
        for path in sorted(paths):
            # Source maps are for browser devtools and often not shipped at all.
            if not path.endswith(".map"):
                yield f"_dash-component-suites/{namespace}/{path}", SCRIPT
    folder = Path(app.config.assets_folder)
    if folder.is_dir():
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = file.relative_to(folder).as_posix()
            yield f"assets/{relative}", _accept_for(relative)


def crawl(
    app: Any,
    config: GatewayConfig,
    *,
    handler: Callable[[dict[str, Any], Any], Any] | None = None,
    limit: int = 400,
) -> list[Fetch]:
    """Load *app*'s page and everything it refers to through the adapter behind *config*'s front door.

    The first request is a browser navigation to the app's URL; then come every same-origin
    script, stylesheet, icon and image on the page and, for Dash apps, the layout, the
    dependencies, every component-suite file and every asset.
    """
    if handler is None:
        handler = make_handler(app, rest_binary_media_types=config.binary_media_types)
    binary = BinaryMediaTypes(config.binary_media_types)
    prefix = config.url_prefix + "/"
    capture = _Capture()
    logger = logging.getLogger("lambdash")
    logger.addHandler(capture)
    # The adapter reports a response it had to gzip to fit at INFO.
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        fetches: list[Fetch] = []
        seen: set[str] = set()

        def fetch(path: str, accept: str) -> None:
            url = path if path.startswith("/") else prefix + path
            if url in seen or len(seen) >= limit:
                return
            seen.add(url)
            fetches.append(
                _invoke(handler, config, binary, url, accept, ENCODINGS, capture)[1]
            )

        fetch(prefix, NAVIGATION)
        # The page again, uncompressed, to read its links.
        index = _invoke(
            handler, config, binary, prefix, NAVIGATION, "identity", capture
        )[0]
        if index is not None and index.body:
            text = index.body.decode("utf-8", errors="replace")
            for link in _LINK.findall(text):
                if link.startswith(prefix):
                    fetch(link, _accept_for(link))
        if is_dash(app):
            for path, accept in _dash_urls(app):
                fetch(path, accept)
        return fetches
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)


def _invoke(
    handler: Callable[[dict[str, Any], Any], Any],
    config: GatewayConfig,
    binary: BinaryMediaTypes,
    url: str,
    accept: str,
    encodings: str,
    capture: _Capture,
) -> tuple[HTTPResponse | None, Fetch]:
    headers = [
        ("Host", "doctor.invalid"),
        ("Accept", accept),
        ("Accept-Encoding", encodings),
    ]
    event = build_event(
        config,
        HTTPRequest(
            method="GET", target=url, headers=headers, scheme="https", port=443
        ),
    )
    if isinstance(event, HTTPResponse):
        return None, Fetch(
            url=url,
            accept=accept,
            status=event.status,
            content_type="",
            size=0,
            base64=False,
            decoded=True,
        )
    before = len(capture.messages)
    errors = len(capture.errors)
    # The runtime's JSON round trip; the payload is also what the size limits count.
    payload = json.dumps(handler(event, _context()))
    result = json.loads(payload)
    # A response over the limit is answered with a 500 saying so, and logged at ERROR with the
    # route, the size and the fix.
    too_large = next(
        (m for m in capture.errors[errors:] if "bytes serialised, over the" in m), ""
    )
    if too_large:
        return None, Fetch(
            url=url,
            accept=accept,
            status=int(result["statusCode"]),
            content_type="",
            size=0,
            base64=False,
            decoded=True,
            too_large=too_large,
        )
    size = len(payload.encode())
    is_b64 = bool(result.get("isBase64Encoded"))
    decoded = (
        config.gateway != "rest"
        or not is_b64
        or binary.decodes(first_accept_type(accept))
    )
    lines = [
        (k, v)
        for k, values in (result.get("multiValueHeaders") or {}).items()
        for v in values
    ]
    lines += list((result.get("headers") or {}).items())
    content_type = next((v for k, v in lines if k.lower() == "content-type"), "")
    body: bytes = b""
    if result.get("body") and not is_b64:
        body = result["body"].encode()
    compressed = any("sent gzip-compressed" in m for m in capture.messages[before:])
    fetched = Fetch(
        url=url,
        accept=accept,
        status=int(result.get("statusCode", 200)),
        content_type=content_type,
        size=size,
        base64=is_b64,
        decoded=decoded,
        compressed_to_fit=compressed,
    )
    return HTTPResponse(status=fetched.status, headers=lines, body=body), fetched


def _context() -> LocalContext:
    return LocalContext(
        request_id="lambdash-doctor",
        deadline=time.time() + 30,
        function_name="lambdash-doctor",
        memory_size=1024,
    )
