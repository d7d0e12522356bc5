"""Lambda handlers that misbehave the ways real functions do."""

from __future__ import annotations

import os
import time
from typing import Any

STARTED = time.time()


def ok(event: dict[str, Any], context: Any) -> dict[str, Any]:
    remaining = context.get_remaining_time_in_millis()
    body = f"{context.function_name} {context.memory_limit_in_mb} {0 < remaining <= 5000} {os.environ['AWS_LAMBDA_FUNCTION_NAME']}"
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": body}


def pid(event: dict[str, Any], context: Any) -> dict[str, Any]:
    time.sleep(float((event.get("queryStringParameters") or {}).get("sleep", "0")))
    return {"statusCode": 200, "body": str(os.getpid())}


def crash(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if (event.get("queryStringParameters") or {}).get("crash"):
        os._exit(3)
    return {"statusCode": 200, "body": str(os.getpid())}


def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    time.sleep(30)
    return {"statusCode": 200, "body": "late"}


def not_json(event: dict[str, Any], context: Any) -> Any:
    return {"statusCode": 200, "body": b"bytes are not JSON"}


def raises(event: dict[str, Any], context: Any) -> Any:
    msg = "the function broke"
    raise ValueError(msg)


def ambiguous(a: Any, b: Any) -> Any:
    return None
