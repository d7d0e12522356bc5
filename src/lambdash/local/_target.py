"""What the gateway runs: a ``module:attribute`` that names a Lambda handler or an app."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any
from typing import Literal
from typing import TypeAlias

from lambdash._dash import is_dash
from lambdash._handler import make_handler
from lambdash.local._importing import TargetError as TargetError
from lambdash.local._importing import import_object as import_object

__all__ = ["Kind", "Target", "TargetError", "import_object", "load"]

Kind: TypeAlias = Literal["auto", "handler", "app"]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """A function to serve.

    :param spec: ``module:attribute``, as for gunicorn and uvicorn, or the template's
        ``Handler`` (``package.module.function``, always a Lambda handler).
    :param kind: ``"handler"`` for a Lambda handler, ``"app"`` for a Dash, WSGI or ASGI app, or
        ``"auto"`` to tell them apart.
    :param code_dir: the directory the code is imported from (the template's ``CodeUri``).
    :param binary_media_types: the API's BinaryMediaTypes, passed on to a wrapped app.
    """

    spec: str
    kind: Kind = "auto"
    code_dir: str = "."
    binary_media_types: tuple[str, ...] = ("*/*",)

    @classmethod
    def from_handler_property(
        cls, handler: str, *, code_dir: str, binary_media_types: tuple[str, ...]
    ) -> Target:
        """The target a SAM ``Handler: app.lambda_handler`` property names."""
        module, _, function = handler.rpartition(".")
        if not module:
            msg = f"the template's Handler {handler!r} must look like 'module.function'"
            raise TargetError(msg)
        return cls(
            spec=f"{module}:{function}",
            kind="handler",
            code_dir=code_dir,
            binary_media_types=binary_media_types,
        )


def _kind_of(obj: Any, spec: str) -> Literal["handler", "app"]:
    if is_dash(obj) or not inspect.isroutine(obj):
        # Dash apps, Flask and Starlette apps, and other callable objects are apps.
        return "app"
    if inspect.iscoroutinefunction(obj):
        return "app"
    names = [p.name for p in inspect.signature(obj).parameters.values()][:2]
    if names[:1] == ["environ"] or names[1:2] == ["start_response"]:
        return "app"
    if names[:1] in (["event"], ["_event"], ["evt"]) or names[1:2] in (
        ["context"],
        ["_context"],
        ["ctx"],
    ):
        return "handler"
    msg = (
        f"cannot tell whether {spec!r} is a Lambda handler (event, context) or a WSGI app "
        f"(environ, start_response); pass --handler if it is a Lambda handler, or --app if it is an app"
    )
    raise TargetError(msg)


def load(target: Target) -> Callable[[dict[str, Any], Any], Any]:
    """Import *target* and return a Lambda handler for it; apps are wrapped with make_handler."""
    obj = import_object(target.spec, target.code_dir)
    kind = _kind_of(obj, target.spec) if target.kind == "auto" else target.kind
    if kind == "handler":
        handler: Callable[[dict[str, Any], Any], Any] = obj
        return handler
    return make_handler(obj, rest_binary_media_types=target.binary_media_types)
