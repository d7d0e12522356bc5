"""How a build tells its caller what it is doing, without printing anything itself."""

from __future__ import annotations

from typing import Protocol

__all__ = ["NullProgress", "Progress"]


class Progress(Protocol):
    """Receives a build's steps as they happen; the CLI draws them, a library caller may not."""

    def step(self, title: str) -> None:
        """A step begins, such as ``"pip install"``."""

    def output(self, line: str) -> None:
        """A line of the current step's output (pip's, as it runs)."""

    def done(self, summary: str) -> None:
        """The current step ended; *summary* says what it did."""


class NullProgress:
    """A :class:`Progress` that ignores everything."""

    def step(self, title: str) -> None:
        """Ignore the step."""

    def output(self, line: str) -> None:
        """Ignore the line."""

    def done(self, summary: str) -> None:
        """Ignore the summary."""
