"""lambdash: Dash, WSGI and ASGI apps on AWS Lambda behind every HTTP front door.

Only the standard library is imported here, and little of it: this package ships inside Lambda
zips, and its import time is part of every cold start.
"""

from __future__ import annotations

from lambdash._handler import make_handler as make_handler
from lambdash._types import ENVIRON_CONTEXT as ENVIRON_CONTEXT
from lambdash._types import ENVIRON_EVENT as ENVIRON_EVENT
from lambdash._types import SCOPE_CONTEXT as SCOPE_CONTEXT
from lambdash._types import SCOPE_EVENT as SCOPE_EVENT
from lambdash._types import LambdaHandler as LambdaHandler
from lambdash.exceptions import AppProtocolError as AppProtocolError
from lambdash.exceptions import ConfigurationError as ConfigurationError
from lambdash.exceptions import LambdashError as LambdashError
from lambdash.exceptions import LifespanError as LifespanError
from lambdash.exceptions import MalformedEventError as MalformedEventError
from lambdash.exceptions import UnsupportedEventError as UnsupportedEventError

TYPE_CHECKING = False  # mypy reads it as true
if TYPE_CHECKING:
    from lambdash._protocols import LambdaContext as LambdaContext

__version__ = "0.1.0.dev0"


def __getattr__(name: str) -> object:
    # LambdaContext is a typing.Protocol, and typing would be most of `import lambdash`'s time:
    # it is built when first asked for (PEP 562).
    if name == "LambdaContext":
        from lambdash._protocols import LambdaContext

        return LambdaContext
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), "LambdaContext"} - {"TYPE_CHECKING"})


__all__ = [
    "ENVIRON_CONTEXT",
    "ENVIRON_EVENT",
    "SCOPE_CONTEXT",
    "SCOPE_EVENT",
    "AppProtocolError",
    "ConfigurationError",
    "LambdaContext",
    "LambdaHandler",
    "LambdashError",
    "LifespanError",
    "MalformedEventError",
    "UnsupportedEventError",
    "make_handler",
]
