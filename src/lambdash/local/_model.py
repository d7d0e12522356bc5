"""The gateway's configuration and its HTTP values, free of sockets."""

from __future__ import annotations

import dataclasses
from typing import Literal
from typing import TypeAlias

__all__ = ["Gateway", "GatewayConfig", "HTTPRequest", "HTTPResponse", "json_response"]

Gateway: TypeAlias = Literal["rest", "http", "alb", "url"]
GATEWAYS: tuple[Gateway, ...] = ("rest", "http", "alb", "url")

# Integration timeouts: REST APIs give up after 29 s by default, HTTP APIs after 30 s
# (API Gateway quotas, https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
# ALBs and Function URLs wait as long as the function's own timeout.
INTEGRATION_TIMEOUTS: dict[Gateway, float | None] = {
    "rest": 29.0,
    "http": 30.0,
    "alb": None,
    "url": None,
}


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class GatewayConfig:
    """What the local gateway emulates; the defaults are what ``lambdash init`` deploys.

    :param gateway: ``"rest"``, ``"http"``, ``"alb"`` or ``"url"`` (a Function URL).
    :param stage: the stage in the URL; ``None`` means ``Prod`` on REST and ``$default`` on HTTP.
    :param base_path: a custom domain's base path mapping (``"/dash"``), which replaces the stage.
    :param binary_media_types: the REST API's ``BinaryMediaTypes``.
    :param root_route: whether the API routes ``/``.
    :param proxy_route: whether the API routes ``/{proxy+}``.
    :param multi_value_headers: the ALB target group's ``lambda.multi_value_headers.enabled``.
    :param timeout: the function's ``Timeout`` in seconds.
    :param memory_size: the function's ``MemorySize`` in MB.
    :param integration_timeout: seconds before the gateway answers 504; ``None`` for its default.
    :param workers: how many function instances may run at once.
    """

    gateway: Gateway = "rest"
    stage: str | None = None
    base_path: str = ""
    binary_media_types: tuple[str, ...] = ("*/*",)
    root_route: bool = True
    proxy_route: bool = True
    multi_value_headers: bool = False
    timeout: float = 30.0
    memory_size: int = 512
    integration_timeout: float | None = None
    workers: int = 4

    @property
    def stage_name(self) -> str:
        """The stage, with its per-gateway default."""
        if self.stage is not None:
            return self.stage
        return "Prod" if self.gateway == "rest" else "$default"

    @property
    def url_prefix(self) -> str:
        """The path in front of the app's routes: the base path, or else a named stage."""
        if self.base_path:
            return "/" + self.base_path.strip("/")
        if self.gateway in ("rest", "http") and self.stage_name != "$default":
            return "/" + self.stage_name
        return ""

    @property
    def gateway_timeout(self) -> float | None:
        """The integration timeout in force."""
        if self.integration_timeout is not None:
            return self.integration_timeout
        return INTEGRATION_TIMEOUTS[self.gateway]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class HTTPRequest:
    """A request as the client sent it: ``target`` is the raw path and query string."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    scheme: str = "http"
    port: int = 80


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class HTTPResponse:
    """A response as the client receives it; ``reason`` explains a gateway error for the log."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    reason: str = ""


def json_response(
    status: int, message: str, *, key: str = "message", reason: str = ""
) -> HTTPResponse:
    """An error in API Gateway's style: ``{"message": "..."}`` as JSON."""
    body = ('{"%s":"%s"}' % (key, message)).encode()  # noqa: UP031
    return HTTPResponse(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=body,
        reason=reason,
    )
