"""Lambda SnapStart for Python: do the first-request work before the snapshot, renew after restore.

With SnapStart, Lambda runs the init phase once per published version, snapshots the memory,
and starts later environments from that snapshot (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html).
Runtime hooks run code just before the snapshot and just after each restore; the Python runtime
ships them as the ``snapshot_restore_py`` package
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html). Where it is
not importable (on a laptop, in tests) :func:`register` does nothing.

::

    from lambdash import make_handler
    from lambdash.snapstart import register

    lambda_handler = register(make_handler(app))
"""

from __future__ import annotations

import importlib
import logging
import os
import random
import sys
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from lambdash._types import LambdaHandler

__all__ = ["register"]

logger = logging.getLogger("lambdash")

# Dash's first request walks the assets, validates the layout and renders the script tags
# (dash.Dash._setup_server); its layout and dependencies are what the page fetches next.
DASH_PATHS = ("/", "/_dash-layout", "/_dash-dependencies")


class _WarmContext:
    aws_request_id = "snapstart-warm-up"
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "snapstart")
    memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _event(path: str) -> dict[str, Any]:
    # A Function URL (payload 2.0) GET: the smallest event every handler accepts.
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "host": "snapstart.invalid",
            "accept": "text/html,application/json;q=0.9,*/*;q=0.8",
        },
        "requestContext": {
            "http": {"method": "GET", "path": path, "sourceIp": "127.0.0.1"},
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


def _reseed() -> None:
    # Every environment restored from one snapshot starts with the same PRNG state; reseed
    # from the OS (snapstart-uniqueness.html). secrets and os.urandom need nothing.
    random.seed()
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


def register(
    handler: LambdaHandler,
    *,
    paths: Iterable[str] = DASH_PATHS,
    after_restore: Iterable[Callable[[], object]] = (),
) -> LambdaHandler:
    """Register SnapStart hooks for *handler*, and return it.

    Before the snapshot, the handler serves a GET for each of *paths*, so that the app's imports,
    its first-request setup and lambdash's caches are in the snapshot. After each restore, the
    random number generators are reseeded and each of *after_restore* runs: reopen connections
    there. Without ``snapshot_restore_py`` nothing is registered.

    :param handler: a handler from :func:`lambdash.make_handler`.
    :param paths: the paths to request before the snapshot.
    :param after_restore: callables to run after each restore, in order.
    """
    try:
        hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        logger.debug(
            "snapshot_restore_py is not importable: SnapStart hooks not registered"
        )
        return handler
    warm_paths = tuple(paths)
    renewals = tuple(after_restore)

    def before_snapshot() -> None:
        for path in warm_paths:
            try:
                handler(_event(path), _WarmContext())
            except Exception:
                logger.exception(
                    "SnapStart warm-up of %s failed; the snapshot is taken anyway", path
                )

    def restore() -> None:
        _reseed()
        for renew in renewals:
            renew()

    hooks.register_before_snapshot(before_snapshot)
    hooks.register_after_restore(restore)
    return handler
