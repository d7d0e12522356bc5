"""Protocols that exist at run time, built on first use: they need the typing module."""

from __future__ import annotations

from typing import Protocol

__all__ = ["LambdaContext"]


class LambdaContext(Protocol):
    """The parts of Lambda's context object that lambdash reads."""

    aws_request_id: str
