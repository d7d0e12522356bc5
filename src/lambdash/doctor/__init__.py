"""``lambdash doctor``: the user story's class of problems, found before a deploy.

Dev-time only: ``import lambdash`` never loads this package. It reads the SAM template with
cfn-lint's decoder (and runs cfn-lint's rules), imports the app, and crawls it through the
adapter the way a browser loads it, behind the front door the template deploys.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from pathlib import Path
from typing import Any

from lambdash._dash import is_dash
from lambdash._handler import make_handler
from lambdash.doctor._checks import check_app
from lambdash.doctor._checks import check_binary_media_types
from lambdash.doctor._checks import check_build
from lambdash.doctor._checks import check_fetches
from lambdash.doctor._checks import check_package
from lambdash.doctor._checks import check_prefix
from lambdash.doctor._checks import check_template
from lambdash.doctor._crawl import Fetch
from lambdash.doctor._crawl import crawl
from lambdash.doctor._model import Finding
from lambdash.exceptions import LambdashError
from lambdash.local._importing import TargetError
from lambdash.local._importing import import_module
from lambdash.local._importing import import_object
from lambdash.local._model import GatewayConfig
from lambdash.local._template import TemplateSettings
from lambdash.local._template import settings_from

__all__ = ["Finding", "Report", "diagnose"]

_APP_NAMES = ("app", "application", "server", "api")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    """Everything the doctor found, and what it fetched to find it."""

    findings: tuple[Finding, ...]
    fetched: tuple[Fetch, ...]
    template: TemplateSettings | None

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(f.severity == "error" for f in self.findings)


def _read(path: Path) -> tuple[TemplateSettings, list[tuple[str, str, int]]]:
    # cfn-lint's decoder understands the short intrinsic tags (!Ref, !Sub, !GetAtt) and keeps line
    # numbers; its rules know the Lambda runtime deprecation dates.
    from cfnlint.api import lint_all
    from cfnlint.decode import decode

    document, problems = decode(str(path))
    if document is None:
        details = "; ".join(str(p.message) for p in problems) or "unreadable"
        msg = f"cannot read the template {str(path)!r}: {details}"
        raise LambdashError(msg)
    settings = settings_from(document, path)
    lint = [
        (m.rule.id, str(m.message), int(m.linenumber))
        for m in lint_all(path.read_text())
    ]
    return settings, lint


def _find_app(
    settings: TemplateSettings | None, spec: str | None, code_dir: str
) -> Any:
    if spec is not None:
        return import_object(spec, code_dir)
    if settings is None or not settings.handler:
        return None
    module_name = settings.handler.rpartition(".")[0]
    module = import_module(module_name, code_dir, dir_option="--code-dir")
    # A handler module made by `lambdash init` imports the app next to its handler.
    candidates = [v for v in vars(module).values() if is_dash(v)]
    candidates += [
        getattr(module, name)
        for name in _APP_NAMES
        if callable(getattr(module, name, None))
    ]
    return candidates[0] if candidates else None


def _import_recording_types(
    settings: TemplateSettings | None, spec: str | None, code_dir: str
) -> tuple[Any, set[str]]:
    """The app, and the file suffixes it gave ``mimetypes.add_type`` while it was imported."""
    registered: set[str] = set()
    original = mimetypes.add_type

    def recording(type: str, ext: str, strict: bool = True) -> None:
        registered.add(ext.lower())
        original(type, ext, strict)

    mimetypes.add_type = recording
    try:
        return _find_app(settings, spec, code_dir), registered
    finally:
        mimetypes.add_type = original


def _entry_points(settings: TemplateSettings) -> dict[str, GatewayConfig]:
    """The URLs the template serves the app at, each with the gateway settings behind it."""
    stage = settings.stage or ("Prod" if settings.gateway == "rest" else "$default")
    base = GatewayConfig(
        gateway=settings.gateway,
        stage=stage,
        binary_media_types=settings.binary_media_types,
        root_route=True,
        proxy_route=True,
    )
    host = (
        "https://API.execute-api.REGION.amazonaws.com"
        if settings.gateway in ("rest", "http")
        else "https://FUNCTION"
    )
    entries = {f"{host}{base.url_prefix}/": base}
    for base_path in settings.base_paths:
        prefix = base_path.replace("{stage}", stage)
        config = (
            dataclasses.replace(base, base_path=prefix)
            if prefix
            else dataclasses.replace(base, stage="$default")
        )
        entries[f"https://CUSTOM-DOMAIN{prefix}/"] = config
    return entries


def diagnose(
    project: Path,
    *,
    app: str | None = None,
    template: Path | None = None,
    code_dir: Path | None = None,
) -> Report:
    """Check *project* before a deploy: its template, its app, and its build, if there is one.

    :param project: the project directory.
    :param app: ``module:attribute`` naming the app; default: found next to the template's Handler.
    :param template: the SAM template; default ``template.yaml`` in *project* when present.
    :param code_dir: where the app is imported from; default the template's CodeUri, else *project*.
    """
    findings: list[Finding] = []
    settings: TemplateSettings | None = None
    lint: list[tuple[str, str, int]] = []
    template = template or (project / "template.yaml")
    if template.is_file():
        settings, lint = _read(template)
    elif app is None:
        msg = f"no template at {str(template)!r} and no APP to check"
        raise LambdashError(msg)
    directory = str(code_dir or (settings.code_dir if settings else project))
    try:
        target, registered = _import_recording_types(settings, app, directory)
    except TargetError as exc:
        # The template's checks still run: an app that does not import is one finding among them.
        target, registered = None, set()
        findings.append(
            Finding(
                id="LD100",
                severity="error",
                message=f"the app does not import: {exc}",
                fix=exc.hint,
                where=app or (settings.handler or "" if settings else ""),
                details=exc.details,
            )
        )
    fetched: list[Fetch] = []
    config = (
        GatewayConfig()
        if settings is None
        else next(iter(_entry_points(settings).values()))
    )
    if target is not None:
        dash = is_dash(target)
        prefixes = (
            (
                target.config.routes_pathname_prefix,
                target.config.requests_pathname_prefix,
            )
            if dash
            else ("/", "/")
        )
        handler = make_handler(
            target, rest_binary_media_types=config.binary_media_types
        )
        fetched = crawl(
            target,
            dataclasses.replace(config, proxy_route=True, root_route=True),
            handler=handler,
        )
        findings += check_app(target, dash, registered)
        findings += check_fetches(
            fetched, "ALB" if config.gateway == "alb" else "Lambda"
        )
        if settings is not None and dash:
            entries = _entry_points(settings)
            statuses = {
                url: crawl(target, entry, handler=handler, limit=1)[0].status
                for url, entry in entries.items()
            }
            findings += check_prefix(prefixes, statuses)
    if settings is not None:
        findings += check_binary_media_types(settings, fetched)
        findings += check_template(settings, lint)
        findings += check_build(settings, project / ".aws-sam" / "build")
        findings += check_package(settings, project / ".aws-sam" / "build", template)
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order[f.severity], f.id))
    return Report(findings=tuple(findings), fetched=tuple(fetched), template=settings)
