"""The socket-free gateway: HTTP request in, event out, function run, HTTP response back."""

from __future__ import annotations

import json
import logging
from typing import Protocol

from lambdash.local._events import build_event
from lambdash.local._model import GatewayConfig
from lambdash.local._model import HTTPRequest
from lambdash.local._model import HTTPResponse
from lambdash.local._model import json_response
from lambdash.local._results import MalformedResult
from lambdash.local._results import function_error
from lambdash.local._results import to_http
from lambdash.local._workers import Invocation

__all__ = ["Function", "LocalGateway"]

logger = logging.getLogger("lambdash.local")

# API Gateway payloads: 10 MB (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
GATEWAY_PAYLOAD_LIMIT = 10 * 1024 * 1024
# ALB to Lambda: 1 MB each way (ALB lambda-functions.html).
ALB_PAYLOAD_LIMIT = 1024 * 1024
# Lambda's synchronous invocation limits: 6 MB of event, 6 MB (+100 bytes) of result (spec §6).
LAMBDA_REQUEST_LIMIT = 6_291_456
LAMBDA_RESPONSE_LIMIT = 6_291_556


class Function(Protocol):
    """Whatever runs the function: the worker pool, or a stand-in in unit tests."""

    def invoke(
        self, event_json: str, *, gateway_timeout: float | None = None
    ) -> Invocation: ...


class LocalGateway:
    """One API in front of one function, answering as AWS would."""

    def __init__(self, config: GatewayConfig, function: Function) -> None:
        self.config = config
        self.function = function

    def handle(self, request: HTTPRequest) -> HTTPResponse:
        """The response for *request*; gateway errors carry their ``reason`` and are logged."""
        response = self._handle(request)
        if response.reason:
            logger.warning(
                "%s %s -> %d: %s",
                request.method,
                request.target,
                response.status,
                response.reason,
            )
        return response

    def _handle(self, request: HTTPRequest) -> HTTPResponse:
        config = self.config
        limit = ALB_PAYLOAD_LIMIT if config.gateway == "alb" else GATEWAY_PAYLOAD_LIMIT
        if len(request.body) > limit:
            return json_response(
                413,
                "Request Too Long",
                reason=f"the request body is {len(request.body):,} bytes, over the {limit:,}-byte limit",
            )
        event = build_event(config, request)
        if isinstance(event, HTTPResponse):
            return event
        event_json = json.dumps(event)
        if len(event_json.encode()) > LAMBDA_REQUEST_LIMIT:
            reason = f"the event is {len(event_json):,} bytes, over Lambda's {LAMBDA_REQUEST_LIMIT:,}-byte request limit"
            if config.gateway in ("alb", "url"):
                return json_response(413, "Request Too Long", reason=reason)
            # Lambda refuses the invocation itself, which API Gateway reports as 500 (§6.1).
            return function_error(config, reason, status=500)
        outcome = self.function.invoke(
            event_json, gateway_timeout=config.gateway_timeout
        )
        if outcome.gateway_timed_out:
            return json_response(
                504, "Endpoint request timed out", reason=outcome.error or ""
            )
        if outcome.payload is None:
            return function_error(config, f"the function failed: {outcome.error}")
        size = len(outcome.payload.encode())
        result_limit = (
            ALB_PAYLOAD_LIMIT if config.gateway == "alb" else LAMBDA_RESPONSE_LIMIT
        )
        if size > result_limit:
            which = "ALB's" if config.gateway == "alb" else "Lambda's"
            return function_error(
                config,
                f"the response is {size:,} bytes, over {which} {result_limit:,}-byte limit (Function.ResponseSizeTooLarge)",
            )
        try:
            response = to_http(config, request, outcome.payload)
        except MalformedResult as exc:
            return function_error(
                config, f"Malformed Lambda proxy response: {exc}", status=exc.status
            )
        return response
