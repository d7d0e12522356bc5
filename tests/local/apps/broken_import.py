"""A module whose import fails, as a typo in a user's app would."""

from __future__ import annotations

message = "no module named 'dash_bootstrap_components'"
raise ImportError(message)
