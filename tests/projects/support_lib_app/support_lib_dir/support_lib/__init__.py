"""The support library: HTML-escapes through its own dependency, markupsafe."""

from __future__ import annotations

from markupsafe import escape


def greeting() -> str:
    """An escaped greeting, proving markupsafe came along."""
    return str(escape("<hello from support_lib>"))
