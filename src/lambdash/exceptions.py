"""The exceptions lambdash raises.

::

    LambdashError
     +-- ConfigurationError     an option passed to make_handler is not accepted
     +-- UnsupportedEventError  the event is not one of the HTTP events lambdash knows
     +-- MalformedEventError    the event has a known shape but a broken field
     +-- AppProtocolError       the app broke the WSGI or ASGI protocol
     +-- LifespanError          the ASGI app's lifespan startup failed, or a closed handler was called
"""

from __future__ import annotations

__all__ = [
    "AppProtocolError",
    "ConfigurationError",
    "LambdashError",
    "LifespanError",
    "MalformedEventError",
    "UnsupportedEventError",
]


class LambdashError(Exception):
    """Base class of every exception lambdash raises on purpose."""


class ConfigurationError(LambdashError, ValueError):
    """Raised by :func:`lambdash.make_handler` for an unknown option value."""


class UnsupportedEventError(LambdashError, ValueError):
    """Raised when the event is not an API Gateway, ALB or Function URL HTTP event."""


class MalformedEventError(LambdashError, ValueError):
    """Raised when a recognised event has a field of the wrong type or value."""


class AppProtocolError(LambdashError, RuntimeError):
    """Raised when the app breaks PEP 3333 or the ASGI HTTP protocol."""


class LifespanError(LambdashError, RuntimeError):
    """Raised when ASGI lifespan startup fails and the lifespan mode is ``"on"``, or when a
    handler is called after its ``close()``."""
