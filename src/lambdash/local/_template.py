"""Reading what a SAM template would deploy: the gateway, its stage and binary types, the routes,
and the function's Handler, CodeUri, Timeout and MemorySize."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from lambdash.exceptions import LambdashError
from lambdash.local._model import Gateway

__all__ = ["TemplateError", "TemplateSettings", "read_template"]


class TemplateError(LambdashError):
    """The template cannot be read, or names no function behind an HTTP event."""


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref``, ``!Sub``, ``!GetAtt`` …) as plain dicts."""


def _intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _intrinsic)

# The front door, its stage, its BinaryMediaTypes, and whether it routes / and /{proxy+}.
_Events = tuple[Gateway, str | None, tuple[str, ...], bool, bool]
# An ALB has no stage, binary types or routes: every path reaches the function.
_ALB: _Events = ("alb", None, (), True, True)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TemplateSettings:
    """What the template deploys, as far as the local gateway is concerned."""

    path: Path
    function: str
    handler: str | None
    code_dir: Path
    runtime: str | None
    gateway: Gateway
    stage: str | None
    binary_media_types: tuple[str, ...]
    root_route: bool
    proxy_route: bool
    timeout: float
    memory_size: int
    multi_value_headers: bool = False
    """ALB only: the target group's ``lambda.multi_value_headers.enabled``."""
    base_paths: tuple[str, ...] = ()
    """Custom domain base paths in front of the API, each with the stage when the mapping has none."""


def _resolve(value: Any, parameters: dict[str, Any]) -> Any:
    # Only !Ref to a parameter with a Default can be known without deploying.
    if isinstance(value, dict) and set(value) == {"Ref"}:
        default = (
            parameters.get(value["Ref"], {}).get("Default")
            if isinstance(parameters.get(value["Ref"]), dict)
            else None
        )
        return default
    return value


