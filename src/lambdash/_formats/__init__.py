"""Event formats: one module per event source, each with ``parse`` and ``render``.

:func:`detect` tells them apart from the event itself, in this order:

1. ``requestContext.elb`` present: ALB (lambda-functions.html).
2. ``version == "2.0"``: HTTP API payload 2.0 or a Function URL.
3. ``version == "1.0"``, or ``httpMethod`` with a ``requestContext``: HTTP API payload 1.0 or a
   REST API proxy event, which carries no ``version`` (aws/aws-lambda-go PR #280).
"""

from __future__ import annotations

from lambdash._formats import alb
from lambdash._formats import apigw_v1
from lambdash._formats import apigw_v2
from lambdash._message import Request
from lambdash.exceptions import UnsupportedEventError

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["ALB", "HTTP_V2", "REST_V1", "EventFormat", "detect"]

# Lambda's synchronous response payload limit is 6 MB of serialised JSON, 6,291,556 bytes
# measured (https://zaccharles.medium.com/deep-dive-lambdas-response-payload-size-limit-8aedba9530ed).
LAMBDA_RESPONSE_LIMIT = 6_291_556
# An ALB takes at most 1 MB of response JSON from a Lambda target (lambda-functions.html).
ALB_RESPONSE_LIMIT = 1_048_576


class EventFormat:
    """One event source: how to read its events and write its results."""

    __slots__ = ("limit", "name", "parse", "render", "rest")

    def __init__(
        self,
        *,
        name: str,
        parse: Callable[..., Request],
        render: Callable[..., dict[str, Any]],
        limit: int,
        rest: bool = False,
    ) -> None:
        self.name = name
        self.parse = parse
        self.render = render
        self.limit = limit
        self.rest = rest

    def __repr__(self) -> str:
        return f"EventFormat({self.name!r})"


REST_V1 = EventFormat(
    name="apigw-v1",
    parse=apigw_v1.parse,
    render=apigw_v1.render,
    limit=LAMBDA_RESPONSE_LIMIT,
    rest=True,
)
HTTP_V2 = EventFormat(
    name="apigw-v2",
    parse=apigw_v2.parse,
    render=apigw_v2.render,
    limit=LAMBDA_RESPONSE_LIMIT,
)
ALB = EventFormat(
    name="alb", parse=alb.parse, render=alb.render, limit=ALB_RESPONSE_LIMIT
)


def detect(event: Any) -> EventFormat:
    """The format of *event*, or :class:`UnsupportedEventError` naming what was seen."""
    if not isinstance(event, dict):
        msg = (
            f"lambdash handles HTTP events from API Gateway, ALB and Function URLs, which are "
            f"JSON objects; this event is a {type(event).__name__}"
        )
        raise UnsupportedEventError(msg)
    context = event.get("requestContext")
    if isinstance(context, dict) and "elb" in context:
        return ALB
    version = event.get("version")
    if version == "2.0":
        return HTTP_V2
    if version == "1.0" or ("httpMethod" in event and isinstance(context, dict)):
        return REST_V1
    keys = ", ".join(repr(key) for key in sorted(event)[:12]) or "none"
    msg = (
        f"lambdash cannot handle this event: it is not an API Gateway (REST or HTTP API), ALB or "
        f"Function URL HTTP event (version {version!r}, top-level keys: {keys}). Invoke this "
        f"handler only from an HTTP front door, or route other events to another function."
    )
    raise UnsupportedEventError(msg)
