"""A pytest plugin: test your own app through the local gateway, as AWS would serve it.

Installed with ``lambdash[cli]``; pytest loads it by itself. In a test::

    def test_home(lambdash_gateway):
        gw = lambdash_gateway("myapp:app", gateway="rest")
        with urllib.request.urlopen(gw.url) as response:   # http://127.0.0.1:<port>/Prod/
            assert response.status == 200
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any

import pytest

if TYPE_CHECKING:
    from lambdash.local import RunningGateway

__all__ = ["lambdash_gateway"]


@pytest.fixture
def lambdash_gateway() -> Iterator[Callable[..., RunningGateway]]:
    """A factory: ``lambdash_gateway(spec, *, kind="auto", code_dir=".", **config)`` starts a gateway.

    *config* takes :class:`lambdash.local.GatewayConfig`'s fields. Every gateway started is
    stopped, and its workers ended, when the test finishes.
    """
    # Imported here, so that the plugin costs nothing and needs no extra where it is unused.
    from lambdash.local import GatewayConfig
    from lambdash.local import Target
    from lambdash.local import running_gateway

    with contextlib.ExitStack() as stack:

        def start(
            spec: str, *, kind: Any = "auto", code_dir: str = ".", **config: Any
        ) -> RunningGateway:
            target = Target(spec=spec, kind=kind, code_dir=code_dir)
            return stack.enter_context(running_gateway(target, GatewayConfig(**config)))

        yield start
