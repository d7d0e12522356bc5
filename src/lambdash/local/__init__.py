"""The local gateway: API Gateway, ALB and Function URLs on loopback, behaving like AWS.

Dev-time only: ``import lambdash`` never loads this package.

::

    from lambdash.local import GatewayConfig, Target, running_gateway

    with running_gateway(Target(spec="app:server"), GatewayConfig(gateway="rest")) as gw:
        urllib.request.urlopen(gw.url)          # http://127.0.0.1:<port>/Prod/
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from lambdash.local._gateway import LocalGateway as LocalGateway
from lambdash.local._model import GatewayConfig as GatewayConfig
from lambdash.local._model import HTTPRequest as HTTPRequest
from lambdash.local._model import HTTPResponse as HTTPResponse
from lambdash.local._server import GatewayServer as GatewayServer
from lambdash.local._server import serve_in_thread
from lambdash.local._target import Target as Target
from lambdash.local._target import TargetError as TargetError
from lambdash.local._template import TemplateError as TemplateError
from lambdash.local._template import read_template as read_template
from lambdash.local._workers import WorkerPool as WorkerPool

__all__ = [
    "GatewayConfig",
    "GatewayServer",
    "HTTPRequest",
    "HTTPResponse",
    "LocalGateway",
    "RunningGateway",
    "Target",
    "TargetError",
    "TemplateError",
    "WorkerPool",
    "read_template",
    "running_gateway",
]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class RunningGateway:
    """A gateway serving on loopback: ``url`` is the app's URL, stage or base path included."""

    url: str
    gateway: LocalGateway
    pool: WorkerPool
    server: GatewayServer


@contextlib.contextmanager
def running_gateway(
    target: Target,
    config: GatewayConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[RunningGateway]:
    """Serve *target* through a gateway on a free loopback port for the ``with`` block.

    The first worker starts before the block runs, so import errors raise here.
    """
    config = config or GatewayConfig()
    target = dataclasses.replace(target, binary_media_types=config.binary_media_types)
    pool = WorkerPool(
        target,
        size=config.workers,
        timeout=config.timeout,
        memory_size=config.memory_size,
    )
    try:
        pool.start()
        gateway = LocalGateway(config, pool)
        with serve_in_thread(gateway, host=host, port=port) as server:
            yield RunningGateway(
                url=server.base_url, gateway=gateway, pool=pool, server=server
            )
    finally:
        pool.close()
