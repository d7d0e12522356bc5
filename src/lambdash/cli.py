"""The ``lambdash`` command line. Library code raises; only :func:`main` prints.

Exit codes: 0 on success, 1 when something fails, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import importlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import lambdash
from lambdash._command import Command
from lambdash._command import CommandError
from lambdash.exceptions import LambdashError
from lambdash.local._gateway import LocalGateway
from lambdash.local._importing import split_spec
from lambdash.local._model import GATEWAYS
from lambdash.local._model import GatewayConfig
from lambdash.local._server import GatewayServer
from lambdash.local._target import Target
from lambdash.local._template import TemplateSettings
from lambdash.local._template import read_template
from lambdash.local._workers import WorkerPool

__all__ = ["main"]

_GATEWAY_NAMES = {
    "rest": "REST API",
    "http": "HTTP API",
    "alb": "Application Load Balancer",
    "url": "Function URL",
}


# The other subcommands, each a module with HELP, DESCRIPTION, add_arguments() and run().
_COMMANDS = {
    "init": "lambdash.sam._command",
    "build": "lambdash.packager._command",
    "doctor": "lambdash.doctor._command",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lambdash", description="Dash, WSGI and ASGI apps on AWS Lambda."
    )
    parser.add_argument(
        "--version", action="version", version=f"lambdash {lambdash.__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve an app through a local gateway that behaves like AWS",
        description="Serve an app or Lambda handler through a local API Gateway, ALB or Function URL "
        "that behaves like AWS, failures included. No Docker, no AWS account.",
    )
    serve.add_argument(
        "app",
        nargs="?",
        metavar="APP",
        help="module:attribute naming a Lambda handler or a Dash, WSGI or ASGI app; default: the template's Handler",
    )
    kind = serve.add_mutually_exclusive_group()
    kind.add_argument(
        "--handler",
        action="store_const",
        const="handler",
        dest="kind",
        help="APP is a Lambda handler (event, context)",
    )
    kind.add_argument(
        "--app",
        action="store_const",
        const="app",
        dest="kind",
        help="APP is a Dash, WSGI or ASGI app",
    )
    serve.add_argument(
        "--gateway",
        choices=GATEWAYS,
        help="the front door (default: the template's, else rest)",
    )
    serve.add_argument(
        "--stage",
        help="the stage name (default: the template's, else Prod on REST, $default on HTTP APIs)",
    )
    serve.add_argument(
        "--base-path",
        default="",
        help="serve behind a custom domain's base path mapping, such as /dash",
    )
    serve.add_argument(
        "--binary-media-types",
        nargs="+",
        metavar="TYPE",
        help="the REST API's BinaryMediaTypes (default: the template's, else */*)",
    )
    serve.add_argument(
        "--template",
        type=Path,
        help="a SAM template to read (default: ./template.yaml when present)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=3000, help="the port (default 3000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=4,
        help="function instances that may run at once (default 4)",
    )
    serve.add_argument(
        "--timeout",
        type=float,
        help="the function Timeout in seconds (default: the template's, else 30)",
    )
    serve.add_argument(
        "--memory-size",
        type=int,
        help="the function MemorySize in MB (default: the template's, else 512)",
    )
    serve.add_argument(
        "--multi-value-headers",
        action="store_true",
        help="ALB: the target group has multi-value headers enabled",
    )
    serve.add_argument(
        "--code-dir",
        type=Path,
        help="the directory APP is imported from (default: the template's CodeUri, else .)",
    )
    serve.add_argument(
        "--reload", action="store_true", help="restart the workers when code changes"
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    serve.set_defaults(run=_serve)
    for name, module_name in _COMMANDS.items():
        module: Command = importlib.import_module(module_name)
        command = commands.add_parser(
            name, help=module.HELP, description=module.DESCRIPTION
        )
        module.add_arguments(command)
        command.add_argument(
            "-v", "--verbose", action="store_true", help="show tracebacks"
        )
        command.set_defaults(run=module.run)
    return parser


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ServePlan:
    """Everything ``lambdash serve`` resolved from its arguments and the template."""

    config: GatewayConfig
    target: Target
    template: TemplateSettings | None
    warnings: tuple[str, ...]


def plan_serve(args: argparse.Namespace) -> ServePlan:
    """Resolve the gateway settings: flags first, then the template, then the defaults."""
    template_path: Path | None = args.template
    if template_path is None and Path("template.yaml").is_file():
        template_path = Path("template.yaml")
    template = read_template(template_path) if template_path is not None else None
    warnings: list[str] = []

    def pick(flag: object, name: str, from_template: object, default: object) -> object:
        if (
            flag is not None
            and template is not None
            and from_template is not None
            and flag != from_template
        ):
            warnings.append(
                f"{name} {flag!r} differs from the template's {from_template!r}; AWS would deploy the template's"
            )
        return (
            flag
            if flag is not None
            else from_template
            if from_template is not None
            else default
        )

    gateway = pick(
        args.gateway, "--gateway", template.gateway if template else None, "rest"
    )
    binary = pick(
        tuple(args.binary_media_types) if args.binary_media_types is not None else None,
        "--binary-media-types",
        template.binary_media_types if template else None,
        ("*/*",),
    )
    config = GatewayConfig(
        gateway=gateway,  # type: ignore[arg-type]
        stage=pick(args.stage, "--stage", template.stage if template else None, None),  # type: ignore[arg-type]
        base_path=args.base_path,
        binary_media_types=binary,  # type: ignore[arg-type]
        root_route=template.root_route if template else True,
        proxy_route=template.proxy_route if template else True,
        multi_value_headers=args.multi_value_headers
        or bool(template and template.multi_value_headers),
        timeout=pick(
            args.timeout, "--timeout", template.timeout if template else None, 30.0
        ),  # type: ignore[arg-type]
        memory_size=pick(
            args.memory_size,
            "--memory-size",
            template.memory_size if template else None,
            512,
        ),  # type: ignore[arg-type]
        workers=args.workers,
    )
    if template is not None and not template.root_route:
        warnings.append(
            "the template routes /{proxy+} but not /: the root URL fails on AWS with 403, and here too"
        )
    code_dir = str(args.code_dir or (template.code_dir if template else Path(".")))
    if args.app:
        # A malformed APP is said at once, before any worker starts.
        split_spec(args.app)
        target = Target(
            spec=args.app,
            kind=args.kind or "auto",
            code_dir=code_dir,
            binary_media_types=config.binary_media_types,
        )
    elif template is not None and template.handler:
        target = Target.from_handler_property(
            template.handler,
            code_dir=code_dir,
            binary_media_types=config.binary_media_types,
        )
    else:
        msg = "name the APP to serve (module:attribute), or give a template whose function has a Handler"
        raise CommandError(
            msg,
            hint="lambdash serve module:attribute, such as app:app for app.py's app; "
            "or lambdash init module:attribute, which writes a template.yaml that serve reads",
        )
    return ServePlan(
        config=config, target=target, template=template, warnings=tuple(warnings)
    )


def _banner(plan: ServePlan, server: GatewayServer, init_ms: float) -> str:
    config = plan.config
    routes = " and ".join(
        r
        for r, on in (("/", config.root_route), ("/{proxy+}", config.proxy_route))
        if on
    )
    where = f"stage {config.stage_name}" + (
        f", base path {config.base_path}" if config.base_path else ""
    )
    lines = [
        f"lambdash serve: {_GATEWAY_NAMES[config.gateway]}, {where}, routes {routes or 'none'}",
        f"  BinaryMediaTypes {list(config.binary_media_types)}"
        if config.gateway == "rest"
        else "",
        f"  template {plan.template.path} (function {plan.template.function})"
        if plan.template
        else "",
        f"  function {plan.target.spec} ({plan.target.kind}) from {plan.target.code_dir}: Timeout {config.timeout:g} s, "
        f"MemorySize {config.memory_size} MB, {config.workers} workers, first init {init_ms:.0f} ms",
        *(f"  warning: {w}" for w in plan.warnings),
        f"Open {server.base_url}",
    ]
    return "\n".join(line for line in lines if line)


def _watch(pool: WorkerPool, directory: str) -> None:
    import watchfiles

    log = logging.getLogger("lambdash.local")
    watching = False
    changes_seen = watchfiles.watch(
        directory,
        watch_filter=watchfiles.PythonFilter(),
        yield_on_timeout=True,
        rust_timeout=500,
    )
    for changes in changes_seen:
        if not changes:
            # The first quiet interval shows the watcher is running.
            if not watching:
                log.info("watching %s for changes", os.path.abspath(directory))
                watching = True
            continue
        log.info(
            "reloading: %s changed",
            ", ".join(sorted({Path(p).name for _, p in changes})),
        )
        pool.restart()


def _serve(args: argparse.Namespace) -> int:
    plan = plan_serve(args)
    config = plan.config
    pool = WorkerPool(
        plan.target,
        size=config.workers,
        timeout=config.timeout,
        memory_size=config.memory_size,
    )
    try:
        server = GatewayServer(
            LocalGateway(config, pool), host=args.host, port=args.port
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            msg = f"port {args.port} on {args.host} is already in use"
            raise CommandError(
                msg,
                hint=f"stop the other server, or pass --port {args.port + 1}",
            ) from exc
        raise
    try:
        try:
            init_ms = pool.start()
        except RuntimeError as exc:
            msg = f"the function cannot start: {exc}"
            raise CommandError(
                msg, hint="check what the app does when it is imported"
            ) from exc
        print(_banner(plan, server, init_ms), file=sys.stderr, flush=True)
        if args.reload:
            threading.Thread(
                target=_watch, args=(pool, plan.target.code_dir), daemon=True
            ).start()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lambdash`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    # Only lambdash's own loggers speak on the terminal; libraries keep their defaults. The
    # handler goes when the command ends, so that main() can run many times in one process.
    logger = logging.getLogger("lambdash")
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(stream)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        code: int = args.run(args)
        return code
    except LambdashError as exc:
        if args.verbose:
            logger.exception("traceback")
        details = getattr(exc, "details", "")
        if details:
            print(details, file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        hint = getattr(exc, "hint", "")
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
        return 1
    finally:
        logger.removeHandler(stream)
        logger.setLevel(level)
