"""SnapStart hooks: the first-request work happens before the snapshot, renewal after restore."""

from __future__ import annotations

import logging
import random
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
import numpy
import pytest
from dash import html

from lambdash import make_handler
from lambdash.snapstart import register
from tests.conftest import FakeContext
from tests.events import delivered
from tests.events import rest_event


class Runtime:
    """``snapshot_restore_py`` as the Lambda runtime provides it: two registration functions.

    The runtime runs before-snapshot hooks in reverse order of registration and after-restore
    hooks in order (snapstart-runtime-hooks-python.html).
    """

    def __init__(self) -> None:
        self.before: list[Callable[[], object]] = []
        self.after: list[Callable[[], object]] = []

    def module(self) -> types.ModuleType:
        module = types.ModuleType("snapshot_restore_py")
        module.register_before_snapshot = self.before.append  # type: ignore[attr-defined]
        module.register_after_restore = self.after.append  # type: ignore[attr-defined]
        return module

    def snapshot(self) -> None:
        for hook in reversed(self.before):
            hook()

    def restore(self) -> None:
        for hook in self.after:
            hook()


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Runtime:
    runtime = Runtime()
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime.module())
    return runtime


def counting_dash_app(tmp_path: Path) -> tuple[Any, dict[str, int]]:
    counts = {"layout": 0, "assets": 0}
    (tmp_path / "style.css").write_text("body { margin: 0 }")
    app = dash.Dash(__name__, assets_folder=str(tmp_path))

    def layout() -> html.Div:
        counts["layout"] += 1
        return html.Div("snap")

    app.layout = layout
    walk: Callable[[], None] = app._walk_assets_directory

    def counted_walk() -> None:
        counts["assets"] += 1
        walk()

    setattr(app, "_walk_assets_directory", counted_walk)  # noqa: B010
    return app, counts


def test_first_request_after_restore_does_no_setup_work(
    runtime: Runtime, tmp_path: Path
) -> None:
    app, counts = counting_dash_app(tmp_path)
    handler = register(make_handler(app))
    made = dict(counts)  # Dash calls a layout function once when it is assigned.
    assert (len(runtime.before), len(runtime.after), made["assets"]) == (1, 1, 0)
    runtime.snapshot()
    # The page, the layout and the dependencies were served: setup ran once, the layout twice.
    warmed = dict(counts)
    assert warmed == {"layout": made["layout"] + 2, "assets": 1}
    runtime.restore()
    modules = set(sys.modules)
    status, _, body = delivered(handler(rest_event(path="/"), FakeContext()))
    assert (status, b"_dash-config" in body, counts, set(sys.modules) - modules) == (
        200,
        True,
        warmed,
        set(),
    )


def test_restore_reseeds_and_renews(runtime: Runtime, tmp_path: Path) -> None:
    renewed: list[str] = []
    register(
        make_handler(counting_dash_app(tmp_path)[0]),
        after_restore=[lambda: renewed.append("db"), lambda: renewed.append("cache")],
    )
    random.seed(7)
    numpy.random.seed(7)
    expected = (random.random(), numpy.random.random())
    random.seed(7)
    numpy.random.seed(7)
    runtime.restore()
    assert (random.random(), numpy.random.random()) != expected
    assert renewed == ["db", "cache"]


def test_a_failing_warm_up_is_logged_and_the_snapshot_goes_on(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[int] = []

    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(context.get_remaining_time_in_millis())
        msg = "database unreachable"
        raise RuntimeError(msg)

    register(broken, paths=["/", "/health"])
    with caplog.at_level(logging.ERROR, logger="lambdash"):
        runtime.snapshot()
    assert [r.getMessage() for r in caplog.records] == [
        "SnapStart warm-up of / failed; the snapshot is taken anyway",
        "SnapStart warm-up of /health failed; the snapshot is taken anyway",
    ]
    assert seen == [60_000, 60_000]


def test_restore_without_numpy_loaded(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(make_handler(counting_dash_app(tmp_path)[0]))
    monkeypatch.delitem(sys.modules, "numpy.random")
    random.seed(7)
    expected = random.random()
    random.seed(7)
    runtime.restore()
    assert random.random() != expected


def test_without_the_runtime_package_nothing_is_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)
    handler = make_handler(dash.Dash(__name__))
    assert register(handler) is handler
