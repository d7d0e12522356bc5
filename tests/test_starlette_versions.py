"""Starlette and FastAPI releases users still run, each served behind a REST API stage.

Starlette below 0.33 (FastAPI up to 0.108) routes on ``scope["path"]`` as it is, and 0.33 and 0.34
build ``request.url`` from ``root_path + path``; from 0.35 on, ``path`` includes ``root_path``, as
the ASGI spec says. Each release is installed for real (``pip install --target``, cached under
the worktree's ``.venv``) and runs in its own interpreter with that directory first on
``sys.path``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import starlette

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".venv" / "lambdash-test-packages"
HOST = "abc123def4.execute-api.eu-west-1.amazonaws.com"

SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1]) if sys.argv[1] else None
from lambdash import make_handler
from tests.events import rest_event

kind = sys.argv[2]
if kind == "plain":
    # No Starlette loaded at all.
    async def app(scope, receive, send):
        body = json.dumps({"path": scope["path"], "root_path": scope["root_path"]}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
    version = file = None
else:
    import starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse

    async def item(request: Request):
        return JSONResponse({"name": request.path_params["name"], "url": str(request.url),
                             "url_for": str(request.url_for("item", name="x")),
                             "root_path": request.scope["root_path"]})

    async def products(request: Request):
        return PlainTextResponse("products")

    if kind == "fastapi":
        import fastapi
        app = fastapi.FastAPI()
        app.add_api_route("/items/{name}", item, name="item")
        app.add_api_route("/Products", products)
    else:
        from starlette.applications import Starlette
        from starlette.routing import Route
        app = Starlette(routes=[Route("/items/{name}", item, name="item"),
                                Route("/Products", products)])
    if kind == "wrapped":
        # An ASGI function around the app: lambdash cannot tell whose routes it has.
        inner = app
        async def app(scope, receive, send):
            await inner(scope, receive, send)
    version, file = starlette.__version__, starlette.__file__
handler = make_handler(app, lifespan="off")
results = [handler(rest_event(path=path), None) for path in ("/items/a", "/Products")]
print(json.dumps({"starlette": version, "file": file, "results": results}))
"""


def _installed(requirements: tuple[str, ...]) -> Path:
    """A directory holding *requirements*, installed once with pip and kept between runs."""
    target = CACHE / "-".join(requirements)
    if target.is_dir():
        return target
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    # The venv's anyio, pydantic and typing-extensions serve every release tried here.
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
               "--disable-pip-version-check", "--target", str(partial), *requirements]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail(f"pip took over 300 s to install {' '.join(requirements)}")
    if done.returncode != 0:
        pytest.fail(
            f"pip could not install {' '.join(requirements)} (exit {done.returncode}); this "
            f"test needs PyPI or a mirror:\n{done.stderr}"
        )
    try:
        partial.rename(target)
    except OSError:  # another run put it there first
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _serve(packages: Path | None, kind: str) -> tuple[dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(packages or ""), kind],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout)
    return seen, done.stderr


def _results(body: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "statusCode": 200,
            "multiValueHeaders": {"content-type": ["application/json"]},
            "body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
            "isBase64Encoded": False,
        },
        {
            "statusCode": 200,
            "multiValueHeaders": {"content-type": ["text/plain; charset=utf-8"]},
            "body": "products",
            "isBase64Encoded": False,
        },
    ]


EXPECTED = _results(
    {
        "name": "a",
        "url": f"https://{HOST}/Prod/items/a",
        "url_for": f"https://{HOST}/Prod/items/x",
        "root_path": "/Prod",
    }
)


@pytest.mark.parametrize(
    ("requirements", "kind", "version"),
    [
        pytest.param(
            ("starlette==0.29.0",), "starlette", "0.29.0", id="starlette-0.29"
        ),
        pytest.param(
            ("starlette==0.32.0",), "starlette", "0.32.0", id="starlette-0.32"
        ),
        pytest.param(
            ("starlette==0.33.0",), "starlette", "0.33.0", id="starlette-0.33"
        ),
        pytest.param(
            ("starlette==0.34.0",), "starlette", "0.34.0", id="starlette-0.34"
        ),
        pytest.param(
            ("fastapi==0.108.0", "starlette==0.32.0"),
            "fastapi",
            "0.32.0",
            id="fastapi-0.108",
        ),
        pytest.param((), "starlette", starlette.__version__, id="starlette-current"),
        pytest.param((), "fastapi", starlette.__version__, id="fastapi-current"),
    ],
)
def test_routes_and_urls_behind_a_stage(
    requirements: tuple[str, ...], kind: str, version: str
) -> None:
    packages = _installed(requirements) if requirements else None
    seen, stderr = _serve(packages, kind)
    where: Callable[[str], bool] = (
        (lambda file: file.startswith(str(packages)))
        if packages
        else (lambda file: True)
    )
    assert (seen["starlette"], where(seen["file"])) == (version, True)
    assert (seen["results"], stderr) == (EXPECTED, "")


def test_an_app_it_cannot_tell_gets_a_warning() -> None:
    packages = _installed(("starlette==0.32.0",))
    seen, stderr = _serve(packages, "wrapped")
    assert (seen["starlette"], [r["statusCode"] for r in seen["results"]]) == (
        "0.32.0",
        [404, 404],
    )
    assert stderr == (
        "Starlette 0.32.0 is loaded, but the ASGI app (function) is not a Starlette or FastAPI "
        "object, so it gets scope['path'] with root_path in it, as the ASGI spec says; if it routes "
        "with that Starlette, its routes (below 0.33) or its request.url (0.33, 0.34) break behind "
        "a stage or base path. Pass the Starlette or FastAPI app itself to make_handler, or "
        "upgrade to Starlette 0.35 (FastAPI 0.109) or later.\n"
    )


def test_an_app_without_starlette_gets_the_spec_scope() -> None:
    seen, stderr = _serve(None, "plain")
    assert (seen["results"][0]["body"], stderr) == (
        '{"path": "/Prod/items/a", "root_path": "/Prod"}',
        "",
    )
