"""Dash 4 apps (Flask and FastAPI backends) serve correct pages under every detected prefix."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import dash
import pytest
from dash import Input
from dash import Output
from dash import dcc
from dash import html

from lambdash import make_handler
from lambdash._dash import DashPrefix
from lambdash._types import LambdaHandler
from tests.conftest import FakeContext
from tests.events import delivered
from tests.events import http_v2_event
from tests.events import rest_event

BROWSER_NAVIGATION = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
BROWSER_IMAGE = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
ICO = (
    bytes.fromhex("00000100010010100000010020006804000016000000")
    + bytes(range(256)) * 4
)
WOFF2 = b"wOF2\x00\x01\x00\x00" + bytes(range(256))


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("assets")
    (folder / "favicon.ico").write_bytes(ICO)
    (folder / "font.woff2").write_bytes(WOFF2)
    (folder / "style.css").write_text(
        "@font-face { font-family: x; src: url(font.woff2); }\n"
    )
    return folder


def build_app(assets: Path, **kwargs: Any) -> Any:
    app = dash.Dash(__name__, assets_folder=str(assets), **kwargs)
    app.layout = html.Div([dcc.Input(id="name", value="world"), html.P(id="greeting")])

    @app.callback(Output("greeting", "children"), Input("name", "value"))
    def greet(name: str) -> str:
        return f"Hello, {name}!"

    return app


def get(
    handler: LambdaHandler,
    url: str,
    *,
    accept: str = "*/*",
    prefix: str = "/Prod",
    **headers: str,
) -> tuple[int, dict[str, str], bytes]:
    """GET *url* (as the page names it) through a REST API whose stage is *prefix*."""
    assert url.startswith(prefix + "/"), url
    path, _, query = url[len(prefix) :].partition("?")
    event = rest_event(path=path, headers=[("Accept", accept), *headers.items()])
    if query:
        pairs = [tuple(p.split("=", 1)) for p in query.split("&")]
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in pairs}
    status, lines, body = delivered(handler(event, FakeContext()))
    return status, dict(lines), body


def page_urls(index: bytes) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', index.decode())


def callback(handler: LambdaHandler, event_factory: Any = rest_event) -> Any:
    payload = {
        "output": "greeting.children",
        "outputs": {"id": "greeting", "property": "children"},
        "inputs": [{"id": "name", "property": "value", "value": "Lambda"}],
        "changedPropIds": ["name.value"],
        "state": [],
    }
    # With BinaryMediaTypes */* a REST API hands every request body over base64-encoded.
    event = event_factory(
        method="POST",
        path="/_dash-update-component",
        headers=[("Content-Type", "application/json"), ("Accept", "application/json")],
        body=json.dumps(payload).encode(),
        binary=True,
    )
    status, _, body = delivered(handler(event, FakeContext()))
    return status, json.loads(body)


@pytest.fixture(scope="module")
def app(assets: Path) -> Any:
    return build_app(assets)


@pytest.fixture(scope="module")
def handler(app: Any) -> LambdaHandler:
    return make_handler(app)


@pytest.fixture(scope="module", params=["fastapi", "quart"])
def asgi_handler(assets: Path, request: pytest.FixtureRequest) -> LambdaHandler:
    return make_handler(build_app(assets, backend=request.param))


class TestFlaskBackend:
    def test_every_url_on_the_page_works_behind_the_stage(
        self, app: Any, handler: LambdaHandler
    ) -> None:
        status, headers, index = get(handler, "/Prod/", accept=BROWSER_NAVIGATION)
        assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
        urls = page_urls(index)
        assert len(urls) >= 10
        assert [u for u in urls if not u.startswith("/Prod/")] == []
        client = app.server.test_client()
        for url in urls:
            with client.get(url.removeprefix("/Prod")) as direct:
                direct_body = direct.data
            status, headers, body = get(handler, url, accept=BROWSER_IMAGE)
            # Everything the app said reaches the client, but the length the gateway sets itself.
            expected = {
                k.lower(): v
                for k, v in direct.headers.items()
                if k.lower() not in ("content-length", "date")
            }
            assert (
                status,
                {k: v for k, v in headers.items() if k != "date"},
                body,
            ) == (200, expected, direct_body), url

    def test_favicon_is_the_users_icon_byte_for_byte(
        self, handler: LambdaHandler
    ) -> None:
        _, _, index = get(handler, "/Prod/", accept=BROWSER_NAVIGATION)
        (icon,) = [u for u in page_urls(index) if "favicon" in u]
        assert icon.startswith("/Prod/assets/favicon.ico?m=")
        status, headers, body = get(handler, icon, accept=BROWSER_IMAGE)
        assert (status, headers["content-type"], body) == (
            200,
            "image/vnd.microsoft.icon",
            ICO,
        )

    def test_font_round_trips(self, handler: LambdaHandler) -> None:
        status, _, body = get(handler, "/Prod/assets/font.woff2")
        assert (status, body) == (200, WOFF2)

    def test_config_layout_and_dependencies(self, handler: LambdaHandler) -> None:
        _, _, index = get(handler, "/Prod/", accept=BROWSER_NAVIGATION)
        found = re.search(
            rb'<script id="_dash-config" type="application/json">(.*?)</script>',
            index,
            re.S,
        )
        assert found is not None
        config = json.loads(found.group(1))
        assert (config["url_base_pathname"], config["requests_pathname_prefix"]) == (
            None,
            "/Prod/",
        )
        status, _, layout = get(handler, "/Prod/_dash-layout")
        assert (status, json.loads(layout)["props"]["children"][0]["props"]["id"]) == (
            200,
            "name",
        )
        status, _, deps = get(handler, "/Prod/_dash-dependencies")
        assert (status, json.loads(deps)[0]["output"]) == (200, "greeting.children")

    def test_callback(self, handler: LambdaHandler) -> None:
        assert callback(handler) == (
            200,
            {"multi": True, "response": {"greeting": {"children": "Hello, Lambda!"}}},
        )

    def test_same_app_serves_each_prefix_request_by_request(
        self, handler: LambdaHandler
    ) -> None:
        def prefix_of(event: dict[str, Any]) -> str:
            body = delivered(handler(event, FakeContext()))[2].decode()
            return re.search(
                r'"requests_pathname_prefix":"([^"]*)"', body.replace("\\u002f", "/")
            ).group(1)  # type: ignore[union-attr]

        custom = rest_event(path="/", domain="apps.example.com", base_path="/bp")
        url = http_v2_event(path="/", function_url=True)
        stage = rest_event(path="/")
        assert [prefix_of(e) for e in (custom, stage, url, custom)] == [
            "/bp/",
            "/Prod/",
            "/",
            "/bp/",
        ]

    def test_flask_asset_url_for_uses_the_prefix(
        self, app: Any, handler: LambdaHandler
    ) -> None:
        get(handler, "/Prod/_dash-layout")
        assert app.get_asset_url("x.png") == "/Prod/assets/x.png"


def test_app_with_its_own_prefixes_is_respected(assets: Path) -> None:
    # The user story's settings: routes and requests both under the custom domain's base path.
    app = build_app(
        assets, routes_pathname_prefix="/bp/", requests_pathname_prefix="/bp/"
    )
    handler = make_handler(app)
    custom = rest_event(path="/", domain="apps.example.com", base_path="/bp")
    status, _, index = delivered(handler(custom, FakeContext()))
    assert status == 200
    assert all(u.startswith("/bp/") for u in page_urls(index))
    layout = rest_event(
        path="/_dash-layout", domain="apps.example.com", base_path="/bp"
    )
    assert delivered(handler(layout, FakeContext()))[0] == 200


def test_explicit_requests_prefix_is_left_alone(assets: Path) -> None:
    app = build_app(assets, requests_pathname_prefix="/cdn-front/")
    status, _, index = delivered(make_handler(app)(rest_event(path="/"), FakeContext()))
    assert status == 200
    assert all(u.startswith("/cdn-front/") for u in page_urls(index))


def test_routes_prefix_follows_the_stage(assets: Path) -> None:
    app = build_app(assets, url_base_pathname="/app/")
    status, _, index = delivered(
        make_handler(app)(rest_event(path="/app/"), FakeContext())
    )
    assert status == 200
    assert all(u.startswith("/Prod/app/") for u in page_urls(index))


def test_compressed_responses_reach_the_client_intact(assets: Path) -> None:
    app = build_app(assets, compress=True)
    handler = make_handler(app)
    client = app.server.test_client()
    encodings = "gzip, deflate, br, zstd"
    _, headers, index = get(
        handler, "/Prod/", accept=BROWSER_NAVIGATION, **{"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in headers
    script = next(u for u in page_urls(index) if u.endswith(".js"))
    with client.get(
        script.removeprefix("/Prod"), headers={"Accept-Encoding": encodings}
    ) as direct:
        direct_body = direct.data
    status, headers, body = get(handler, script, **{"Accept-Encoding": encodings})
    assert (status, headers["content-encoding"], body) == (
        200,
        direct.headers["Content-Encoding"],
        direct_body,
    )


class TestASGIBackends:
    @pytest.fixture
    def handler(self, asgi_handler: LambdaHandler) -> LambdaHandler:
        return asgi_handler

    def test_every_url_on_the_page_works_behind_the_stage(
        self, handler: LambdaHandler
    ) -> None:
        status, _, index = get(handler, "/Prod/", accept=BROWSER_NAVIGATION)
        urls = page_urls(index)
        assert (
            status,
            len(urls) >= 10,
            [u for u in urls if not u.startswith("/Prod/")],
        ) == (200, True, [])
        for url in urls:
            assert get(handler, url, accept=BROWSER_IMAGE)[0] == 200, url

    def test_favicon_and_callback(self, handler: LambdaHandler) -> None:
        _, _, index = get(handler, "/Prod/", accept=BROWSER_NAVIGATION)
        (icon,) = [u for u in page_urls(index) if "favicon" in u]
        assert get(handler, icon, accept=BROWSER_IMAGE)[2] == ICO
        assert callback(handler, http_v2_event) == (
            200,
            {"multi": True, "response": {"greeting": {"children": "Hello, Lambda!"}}},
        )

    def test_deep_link_is_served_by_the_catch_all(self, handler: LambdaHandler) -> None:
        status, headers, body = get(
            handler, "/Prod/some/page", accept=BROWSER_NAVIGATION
        )
        assert (
            status,
            headers["content-type"].split(";")[0],
            b"_dash-config" in body,
        ) == (200, "text/html", True)


def test_websocket_callbacks_are_reported(
    assets: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app(assets, backend="fastapi", websocket_callbacks=True)
    with caplog.at_level(logging.WARNING, logger="lambdash"):
        make_handler(app, lifespan="off")
    assert [r.getMessage() for r in caplog.records] == [
        "this Dash app uses WebSocket callbacks, which cannot work on Lambda: API Gateway REST and HTTP APIs, "
        "ALB and Function URLs carry request/response HTTP only. Pass websocket_callbacks=False to Dash() and "
        "drop websocket=True from callbacks so they use HTTP."
    ]


def test_context_without_dash_app_variable(
    assets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Should a later Dash drop its app context variable, the handler still gets a clean context.
    monkeypatch.delitem(sys.modules, "dash._get_app")
    context = DashPrefix(build_app(assets)).context()
    assert dict(context) == dict(contextvars.copy_context())


def test_a_second_handler_for_the_same_app_still_follows_the_prefix(
    assets: Path,
) -> None:
    app = build_app(assets)
    first = make_handler(app)
    delivered(first(rest_event(path="/"), FakeContext()))
    second = make_handler(app)
    custom = rest_event(path="/", domain="apps.example.com", base_path="/bp")
    assert all(
        u.startswith("/bp/")
        for u in page_urls(delivered(second(custom, FakeContext()))[2])
    )
