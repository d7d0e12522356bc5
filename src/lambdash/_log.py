"""The ``lambdash`` logger, imported on first use.

``logging`` (with ``re``, ``traceback`` and ``threading`` behind it) is most of what a fresh
``import lambdash`` would cost, and a request that goes well logs nothing. The Lambda runtime
imports it anyway, so on Lambda the first call costs nothing either.
"""

from __future__ import annotations

TYPE_CHECKING = False  # mypy reads it as true; typing stays out of `import lambdash`
if TYPE_CHECKING:
    import logging

__all__ = ["logger"]


def logger() -> logging.Logger:
    """The ``lambdash`` logger."""
    import logging

    return logging.getLogger("lambdash")
