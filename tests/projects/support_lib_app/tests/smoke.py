"""The app's own tests, which lambdash build leaves out of the package (a top-level tests/)."""

from __future__ import annotations


def check_greeting() -> None:
    """Named so that lambdash's own pytest run does not collect it."""
