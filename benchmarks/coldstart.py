"""Cold start and size of the demo app packaged by ``lambdash build`` and the way ``sam build`` does.

Run: ``python benchmarks/coldstart.py [--pandas] [--sources-drop] [--runs N]``. It builds
examples/dash_app twice (three times with ``--sources-drop``) in a temporary directory:

- **lambdash**: ``lambdash build --runtime python3.11 --arch x86_64 -o lambdash.zip``, unzipped;
- **lambdash, sources dropped** (with ``--sources-drop``): the same with ``--sources drop``;
- **plain**: what ``sam build`` makes, ``pip install --target`` of the demo's requirements (the
  ``lambdash`` line replaced by a wheel of this checkout) for CPython 3.11 and every manylinux
  tag python3.11 on x86_64 loads (as lambdash build, so that both hold the same versions), with
  ``--no-compile``, plus ``app.py`` and ``assets/``.

With ``--pandas`` both also get ``pandas`` (and ``app.py`` an ``import pandas``), edited in a copy
of the demo. Each package directory is made read-only, then run N times, alternating, in a fresh
``env -i ... python -S`` with ``PYTHONPATH`` set to the package and ``PYTHONDONTWRITEBYTECODE=1``
(as on Lambda, nothing can cache bytecode). The child imports ``app`` and calls
``app.lambda_handler`` with an HTTP API 2.0 event for ``/``, then ``/_dash-layout``; the parent
notes the wall time from starting the process to reading each response's line, and the child its
own times since its first statement. One extra run per package, not counted, warms the file cache.
Sizes are in MB of 2**20 bytes, the unit of ``lambdash build``'s report and of Lambda's limits; the
plain package is zipped with deflate level 6.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lambdash.packager._target import make_target

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "dash_app"
PYTHON = sys.executable
MB = (
    2**20
)  # as `lambdash build` reports sizes, and as Lambda's 50 MB and 250 MB limits count
LAMBDASH = str(Path(sys.executable).parent / "lambdash")

# The child: times are perf_counter seconds since its first statement.
CHILD = """\
import time
t0 = time.perf_counter()
import json
import app
t_import = time.perf_counter() - t0
def event(path):
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "abc123.execute-api.us-east-1.amazonaws.com", "accept": "*/*"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "192.0.2.1", "userAgent": "coldstart"},
            "requestId": "coldstart",
            "routeKey": "$default",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
for path in ("/", "/_dash-layout"):
    response = app.lambda_handler(event(path), None)
    status = response["statusCode"]
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    elapsed = time.perf_counter() - t0
    print(json.dumps({"path": path, "import": t_import, "elapsed": elapsed}), flush=True)
"""


@dataclass
class Run:
    """One cold start, in milliseconds."""

    wall_index: float
    wall_layout: float
    import_app: float
    inproc_index: float
    inproc_layout: float


@dataclass
class Package:
    """A built package: its directory and its zip."""

    name: str
    directory: Path
    zip_path: Path
    runs: list[Run]


def run(command: list[str], cwd: Path | None = None) -> None:
    """Run *command*, its output hidden unless it fails."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        msg = f"failed ({done.returncode}): {' '.join(command)}"
        raise SystemExit(msg)


def copy_demo(tmp: Path, pandas: bool) -> Path:
    """A copy of the demo app, with pandas added when asked."""
    demo = tmp / "demo"
    shutil.copytree(
        DEMO, demo, ignore=shutil.ignore_patterns("__pycache__", ".aws-sam")
    )
    if pandas:
        requirements = demo / "requirements.txt"
        requirements.write_text(requirements.read_text().rstrip("\n") + "\npandas\n")
        app = demo / "app.py"
        source = app.read_text()
        marker = "import mimetypes\n"
        if marker not in source:
            msg = f"cannot add `import pandas` to {app}: no line {marker.strip()!r}"
            raise SystemExit(msg)
        app.write_text(
            source.replace(marker, marker + "\nimport pandas  # noqa: F401\n", 1)
        )
    return demo


def build_lambdash(tmp: Path, demo: Path, *, sources: str = "keep") -> Package:
    """``lambdash build -o lambdash.zip``, unzipped into ``lambdash/``; with ``sources="drop"``
    ``lambdash build --sources drop``, into ``lambdash-drop/``."""
    name = "lambdash" if sources == "keep" else f"lambdash-{sources}"
    zip_path = tmp / f"{name}.zip"
    run(
        [
            LAMBDASH,
            "build",
            "--dir",
            str(demo),
            "--runtime",
            "python3.11",
            "--arch",
            "x86_64",
            "--sources",
            sources,
            "-o",
            str(zip_path),
        ]
    )
    directory = tmp / name
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(directory)
    label = "lambdash" if sources == "keep" else "lambdash, sources dropped"
    return Package(label, directory, zip_path, [])


