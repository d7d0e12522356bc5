"""lambdash: Dash, WSGI and ASGI apps on AWS Lambda behind every HTTP front door.

Only the standard library is imported here: this package ships inside Lambda zips.
"""

from __future__ import annotations

from lambdash._handler import make_handler as make_handler
from lambdash._types import ENVIRON_CONTEXT as ENVIRON_CONTEXT
from lambdash._types import ENVIRON_EVENT as ENVIRON_EVENT
from lambdash._types import SCOPE_CONTEXT as SCOPE_CONTEXT
from lambdash._types import SCOPE_EVENT as SCOPE_EVENT
from lambdash._types import LambdaContext as LambdaContext
from lambdash._types import LambdaHandler as LambdaHandler
from lambdash.exceptions import AppProtocolError as AppProtocolError
from lambdash.exceptions import ConfigurationError as ConfigurationError
from lambdash.exceptions import LambdashError as LambdashError
from lambdash.exceptions import LifespanError as LifespanError
from lambdash.exceptions import MalformedEventError as MalformedEventError
from lambdash.exceptions import ResponseTooLargeError as ResponseTooLargeError
from lambdash.exceptions import UnsupportedEventError as UnsupportedEventError

__version__ = "0.1.0.dev0"

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
    "ResponseTooLargeError",
    "UnsupportedEventError",
    "make_handler",
]
