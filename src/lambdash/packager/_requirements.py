"""Reading what the app needs: requirements.txt or pyproject.toml, with local packages split out.

A local package (``./support_lib_dir``, ``-e ../lib``, ``file:…``, ``name @ file:…``, or a uv
``path`` source) cannot go through ``pip install --platform``: pip would have to build it. It is
built into a wheel on its own and handed back to the cross-platform install, which then resolves
its dependencies for Lambda together with everything else.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlparse

from lambdash._command import CommandError

__all__ = [
    "LocalProject",
    "Requirements",
    "names_distribution",
    "read_pyproject",
    "read_requirements",
]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LocalProject:
    """A local package to build into a wheel: its directory (or sdist) and requested extras."""

    path: Path
    extras: str
    origin: str


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Requirements:
    """What pip installs for the app.

    ``lines`` are requirement-file lines with every path made absolute; ``local`` are the local
    packages taken out of them.
    """

    source: Path | None
    lines: tuple[str, ...] = ()
    local: tuple[LocalProject, ...] = ()


_COMMENT = re.compile(r"(^|\s+)#.*$")
_OPTION = re.compile(
    r"^(?P<opt>--requirement|--constraint|--editable|--find-links|-[rcef])(?:\s*=\s*|\s+)?(?P<value>\S.*)$"
)
_DIRECT = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<extras>\[[^\]]*\])?\s*@\s*(?P<url>\S+)(?P<rest>.*)$"
)
_NAMED = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<extras>\[[^\]]*\])?"
)
# Like pip: a requirement is a path when it starts like one or has a slash before any ":", "@",
# ";" or space (so "git+https://…" and "name @ url" are not paths).
_PATHLIKE = re.compile(r"^(\.{1,2}[/\\]|[/\\~]|\.{1,2}$|[^:;@\s]*[/\\])")
_PATH_EXTRAS = re.compile(r"^(?P<path>.*?)(?P<extras>\[[^\]]*\])?$")


def read_requirements(path: Path) -> Requirements:
    """Parse a requirements file (and the files it includes with ``-r``).

    :raises CommandError: when the file, a file it includes, or a local package is missing.
    """
    lines: list[str] = []
    local: list[LocalProject] = []
    _read_file(path, lines, local, including=())
    return Requirements(source=path, lines=tuple(lines), local=tuple(local))


def _read_file(
    path: Path,
    lines: list[str],
    local: list[LocalProject],
    *,
    including: tuple[Path, ...],
) -> None:
    try:
        text = path.read_text()
    except OSError as exc:
        where = f" (included from {including[-1]})" if including else ""
        msg = f"cannot read the requirements file {str(path)!r}{where}: {exc.strerror}"
        raise CommandError(msg) from exc
    base = path.parent
    for number, line in _logical_lines(text):
        origin = f"{path}:{number}"
        option = _OPTION.match(line)
        if option is None:
            _requirement(line, base, origin, lines, local)
            continue
        opt, value = option["opt"], option["value"].strip()
        if opt in ("-r", "--requirement"):
            nested = _local_path(value, base)
            if nested not in (*including, path):
                _read_file(nested, lines, local, including=(*including, path))
        elif opt in ("-e", "--editable"):
            # Lambda gets a regular install: there is no source tree to point back to.
            _requirement(value, base, origin, lines, local, editable=True)
        elif "://" in value:
            lines.append(f"{opt} {value}")
        else:
            lines.append(f"{opt} {_local_path(value, base)}")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    result: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        line = _COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line:
            result.append((start, line))
    return result


def _requirement(
    line: str,
    base: Path,
    origin: str,
    lines: list[str],
    local: list[LocalProject],
    *,
    editable: bool = False,
) -> None:
    direct = _DIRECT.match(line)
    if direct and direct["url"].startswith(("file:", "{root:uri}")):
        path = _file_url_path(direct["url"], base)
        _add_local(path, direct["extras"] or "", origin, lines, local)
    elif line.startswith("file:"):
        spec = _PATH_EXTRAS.match(line.split(";")[0].strip())
        assert spec is not None
        _add_local(
            _file_url_path(spec["path"], base),
            spec["extras"] or "",
            origin,
            lines,
            local,
        )
    elif _PATHLIKE.match(line):
        spec = _PATH_EXTRAS.match(line.split(";")[0].strip())
        assert spec is not None
        _add_local(
            _local_path(spec["path"], base), spec["extras"] or "", origin, lines, local
        )
    elif editable:
        lines.append(f"--editable {line}")
    else:
        lines.append(line)


def _add_local(
    path: Path,
    extras: str,
    origin: str,
    lines: list[str],
    local: list[LocalProject],
) -> None:
    if not path.exists():
        msg = f"the local package {str(path)!r} ({origin}) does not exist"
        raise CommandError(
            msg, hint="fix the path; it is relative to the file that names it"
        )
    if path.suffix == ".whl":
        # A wheel is already built: the cross-platform install checks its tags like any other.
        lines.append(f"{path}{extras}")
    else:
        local.append(LocalProject(path=path, extras=extras, origin=origin))


def _local_path(value: str, base: Path) -> Path:
    return (base / Path(value).expanduser()).resolve()


def _file_url_path(url: str, base: Path) -> Path:
    # PDM writes file:///${PROJECT_ROOT}/lib and hatch {root:uri}/lib for paths next to pyproject.
    url = url.replace("file:///${PROJECT_ROOT}", base.as_uri()).replace(
        "{root:uri}", base.as_uri()
    )
    return _local_path(unquote(urlparse(url).path), base)


def read_pyproject(path: Path) -> Requirements:
    """The ``[project] dependencies`` of a pyproject.toml, with its local packages split out.

    A dependency is local when it is a ``file:`` direct reference, or when ``[tool.uv.sources]``
    gives it a ``path``.

    :raises CommandError: when the file is not valid TOML.
    """
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"cannot read {str(path)!r}: {exc}"
        raise CommandError(msg) from exc
    dependencies: list[str] = data.get("project", {}).get("dependencies", [])
    sources: dict[str, object] = data.get("tool", {}).get("uv", {}).get("sources", {})
    paths = {
        _normalize(name): str(source["path"])
        for name, source in sources.items()
        if isinstance(source, dict) and "path" in source
    }
    lines: list[str] = []
    local: list[LocalProject] = []
    for number, dependency in enumerate(dependencies, start=1):
        origin = f"{path} dependency {number}"
        named = _NAMED.match(dependency)
        source = paths.get(_normalize(named["name"])) if named else None
        if named is None or source is None:
            _requirement(dependency, path.parent, origin, lines, local)
            continue
        _add_local(
            _local_path(source, path.parent),
            named["extras"] or "",
            origin,
            lines,
            local,
        )
    return Requirements(source=path, lines=tuple(lines), local=tuple(local))


def _normalize(name: str) -> str:
    """PEP 503 normalized name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def names_distribution(lines: list[str], name: str) -> bool:
    """Whether requirement *lines* (as :class:`Requirements` holds them) name distribution *name*:
    ``name``, ``name[extra]>=1``, ``name @ url``, or a wheel file ``…/name-1.0-py3-none-any.whl``.
    """
    wanted = _normalize(name)
    for line in lines:
        if line.startswith("-"):
            continue
        spec = line.split(";")[0].strip()
        if spec.endswith(".whl"):
            spec = Path(spec.partition("[")[0]).name.partition("-")[0]
        named = _NAMED.match(spec)
        if named and _normalize(named["name"]) == wanted:
            return True
    return False
