"""The template ``sam deploy`` reads from ``.aws-sam/build``: the app's, with paths redirected.

``sam build`` writes ``.aws-sam/build/template.yaml`` with each built function's ``CodeUri`` set to
its directory beside it (``CodeUri: DashFunction``), and ``sam deploy`` uses that file when it
exists. The text is edited in place, so comments, order and short tags (``!Ref``) survive.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from lambdash._command import CommandError
from lambdash.local._template import _Loader

__all__ = ["build_template", "function_architecture"]

# Properties that name local files relative to the template; the copy lives elsewhere.
_PATH_KEYS = ("CodeUri", "ContentUri", "DefinitionUri")


def function_architecture(path: Path, function: str) -> str | None:
    """The first of the function's ``Architectures`` (or the Globals'), if the template sets one."""
    document: dict[str, Any] = yaml.load(path.read_text(), Loader=_Loader)
    props = (document["Resources"][function].get("Properties")) or {}
    globals_ = (document.get("Globals") or {}).get("Function") or {}
    architectures = props.get("Architectures", globals_.get("Architectures"))
    if isinstance(architectures, list) and architectures:
        return str(architectures[0])
    return None


def _get(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _scalar(value: str) -> str:
    return value if re.fullmatch(r"[\w./-]+", value) else json.dumps(value)


def build_template(
    text: str, *, function: str, code_uri: str, source_dir: Path, out_dir: Path
) -> str:
    """The template for *out_dir*: *function*'s ``CodeUri`` set to *code_uri*, and other relative
    ``CodeUri``, ``ContentUri`` and ``DefinitionUri`` paths rewritten to still reach *source_dir*.
    """
    root = yaml.compose(text, Loader=_Loader)
    edits: list[tuple[int, int, str]] = []
    resources = _get(root, "Resources")
    for name_node, resource in resources[1].value if resources else ():
        properties = _get(resource, "Properties")
        if name_node.value == function:
            edits.append(_set_code_uri(text, properties, function, code_uri))
            continue
        for key in _PATH_KEYS:
            edits.extend(
                _relocated(
                    _get(properties[1], key) if properties else None,
                    source_dir,
                    out_dir,
                )
            )
    globals_ = _get(root, "Globals")
    global_function = _get(globals_[1], "Function") if globals_ else None
    if global_function:
        edits.extend(
            _relocated(_get(global_function[1], "CodeUri"), source_dir, out_dir)
        )
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _set_code_uri(
    text: str,
    properties: tuple[yaml.Node, yaml.Node] | None,
    function: str,
    code_uri: str,
) -> tuple[int, int, str]:
    if (
        properties is None
        or not isinstance(properties[1], yaml.MappingNode)
        or not properties[1].value
    ):
        msg = f"the template's {function} has no Properties to set CodeUri in"
        raise CommandError(msg)
    existing = _get(properties[1], "CodeUri")
    if existing is not None:
        start, end = existing[0].start_mark.index, existing[1].end_mark.index
        span = text[start:end]
        # A block value ends where the next key starts: keep the line break and indentation.
        return start, end, f"CodeUri: {_scalar(code_uri)}" + span[len(span.rstrip()) :]
    first_key = properties[1].value[0][0]
    index = first_key.start_mark.index
    if properties[1].flow_style:
        return index, index, f"CodeUri: {_scalar(code_uri)}, "
    return (
        index,
        index,
        f"CodeUri: {_scalar(code_uri)}\n{' ' * first_key.start_mark.column}",
    )


def _relocated(
    found: tuple[yaml.Node, yaml.Node] | None, source_dir: Path, out_dir: Path
) -> list[tuple[int, int, str]]:
    if found is None:
        return []
    node = found[1]
    value = node.value
    # A plain string only: a short tag (!Ref, !Sub) is resolved by CloudFormation, not a path.
    if (
        not isinstance(node, yaml.ScalarNode)
        or node.tag != "tag:yaml.org,2002:str"
        or "://" in value
        or value.startswith("s3:")
        or os.path.isabs(value)
    ):
        return []
    moved = os.path.relpath(source_dir / value, out_dir)
    return [
        (node.start_mark.index, node.end_mark.index, _scalar(Path(moved).as_posix()))
    ]
