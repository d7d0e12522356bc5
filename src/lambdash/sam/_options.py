"""What ``lambdash init`` deploys: the options, checked once, before anything is generated."""

from __future__ import annotations

import dataclasses
import keyword
import re
from typing import Literal
from typing import TypeAlias

from lambdash.exceptions import LambdashError

__all__ = [
    "API",
    "ARCHITECTURES",
    "FUNCTION",
    "GATEWAYS",
    "HANDLER_MODULE",
    "RUNTIMES",
    "Architecture",
    "Gateway",
    "InitError",
    "InitOptions",
    "check_runtime",
]

Gateway: TypeAlias = Literal["rest", "http", "alb", "url"]
Architecture: TypeAlias = Literal["x86_64", "arm64"]

GATEWAYS: tuple[Gateway, ...] = ("rest", "http", "alb", "url")
ARCHITECTURES: tuple[Architecture, ...] = ("x86_64", "arm64")
# The Lambda Python runtimes lambdash supports, oldest first. Older ones are deprecated
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
RUNTIMES = ("python3.11", "python3.12", "python3.13", "python3.14")
# SnapStart for Python starts at python3.12
# (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html); cfn-lint's E2530 agrees.
SNAPSTART_RUNTIMES = ("python3.12", "python3.13", "python3.14")
# The template's logical IDs.
FUNCTION = "AppFunction"
API = "AppApi"
# The module lambdash init writes; the template's Handler is HANDLER_MODULE.lambda_handler.
HANDLER_MODULE = "lambda_handler"

# A base path mapping key: one path segment of the characters API Gateway accepts
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html).
# Multi-level keys ("apps/dash") need AWS::ApiGatewayV2::ApiMapping instead of BasePathMapping.
_BASE_PATH = re.compile(r"[A-Za-z0-9$\-_.+!*'()]{1,300}")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class InitError(LambdashError, ValueError):
    """Raised when an option of ``lambdash init`` is not accepted; the message says what is."""


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1]


def check_runtime(runtime: str) -> str:
    """Return *runtime* if lambdash supports it as a Lambda runtime.

    :param runtime: a Lambda runtime identifier such as ``"python3.13"``.
    :raises InitError: for any other value; the message lists the accepted ones.
    """
    if runtime not in RUNTIMES:
        msg = f"{runtime!r} is not a supported runtime: choose {_choices(RUNTIMES)}"
        raise InitError(msg)
    return runtime


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class InitOptions:
    """The choices behind a generated project. Every value is checked when the object is made.

    :param app: ``module:attribute`` naming the Dash, WSGI or ASGI app, such as ``"app:app"``;
        the attribute may be dotted (``"main:app.server"``).
    :param gateway: the front door: ``"rest"`` (API Gateway REST API), ``"http"`` (HTTP API),
        ``"alb"`` (Application Load Balancer) or ``"url"`` (Lambda Function URL).
    :param domain: a custom domain for the REST API, such as ``"example.com"``.
    :param base_path: the domain's base path mapping, such as ``"dash"`` or ``"/dash/"``;
        empty maps the whole domain.
    :param runtime: the Lambda runtime, ``"python3.11"`` to ``"python3.14"``.
    :param architecture: ``"x86_64"`` or ``"arm64"``.
    :param snapstart: turn on Lambda SnapStart (python3.12 and later).
    :raises InitError: when a value, or a combination of values, is not accepted.
    """

    app: str
    gateway: Gateway = "rest"
    domain: str | None = None
    base_path: str = ""
    runtime: str = "python3.13"
    architecture: Architecture = "x86_64"
    snapstart: bool = False

    def __post_init__(self) -> None:
        _check_app(self.app)
        if self.gateway not in GATEWAYS:
            msg = f"{self.gateway!r} is not a gateway: choose {_choices(GATEWAYS)}"
            raise InitError(msg)
        if self.architecture not in ARCHITECTURES:
            msg = f"{self.architecture!r} is not an architecture: choose {_choices(ARCHITECTURES)}"
            raise InitError(msg)
        check_runtime(self.runtime)
        if self.snapstart and self.runtime not in SNAPSTART_RUNTIMES:
            msg = f"--snapstart needs python3.12 or later: Lambda SnapStart does not support {self.runtime}"
            raise InitError(msg)
        self._check_domain()

    def _check_domain(self) -> None:
        if self.domain is None:
            if self.base_path:
                msg = "--base-path needs --domain: a base path maps part of a custom domain to the API"
                raise InitError(msg)
            return
        if self.gateway != "rest":
            msg = f"--domain works with --gateway rest only, not {self.gateway}"
            raise InitError(msg)
        labels = self.domain.split(".")
        if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
            msg = f"{self.domain!r} is not a domain name such as example.com (lower case, no scheme, no path)"
            raise InitError(msg)
        if self.base_path and not _BASE_PATH.fullmatch(self.mapping_key):
            msg = f"{self.base_path!r} is not a one-segment base path such as dash"
            raise InitError(msg)

    @property
    def mapping_key(self) -> str:
        """The base path as API Gateway stores it: without slashes, ``""`` for none."""
        return self.base_path.strip("/")

    @property
    def app_module(self) -> str:
        """The module part of :attr:`app`."""
        return self.app.partition(":")[0]

    @property
    def app_attribute(self) -> str:
        """The attribute part of :attr:`app`, possibly dotted."""
        return self.app.partition(":")[2]


def _check_app(app: str) -> None:
    module, colon, attribute = app.partition(":")
    if not colon or not all(
        _is_name(part) for part in (*module.split("."), *attribute.split("."))
    ):
        msg = f"APP {app!r} is not module:attribute, such as app:app"
        raise InitError(msg)
    if module == HANDLER_MODULE:
        msg = f"APP {app!r} is in {HANDLER_MODULE}.py, the module lambdash init writes: rename that module"
        raise InitError(msg)


def _is_name(part: str) -> bool:
    return part.isidentifier() and not keyword.iskeyword(part)
