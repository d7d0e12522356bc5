"""What the doctor reports: findings with a stable ID, a severity, a message and a fix."""

from __future__ import annotations

import dataclasses
from typing import Literal
from typing import TypeAlias

__all__ = ["SEVERITIES", "Finding", "Severity"]

Severity: TypeAlias = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One problem found before deploying.

    :param id: a stable identifier such as ``LD102``, for scripts and for ignoring.
    :param severity: ``"error"`` (it breaks on AWS), ``"warning"`` or ``"info"``.
    :param message: one line saying what is wrong and what it does on AWS.
    :param fix: a snippet to copy: template YAML or Python.
    :param where: the file, resource or route it concerns.
    :param details: the app's own traceback, for an app that does not import (LD100).
    """

    id: str
    severity: Severity
    message: str
    fix: str
    where: str = ""
    details: str = ""
