"""Type aliases and protocols shared by the runtime modules."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import MutableMapping
from typing import Any
from typing import Literal
from typing import Protocol
from typing import TypeAlias

__all__ = [
    "ENVIRON_CONTEXT",
    "ENVIRON_EVENT",
    "SCOPE_CONTEXT",
    "SCOPE_EVENT",
    "ASGIApp",
    "ErrorPolicy",
    "Event",
    "Interface",
    "LambdaContext",
    "LambdaHandler",
    "LifespanMode",
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

ErrorPolicy: TypeAlias = Literal["raise", "respond"]
"""``"raise"`` re-raises app exceptions to Lambda; ``"respond"`` answers 500."""

LifespanMode: TypeAlias = Literal["auto", "on", "off"]
"""``"auto"`` runs ASGI lifespan if the app supports it, ``"on"`` requires it, ``"off"`` skips it."""

Interface: TypeAlias = Literal["auto", "wsgi", "asgi"]
"""How to call the app; ``"auto"`` detects it."""


class LambdaContext(Protocol):
    """The parts of Lambda's context object that lambdash reads."""

    aws_request_id: str


LambdaHandler: TypeAlias = "Callable[[Event, Any], Result]"
"""A Lambda handler: ``handler(event, context) -> result``."""
