"""Import time of lambdash and of each peer adapter, each in fresh interpreters.

Run: ``python benchmarks/imports.py [--runs N]``. For every module it starts ``python -X importtime
-c "import MODULE"`` N times and reports the median cumulative import time of the module itself
(what ``-X importtime`` prints on its last line), next to an empty interpreter's wall time. The
interpreter is started with ``-S``-free defaults so that site-packages resolve as in a venv.

Every module is timed from bytecode, as it runs on Lambda (``lambdash build`` ships bytecode):
pip compiled the peers when it installed them, and lambdash, installed editable, is compiled here
first, since with ``PYTHONDONTWRITEBYTECODE`` set nothing else would write its ``__pycache__``.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import statistics
import subprocess
import sys
import time

MODULES = {
    "lambdash": "lambdash",
    "aws-wsgi": "awsgi",
    "apig-wsgi": "apig_wsgi",
    "serverless-wsgi": "serverless_wsgi",
    "mangum": "mangum",
}


def import_time_us(module: str) -> int:
    """The cumulative import time of *module* in a fresh interpreter, in microseconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    last = [
        line for line in done.stderr.splitlines() if line.startswith("import time:")
    ][-1]
    return int(last.split("|")[1])


def wall_ms(code: str) -> float:
    """Wall time of a fresh interpreter running *code*, in milliseconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for module in MODULES.values():
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                compileall.compile_dir(location, quiet=1)
    rows: list[tuple[str, float, float]] = []
    baseline = statistics.median(wall_ms("pass") for _ in range(args.runs))
    for name, module in MODULES.items():
        try:
            samples = [import_time_us(module) / 1000 for _ in range(args.runs)]
        except subprocess.CalledProcessError:
            print(f"{name}: not installed (pip install -r benchmarks/requirements.txt)")
            continue
        wall = statistics.median(wall_ms(f"import {module}") for _ in range(args.runs))
        rows.append((name, statistics.median(samples), wall - baseline))
    lambdash_ms = next((ms for name, ms, _ in rows if name == "lambdash"), None)
    print(
        f"# Import time, median of {args.runs} fresh interpreters (CPython {sys.version.split()[0]})"
    )
    print()
    print(
        "| module | -X importtime, ms | wall over `python -c pass`, ms | lambdash / this |"
    )
    print("| --- | ---: | ---: | ---: |")
    for name, ms, extra in rows:
        ratio = (
            f"{lambdash_ms / ms:.2f}x"
            if lambdash_ms is not None and name != "lambdash"
            else ""
        )
        print(f"| {name} | {ms:.1f} | {extra:.1f} | {ratio} |")
    print()
    print(f"An empty interpreter takes {baseline:.1f} ms.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
