"""Telling Lambda handlers from apps, and the errors for targets that cannot be served."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdash.local import Target
from lambdash.local import TargetError
from lambdash.local._target import load
from tests.conftest import FakeContext
from tests.events import delivered
from tests.events import rest_event

APPS = str(Path(__file__).parent / "apps")


@pytest.mark.parametrize(
    ("spec", "body"),
    [
        pytest.param("kinds:flask_app", None, id="flask"),
        pytest.param("kinds:wsgi_function", b"wsgi", id="wsgi-function"),
        pytest.param("kinds:handler", b"handler", id="handler"),
        pytest.param("kinds:underscored", b"underscored", id="underscored-handler"),
        pytest.param("kinds:asgi_function", b"asgi", id="asgi-function"),
        pytest.param("kinds:Nested.handler", b"handler", id="dotted-attribute"),
    ],
)
def test_auto_detection(spec: str, body: bytes | None) -> None:
    status, _, received = delivered(
        load(Target(spec=spec, code_dir=APPS))(rest_event(), FakeContext())
    )
    # The Flask app has no routes: its 404 shows it was called as an app.
    assert (status, received if body else None) == (
        (404, None) if body is None else (200, body)
    )


def test_explicit_kind_skips_detection() -> None:
    handler = load(Target(spec="handlers:ambiguous", kind="handler", code_dir=APPS))
    assert handler({}, None) is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param(
            "kinds",
            "APP 'kinds' has no ':attribute': APP is module:attribute, the module and the app in it",
            id="no-colon",
        ),
        pytest.param(
            ":app",
            "APP ':app' is not module:attribute",
            id="no-module",
        ),
        pytest.param(
            "kinds:missing",
            "module 'kinds' has no attribute 'missing'",
            id="no-attribute",
        ),
        pytest.param(
            "nowhere:app",
            f"no module named 'nowhere' in {APPS}",
            id="no-module-file",
        ),
    ],
)
def test_target_errors(spec: str, message: str) -> None:
    with pytest.raises(TargetError) as raised:
        load(Target(spec=spec, code_dir=APPS))
    assert str(raised.value) == message


def test_handler_property() -> None:
    assert Target.from_handler_property(
        "pkg.app.lambda_handler", code_dir="src", binary_media_types=("*/*",)
    ) == Target(spec="pkg.app:lambda_handler", kind="handler", code_dir="src")
    with pytest.raises(
        TargetError,
        match=r"^the template's Handler 'lambda_handler' must look like 'module.function'$",
    ):
        Target.from_handler_property(
            "lambda_handler", code_dir=".", binary_media_types=()
        )
