"""``python -m lambdash.sam._probe ARGS``: import the app, and name the distributions it loaded.

``lambdash init`` runs this in a child process, so that the app's import (and whatever it does
on import) touches neither init's own process nor the user's environment. Argument 1 is a JSON
object: ``spec``, ``directory``, ``out``. The report written to ``out`` is JSON: ``error``
(message, hint, details) or ``distributions``, one ``[name, version, direct_url]`` each.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lambdash.local._importing import TargetError
from lambdash.local._importing import import_object
from lambdash.packager._imports import RUNTIME_PROVIDED

__all__ = ["distributions_of", "main"]


def distributions_of(modules: dict[str, str | None]) -> list[list[str | None]]:
    """``[name, version, direct_url.json text]`` for each distribution *modules* came from.

    The standard library, lambdash and what the Lambda runtime provides are left out, and so
    are modules no distribution provides: the app's own.

    :param modules: module names, each with its file (``None`` for namespace packages).
    """
    provided = set(sys.stdlib_module_names) | set(RUNTIME_PROVIDED) | {"lambdash"}
    by_top: dict[str, set[str]] = {}
    for name, file in modules.items():
        files = by_top.setdefault(name.partition(".")[0], set())
        if file:
            files.add(os.path.realpath(file))
    mapping = importlib.metadata.packages_distributions()
    names: set[str] = set()
    for top in sorted(by_top.keys() - provided):
        names.update(_owners(mapping.get(top, []), by_top[top]))
    found = []
    for name in sorted(names):
        distribution = importlib.metadata.distribution(name)
        canonical = distribution.metadata["Name"]
        if canonical.lower() != "lambdash":
            found.append(
                [
                    canonical,
                    distribution.version,
                    distribution.read_text("direct_url.json"),
                ]
            )
    return found


def _owners(names: list[str], files: set[str]) -> Iterable[str]:
    # A namespace package (google, azure) is shared: the owners are the distributions whose
    # files the app loaded, and all of them when their records do not say.
    if len(names) <= 1:
        return names
    owning = [name for name in names if files & _files_of(name)]
    return owning or names


def _files_of(name: str) -> set[str]:
    distribution = importlib.metadata.distribution(name)
    return {
        os.path.realpath(str(distribution.locate_file(path)))
        for path in distribution.files or ()
    }


def main(argument: str) -> None:
    args: dict[str, Any] = json.loads(argument)
    before = set(sys.modules)
    report: dict[str, Any] = {"error": None, "distributions": []}
    try:
        import_object(args["spec"], args["directory"], dir_option="--dir")
    except TargetError as exc:
        report["error"] = [str(exc), exc.hint, exc.details]
    else:
        loaded = {
            name: getattr(module, "__file__", None)
            for name, module in list(sys.modules.items())
            if name not in before
        }
        report["distributions"] = distributions_of(
            {n: f if isinstance(f, str) else None for n, f in loaded.items()}
        )
    Path(args["out"]).write_text(json.dumps(report), encoding="utf-8")
    # Threads the app started must not keep init waiting.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
