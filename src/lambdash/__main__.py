"""``python -m lambdash``: the same as the ``lambdash`` command."""

from __future__ import annotations

from lambdash.cli import main

raise SystemExit(main())