def build_plain(tmp: Path, demo: Path) -> Package:
    """What ``sam build`` writes: a ``pip install --target`` of the requirements, plus the app."""
    wheels = tmp / "wheels"
    run([PYTHON, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)])
    wheel = next(wheels.glob("lambdash-*.whl"))
    lines = [
        str(wheel) if line.strip() == "lambdash" else line
        for line in (demo / "requirements.txt").read_text().splitlines()
    ]
    requirements = tmp / "plain-requirements.txt"
    requirements.write_text("\n".join(lines) + "\n")
    directory = tmp / "plain"
    run(
        [
            PYTHON,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--target",
            str(directory),
            # The manylinux tags python3.11 on x86_64 loads (glibc 2.26), as lambdash build
            # uses them: both packages then hold the same versions (pandas 3 ships only
            # manylinux_2_24 wheels, which manylinux2014 alone would pass over for pandas 2),
            # as sam build's do, which takes any wheel the runtime's glibc loads.
            *(
                arg
                for tag in make_target("python3.11", "x86_64").platform_tags()
                for arg in ("--platform", tag)
            ),
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            "--no-compile",
            "-r",
            str(requirements),
        ]
    )
    shutil.copy2(demo / "app.py", directory / "app.py")
    shutil.copytree(demo / "assets", directory / "assets")
    zip_path = tmp / "plain.zip"
    with zipfile.ZipFile(
        zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=6
    ) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return Package("plain", directory, zip_path, [])


def cold_start(directory: Path) -> Run:
    """One fresh interpreter serving ``/`` then ``/_dash-layout`` from *directory*."""
    command = [
        "env",
        "-i",
        f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}",
        f"PYTHONPATH={directory}",
        "PYTHONDONTWRITEBYTECODE=1",
        PYTHON,
        "-S",
        "-c",
        CHILD,
    ]
    started = time.perf_counter()
    with subprocess.Popen(
        command,
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        lines: list[tuple[float, dict[str, float]]] = []
        for line in child.stdout:
            lines.append(((time.perf_counter() - started) * 1000, json.loads(line)))
        error = child.stderr.read()
    if child.returncode != 0 or len(lines) != 2:
        sys.stderr.write(error)
        msg = f"the cold start in {directory} failed ({child.returncode})"
        raise SystemExit(msg)
    (wall_index, index), (wall_layout, layout) = lines
    return Run(
        wall_index=wall_index,
        wall_layout=wall_layout,
        import_app=index["import"] * 1000,
        inproc_index=index["elapsed"] * 1000,
        inproc_layout=layout["elapsed"] * 1000,
    )


def unzipped_mb(directory: Path) -> float:
    """The sum of the sizes of the files under *directory*, in MB."""
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / MB


def cpu_model() -> str:
    """The CPU's model name, from /proc/cpuinfo where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def table(plain: Package, *built: Package) -> str:
    """The Markdown table of medians, and the ratio of each lambdash build to plain."""

    def medians(package: Package) -> list[float]:
        runs = package.runs
        return [
            statistics.median(r.wall_index for r in runs),
            statistics.median(r.wall_layout for r in runs),
            statistics.median(r.import_app for r in runs),
            statistics.median(r.inproc_index for r in runs),
            statistics.median(r.inproc_layout for r in runs),
            unzipped_mb(package.directory),
            package.zip_path.stat().st_size / MB,
        ]

    header = (
        "| package | index, wall (ms) | layout, wall (ms) | import app, in-process (ms) "
        "| index, in-process (ms) | layout, in-process (ms) | unzipped (MB) | zipped (MB) |"
    )
    rows = [header, "| --- |" + " ---: |" * 7]
    plain_values = medians(plain)
    values = {package.name: medians(package) for package in built}
    for name, row in (("plain", plain_values), *values.items()):
        cells = [f"{v:.0f}" for v in row[:5]] + [f"{v:.1f}" for v in row[5:]]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, row in values.items():
        ratios = [f"{a / b:.2f}" for a, b in zip(row, plain_values, strict=True)]
        rows.append(f"| ratio {name}/plain | " + " | ".join(ratios) + " |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pandas", action="store_true", help="add pandas to both builds"
    )
    parser.add_argument(
        "--sources-drop",
        action="store_true",
        help="also build with lambdash build --sources drop (a third row)",
    )
    parser.add_argument("--runs", type=int, default=7, help="cold starts per package")
    args = parser.parse_args()
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="lambdash-coldstart-"))
    try:
        demo = copy_demo(tmp, args.pandas)
        print("building with lambdash build ...", file=sys.stderr, flush=True)
        built = [build_lambdash(tmp, demo)]
        if args.sources_drop:
            print(
                "building with lambdash build --sources drop ...",
                file=sys.stderr,
                flush=True,
            )
            built.append(build_lambdash(tmp, demo, sources="drop"))
        print("building plain (pip install --target) ...", file=sys.stderr, flush=True)
        plain = build_plain(tmp, demo)
        packages = [plain, *built]
        for package in packages:
            run(["chmod", "-R", "a-w", str(package.directory)])
            cold_start(package.directory)  # warms the file cache, not counted
        print(
            f"measuring {args.runs} cold starts each ...", file=sys.stderr, flush=True
        )
        for _ in range(args.runs):
            for package in packages:
                package.runs.append(cold_start(package.directory))
        title = "demo app + pandas" if args.pandas else "demo app"
        print(
            f"Cold start of the {title}, median of {args.runs} runs (python3.11, x86_64)\n"
        )
        print(table(plain, *built))
        print(
            f"\nMachine: {cpu_model()}, {os.cpu_count()} CPUs; Python {platform.python_version()}"
            f"; {datetime.date.today().isoformat()}"
        )
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(tmp)], check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"(took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
