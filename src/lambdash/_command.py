"""What every ``lambdash`` subcommand shares (dev-time only: ``import lambdash`` never loads it)."""

from __future__ import annotations

import argparse
from typing import Protocol

from lambdash.exceptions import LambdashError

__all__ = ["Command", "CommandError"]


class CommandError(LambdashError):
    """A failure the CLI reports as ``error: <message>``, then ``hint: <hint>`` when there is one.

    *details*, when given, is printed before them: the app's own traceback, say.
    """

    def __init__(self, message: str, hint: str = "", *, details: str = "") -> None:
        super().__init__(message)
        self.hint = hint
        self.details = details


class Command(Protocol):
    """A subcommand module: its help, its arguments, and what it does.

    Heavy imports belong inside ``run``, so that ``lambdash --help`` stays fast.
    """

    HELP: str
    DESCRIPTION: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...
