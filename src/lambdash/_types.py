"""Type aliases and option values shared by the runtime modules.

The aliases are strings at run time, or exist for mypy only (under TYPE_CHECKING), so that
nothing here imports typing.
"""

from __future__ import annotations

# Only mypy reads the typing names (it takes any name TYPE_CHECKING as true): importing typing
# would be most of a fresh `import lambdash` (benchmarks/imports.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable
    from collections.abc import Callable
    from collections.abc import MutableMapping
    from typing import Any
    from typing import Literal
    from typing import TypeAlias

__all__ = [
    "ENVIRON_CONTEXT",
    "ENVIRON_EVENT",
    "ERROR_POLICIES",
    "INTERFACES",
    "LIFESPAN_MODES",
    "SCOPE_CONTEXT",
    "SCOPE_EVENT",
    "ASGIApp",
    "Event",
    "LambdaHandler",
    "Message",
    "Receive",
    "Result",
    "Scope",
    "Send",
]

# Where apps find the raw event and context: namespaced WSGI environ keys, and in the ASGI scope
# the keys mangum uses, so that apps written for it keep working.
ENVIRON_EVENT = "lambdash.event"
ENVIRON_CONTEXT = "lambdash.context"
SCOPE_EVENT = "aws.event"
SCOPE_CONTEXT = "aws.context"

Event: TypeAlias = "dict[str, Any]"
"""A Lambda event as the runtime passes it: decoded JSON."""

Result: TypeAlias = "dict[str, Any]"
"""A Lambda result that the runtime serialises to JSON."""

Scope: TypeAlias = "MutableMapping[str, Any]"
Message: TypeAlias = "MutableMapping[str, Any]"
Receive: TypeAlias = "Callable[[], Awaitable[Message]]"
Send: TypeAlias = "Callable[[Message], Awaitable[None]]"
ASGIApp: TypeAlias = "Callable[[Scope, Receive, Send], Awaitable[None]]"

# The option values make_handler accepts, at run time; the Literal aliases below say the same to
# mypy (tests/test_message.py checks that they agree).
ERROR_POLICIES = ("raise", "respond")
LIFESPAN_MODES = ("auto", "on", "off")
INTERFACES = ("auto", "wsgi", "asgi")

if TYPE_CHECKING:
    ErrorPolicy: TypeAlias = Literal["raise", "respond"]
    """``"raise"`` re-raises app exceptions to Lambda; ``"respond"`` answers 500."""

    LifespanMode: TypeAlias = Literal["auto", "on", "off"]
    """``"auto"`` runs ASGI lifespan if the app supports it, ``"on"`` requires it, ``"off"`` skips it."""

    Interface: TypeAlias = Literal["auto", "wsgi", "asgi"]
    """How to call the app; ``"auto"`` detects it."""


LambdaHandler: TypeAlias = "Callable[[Event, Any], Result]"
"""A Lambda handler: ``handler(event, context) -> result``."""

if TYPE_CHECKING:
    from typing import Protocol

    class ClosableHandler(Protocol):
        """What make_handler returns: a Lambda handler with ``close()``."""

        def __call__(self, event: Event, context: Any, /) -> Result: ...

        def close(self) -> None:
            """Run the app's shutdown, once; the handler serves no more requests after it."""