def read_template(path: Path) -> TemplateSettings:
    """The settings of the first function in *path* that has an Api, HttpApi or Function URL."""
    try:
        document = yaml.load(path.read_text(), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        msg = f"cannot read the template {str(path)!r}: {exc}"
        raise TemplateError(msg) from exc
    return settings_from(document, path)


def settings_from(document: Any, path: Path) -> TemplateSettings:
    """The settings in an already loaded template *document* (from PyYAML or cfn-lint's decoder)."""
    if not isinstance(document, dict) or not isinstance(
        document.get("Resources"), dict
    ):
        msg = f"the template {str(path)!r} has no Resources"
        raise TemplateError(msg)
    parameters = document.get("Parameters") or {}
    globals_ = document.get("Globals") or {}
    global_function = globals_.get("Function") or {}
    resources: dict[str, Any] = document["Resources"]
    for name, resource in resources.items():
        if (
            not isinstance(resource, dict)
            or resource.get("Type") != "AWS::Serverless::Function"
        ):
            continue
        props = resource.get("Properties") or {}
        found: _Events | None = _http_events(props, resources, globals_, parameters)
        multi_value = False
        if found is None:
            target_group = _target_group(name, resources)
            if target_group is None:
                continue
            found, multi_value = _ALB, target_group
        gateway, stage, binary, root, proxy = found

        def prop(key: str, default: Any, props: dict[str, Any] = props) -> Any:
            return _resolve(
                props.get(key, global_function.get(key, default)), parameters
            )

        code_uri = prop("CodeUri", ".")
        return TemplateSettings(
            path=path,
            function=name,
            handler=prop("Handler", None),
            code_dir=(path.parent / code_uri)
            if isinstance(code_uri, str)
            else path.parent,
            runtime=prop("Runtime", None),
            gateway=gateway,
            stage=stage,
            binary_media_types=binary,
            root_route=root,
            proxy_route=proxy,
            # SAM's defaults: 3 s and 128 MB.
            timeout=float(prop("Timeout", None) or 3),
            memory_size=int(prop("MemorySize", None) or 128),
            base_paths=_base_paths(resources, props, parameters),
            multi_value_headers=multi_value,
        )
    msg = (
        f"the template {str(path)!r} has no AWS::Serverless::Function with an Api, HttpApi, "
        "FunctionUrlConfig or ALB target group"
    )
    raise TemplateError(msg)


def _target_group(function: str, resources: dict[str, Any]) -> bool | None:
    """Whether an ALB target group sends *function* multi-value headers; ``None`` without one."""
    for resource in resources.values():
        if (
            not isinstance(resource, dict)
            or resource.get("Type") != "AWS::ElasticLoadBalancingV2::TargetGroup"
        ):
            continue
        properties = resource.get("Properties") or {}
        ids = [
            str(t.get("Id"))
            for t in properties.get("Targets") or ()
            if isinstance(t, dict)
        ]
        if properties.get("TargetType") == "lambda" and any(function in i for i in ids):
            attributes = {
                a.get("Key"): str(a.get("Value")).lower()
                for a in properties.get("TargetGroupAttributes") or ()
            }
            return attributes.get("lambda.multi_value_headers.enabled") == "true"
    return None


def _http_events(
    props: dict[str, Any],
    resources: dict[str, Any],
    globals_: dict[str, Any],
    parameters: dict[str, Any],
) -> _Events | None:
    events = [e for e in (props.get("Events") or {}).values() if isinstance(e, dict)]
    api_events = [e for e in events if e.get("Type") == "Api"]
    http_events = [e for e in events if e.get("Type") == "HttpApi"]
    if api_events:
        paths = {(e.get("Properties") or {}).get("Path") for e in api_events}
        api = _api_properties(
            api_events[0], resources, globals_.get("Api") or {}, "RestApiId"
        )
        stage = _resolve(api.get("StageName", "Prod"), parameters)
        binary = tuple(
            str(_resolve(t, parameters)) for t in api.get("BinaryMediaTypes") or ()
        )
        return (
            "rest",
            stage if isinstance(stage, str) else None,
            binary,
            "/" in paths,
            "/{proxy+}" in paths,
        )
    if http_events:
        # An HttpApi event without a Path is the catch-all $default route.
        paths = {(e.get("Properties") or {}).get("Path") for e in http_events}
        catch_all = None in paths or "$default" in paths
        api = _api_properties(
            http_events[0], resources, globals_.get("HttpApi") or {}, "ApiId"
        )
        stage = _resolve(api.get("StageName", "$default"), parameters)
        return (
            "http",
            stage if isinstance(stage, str) else None,
            (),
            catch_all or "/" in paths,
            catch_all or "/{proxy+}" in paths,
        )
    if props.get("FunctionUrlConfig"):
        return "url", None, (), True, True
    return None


def _api_properties(
    event: dict[str, Any], resources: dict[str, Any], defaults: dict[str, Any], key: str
) -> dict[str, Any]:
    reference = (event.get("Properties") or {}).get(key)
    if isinstance(reference, dict) and "Ref" in reference:
        api = resources.get(reference["Ref"]) or {}
        return {**defaults, **(api.get("Properties") or {})}
    return dict(defaults)


def _base_paths(
    resources: dict[str, Any], props: dict[str, Any], parameters: dict[str, Any]
) -> tuple[str, ...]:
    """The URL prefixes custom domains give the function's REST API (spec §2.2).

    A mapping bound to a stage serves at ``/{base path}``; one without a stage serves every
    stage at ``/{base path}/{stage}``.
    """
    events = [
        e
        for e in (props.get("Events") or {}).values()
        if isinstance(e, dict) and e.get("Type") == "Api"
    ]
    reference = (events[0].get("Properties") or {}).get("RestApiId") if events else None
    api_name = reference.get("Ref") if isinstance(reference, dict) else None
    found: list[str] = []
    for resource in resources.values():
        if not isinstance(resource, dict):
            continue
        properties = resource.get("Properties") or {}
        kind = resource.get("Type")
        if kind == "AWS::ApiGateway::BasePathMapping":
            api = properties.get("RestApiId")
            if api_name is None or not (
                isinstance(api, dict) and api.get("Ref") == api_name
            ):
                continue
            base = _resolve(properties.get("BasePath"), parameters)
            stage = _resolve(properties.get("Stage"), parameters)
            prefix = (
                "/" + str(base).strip("/") if base not in (None, "", "(none)") else ""
            )
            if not stage:
                prefix += "/{stage}"
            found.append(prefix)
    api = resources.get(api_name) if api_name else None
    domain = (
        ((api or {}).get("Properties") or {}).get("Domain")
        if isinstance(api, dict)
        else None
    )
    if isinstance(domain, dict):
        for base in domain.get("BasePath") or ["/"]:
            value = str(_resolve(base, parameters) or "").strip("/")
            found.append("/" + value if value else "")
    return tuple(found)
