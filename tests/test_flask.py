"""A real Flask app behind every source: URLs, redirects, cookies, sessions and forms."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask import Response
from flask import redirect
from flask import request
from flask import session
from flask import url_for

from lambdash import make_handler
from tests.conftest import FakeContext
from tests.events import SOURCES
from tests.events import Source
from tests.events import delivered
from tests.events import event_for
from tests.events import http_v2_event
from tests.events import rest_event

app = Flask(__name__)
app.secret_key = "test-only-secret"


@app.get("/where/")
def where() -> dict[str, str]:
    return {"relative": url_for("where"), "external": url_for("where", _external=True)}


@app.get("/old")
def old() -> Any:
    return redirect(url_for("where"))


@app.get("/cookies")
def cookies() -> Response:
    response = Response("set")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", path="/reports")
    response.set_cookie("c", "x y", httponly=True)
    return response


@app.get("/echo-cookies")
def echo_cookies() -> dict[str, str]:
    return dict(request.cookies)


@app.post("/login")
def login() -> str:
    session["user"] = request.form["user"]
    return "ok"


@app.get("/me")
def me() -> str:
    return str(session.get("user"))


handler = make_handler(app)


def call(event: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    return delivered(handler(event, FakeContext()))


@pytest.mark.parametrize(
    ("event", "relative", "external"),
    [
        pytest.param(
            rest_event(path="/where/"),
            "/Prod/where/",
            "https://abc123def4.execute-api.eu-west-1.amazonaws.com/Prod/where/",
            id="rest",
        ),
        pytest.param(
            rest_event(path="/where/", domain="apps.example.com", base_path="/tools"),
            "/tools/where/",
            "https://apps.example.com/tools/where/",
            id="custom-domain",
        ),
        pytest.param(
            http_v2_event(path="/where/", stage="beta"),
            "/beta/where/",
            "https://abc123def4.execute-api.eu-west-1.amazonaws.com/beta/where/",
            id="http-stage",
        ),
        pytest.param(
            http_v2_event(path="/where/", function_url=True),
            "/where/",
            "https://abc123.lambda-url.eu-west-1.on.aws/where/",
            id="function-url",
        ),
    ],
)
def test_url_for_includes_the_prefix(
    event: dict[str, Any], relative: str, external: str
) -> None:
    status, _, body = call(event)
    assert (status, body) == (
        200,
        f'{{"external":"{external}","relative":"{relative}"}}\n'.encode(),
    )


def test_redirects_stay_under_the_stage() -> None:
    status, headers, _ = call(rest_event(path="/old"))
    assert (status, dict(headers)["location"]) == (302, "/Prod/where/")


def test_slash_redirect_stays_under_the_stage() -> None:
    status, headers, _ = call(rest_event(path="/where"))
    assert (status, dict(headers)["location"]) == (
        308,
        "https://abc123def4.execute-api.eu-west-1.amazonaws.com/Prod/where/",
    )


@pytest.mark.parametrize("source", [s for s in SOURCES if s != "alb"])
def test_every_cookie_reaches_the_client(source: Source) -> None:
    _, headers, _ = call(event_for(source, path="/cookies"))
    assert sorted(v for k, v in headers if k == "set-cookie") == [
        "a=1; Path=/",
        "b=2; Path=/reports",
        'c="x y"; HttpOnly; Path=/',
    ]


@pytest.mark.parametrize("source", SOURCES)
def test_request_cookies_are_read(source: Source) -> None:
    _, _, body = call(
        event_for(source, path="/echo-cookies", headers=[("Cookie", "a=1; b=2")])
    )
    assert body == b'{"a":"1","b":"2"}\n'


@pytest.mark.parametrize("source", ["rest", "http-v2", "url", "alb-multi"])
def test_session_survives_a_form_login(source: Source) -> None:
    form = event_for(source, method="POST", path="/login", body=b"user=J%C3%BCrgen", binary=source != "rest",
                     headers=[("Content-Type", "application/x-www-form-urlencoded")])  # fmt: skip
    status, headers, _ = call(form)
    (cookie,) = [v.split(";")[0] for k, v in headers if k == "set-cookie"]
    assert status == 200
    assert (
        call(event_for(source, path="/me", headers=[("Cookie", cookie)]))[2]
        == "Jürgen".encode()
    )
