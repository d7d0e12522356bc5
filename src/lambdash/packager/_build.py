"""``build()``: from the app's directory to a Lambda package, without Docker."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import get_args

import lambdash
from lambdash._command import CommandError
from lambdash.local._template import TemplateSettings
from lambdash.local._template import read_template
from lambdash.packager._app import AppFiles
from lambdash.packager._app import app_files
from lambdash.packager._app import copy_app
from lambdash.packager._app import handler_found
from lambdash.packager._bytecode import Interpreter
from lambdash.packager._bytecode import find_python
from lambdash.packager._pip import PipRunner
from lambdash.packager._pip import SubprocessPip
from lambdash.packager._pip import install_args
from lambdash.packager._pip import install_failure
from lambdash.packager._pip import not_on_index
from lambdash.packager._pip import run_pip
from lambdash.packager._pip import summarize
from lambdash.packager._precompile import precompile
from lambdash.packager._progress import NullProgress
from lambdash.packager._progress import Progress
from lambdash.packager._report import BuildReport
from lambdash.packager._report import Bytecode
from lambdash.packager._report import PackageSize
from lambdash.packager._report import Sources
from lambdash.packager._report import limit_warnings
from lambdash.packager._requirements import Requirements
from lambdash.packager._requirements import names_distribution
from lambdash.packager._requirements import read_pyproject
from lambdash.packager._requirements import read_requirements
from lambdash.packager._samtemplate import build_template
from lambdash.packager._samtemplate import function_architecture
from lambdash.packager._sources import Dropped
from lambdash.packager._sources import drop_sources
from lambdash.packager._strip import Stripped
from lambdash.packager._strip import find_strip
from lambdash.packager._strip import strip_extensions
from lambdash.packager._target import Target
from lambdash.packager._target import make_target
from lambdash.packager._trim import LAMBDA_PROVIDED
from lambdash.packager._trim import Trimmed
from lambdash.packager._trim import chooses_react_version
from lambdash.packager._trim import forget_local_paths
from lambdash.packager._trim import imports_setuptools
from lambdash.packager._trim import remove_distributions
from lambdash.packager._trim import trim
from lambdash.packager._trim import uses_dash_dev_tools
from lambdash.packager._verify import Verification
from lambdash.packager._verify import app_imports_lambdash
from lambdash.packager._verify import explain
from lambdash.packager._verify import lambda_environment
from lambdash.packager._verify import verify_package
from lambdash.packager._wheels import build_local_wheels
from lambdash.packager._wheels import write_self_wheel
from lambdash.packager._zip import measure
from lambdash.packager._zip import sam_zipped_size
from lambdash.packager._zip import write_zip

__all__ = ["DEFAULT_RUNTIME", "build"]

DEFAULT_RUNTIME = "python3.13"

StrPath = str | os.PathLike[str]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Plan:
    target: Target
    template: Path | None
    settings: TemplateSettings | None
    code_dir: Path
    output: Path
    requirements: Requirements
    app: AppFiles
    warnings: tuple[str, ...]


def build(
    project_dir: StrPath = ".",
    *,
    runtime: str | None = None,
    arch: str | None = None,
    output: StrPath | None = None,
    requirements: StrPath | None = None,
    template: StrPath | None = None,
    pip_runner: PipRunner | None = None,
    progress: Progress | None = None,
    bytecode: Bytecode = "imported",
    sources: Sources = "keep",
    strip: bool = True,
    verify: bool = True,
    verbose: bool = False,
) -> BuildReport:
    """Build the Lambda package of the app in *project_dir*.

    pip installs Linux wheels for the runtime and architecture; what Lambda provides (boto3) is
    left out, what no app loads is trimmed, the app's code is copied in, and everything is compiled
    to unchecked-hash bytecode by a Python of the runtime's version, when one is on PATH: the
    modules the app imports when that Python runs it once (it imports the template's Handler and
    serves ``/``, ``/_dash-layout`` and ``/_dash-dependencies``), or every module when it cannot.

    :param project_dir: the app's directory: its ``template.yaml``, ``requirements.txt`` and code.
    :param runtime: ``python3.10`` to ``python3.14``; default: the template's, else python3.13.
    :param arch: ``x86_64`` or ``arm64``; default: the template's, else x86_64.
    :param output: a path ending in ``.zip`` for a reproducible zip, or a directory (default
        ``.aws-sam/build`` beside the template) for ``sam deploy``: ``template.yaml`` and the
        function's directory, as ``sam build`` lays them out.
    :param requirements: a requirements file or a pyproject.toml; default: ``requirements.txt``
        in the code directory, the handler's package or *project_dir*, else a pyproject.toml.
    :param template: the SAM template; default: ``template.yaml`` in *project_dir*, if present.
        The code directory is its function's ``CodeUri``, else *project_dir*.
    :param pip_runner: runs pip; default: ``python -m pip`` on a Python of the runtime's version
        when one is found (pip evaluates environment markers for the Python it runs on).
    :param progress: receives the steps as they run.
    :param bytecode: ``"imported"`` compiles the modules the app imports when it runs at build
        time, ``"all"`` every module (a larger package; the first use of a module the app imports
        later, on another page or in a callback, then needs no compiling either).
    :param sources: ``"keep"`` ships each module's source beside its bytecode; ``"drop"`` ships
        the compiled third-party modules as bytecode only (``pkg/mod.pyc`` in place of
        ``pkg/mod.py``), a smaller package whose tracebacks through those modules show no source
        lines and whose ``inspect.getsource`` fails for them. The app's own code and lambdash
        keep their sources, and so does every module without bytecode.
    :param strip: strip the installed packages' compiled extensions of their symbol tables and
        debug sections with GNU strip, when it is on PATH (auditwheel-patched files excepted).
    :param verify: prove the package before writing it (:func:`~._verify.verify_package`): its
        Handler (the template's, else ``lambda_handler.lambda_handler`` when the code has the
        ``lambda_handler.py`` that ``lambdash init`` writes) imports from the package alone and
        answers ``GET /``; a package that cannot is an error.
    :param verbose: log pip's command line when pip fails (its output is logged always).
    :raises CommandError: with a hint, when the app cannot be built for the target, or its
        package cannot import its app.
    """
    if bytecode not in get_args(Bytecode):
        msg = f"unknown bytecode choice {bytecode!r}; choose 'imported' or 'all'"
        raise CommandError(msg)
    if sources not in get_args(Sources):
        msg = f"unknown sources choice {sources!r}; choose 'keep' or 'drop'"
        raise CommandError(msg)
    started = time.monotonic()
    progress = progress or NullProgress()
    plan = _plan(Path(project_dir), runtime, arch, output, requirements, template)
    target = plan.target
    notes: list[str] = []
    warnings = list(plan.warnings)
    interpreter = find_python(target.python_version)
    # The lambdash the handler imports ships whether or not the requirements name it.
    add_lambdash = app_imports_lambdash(
        [plan.code_dir / f for f in plan.app.files if f.suffix == ".py"]
    )
    needs_pip = bool(plan.requirements.lines or plan.requirements.local or add_lambdash)
    if pip_runner is None:
        pip_python = interpreter.path if interpreter and interpreter.has_pip else None
        pip_runner = SubprocessPip(python=pip_python)
        if pip_python is None and needs_pip:
            notes.append(
                f"pip evaluated environment markers (python_version < …) for Python "
                f"{sys.version_info[0]}.{sys.version_info[1]}, which runs lambdash, not for "
                f"{target.runtime}; put a python{target.python_version} with pip on PATH to have "
                "them evaluated for the runtime"
            )
    with tempfile.TemporaryDirectory(prefix="lambdash-build-") as work_name:
        work = Path(work_name)
        staging = work / "package"
        staging.mkdir()
        if needs_pip:
            _install(
                plan,
                pip_runner,
                work,
                staging,
                progress,
                add_lambdash=add_lambdash,
                verbose=verbose,
            )
        else:
            notes.append(
                "no requirements.txt or pyproject.toml dependencies: the package holds the app's code only"
            )
        removed, trimmed, app, stripped = _trim_and_copy(
            plan, staging, progress, warnings, notes, strip=strip
        )
        handler = _handler(plan)
        environment = _environment(plan, staging)
        verification = (
            _prove(plan, staging, handler, interpreter, environment, progress, notes)
            if verify
            else None
        )
        compiled = precompile(
            staging,
            target=target,
            handler=handler,
            environment=environment,
            interpreter=interpreter,
            bytecode=bytecode,
            progress=progress,
            found=verification.run if verification else None,
        )
        notes += compiled.notes
        warnings += compiled.warnings
        dropped = (
            _drop(staging, target, app, progress)
            if sources == "drop"
            else Dropped(files=0, size=0)
        )
        written = _write(plan, staging, progress)
    unzipped = sum(size for size, _ in written.sizes.values())
    return BuildReport(
        target=target,
        output=written.output,
        template=written.template,
        function=plan.settings.function if plan.settings else None,
        packages=tuple(
            PackageSize(name=name, size=size, files=count)
            for name, (size, count) in sorted(
                written.sizes.items(), key=lambda item: (-item[1][0], item[0])
            )
        ),
        unzipped_size=unzipped,
        zipped_size=written.zipped,
        files=sum(count for _, count in written.sizes.values()),
        removed=tuple(removed),
        trimmed_files=trimmed.total_files,
        trimmed_size=trimmed.total_size,
        python=interpreter.path if interpreter else None,
        compiled_modules=compiled.modules,
        bytecode=compiled.bytecode,
        sources=sources,
        dropped_files=dropped.files,
        dropped_size=dropped.size,
        stripped_files=stripped.files,
        stripped_size=stripped.saved,
        sha256=written.sha256,
        verified=_verified(verification) if verify else "skipped (--no-verify)",
        seconds=time.monotonic() - started,
        notes=tuple(notes),
        warnings=(*warnings, *limit_warnings(unzipped, written.zipped)),
    )


def _plan(
    project: Path,
    runtime: str | None,
    arch: str | None,
    output: StrPath | None,
    requirements: StrPath | None,
    template: StrPath | None,
) -> _Plan:
    project = project.absolute()
    template_path = (
        Path(template).absolute() if template else _default_template(project)
    )
    settings = read_template(template_path) if template_path else None
    warnings: list[str] = []
    from_template = {
        "Runtime": settings.runtime if settings else None,
        "Architectures": function_architecture(template_path, settings.function)
        if template_path and settings
        else None,
    }
    for flag, key, value in (
        ("--runtime", "Runtime", runtime),
        ("--arch", "Architectures", arch),
    ):
        theirs = from_template[key]
        if value and isinstance(theirs, str) and theirs != value:
            warnings.append(
                f"{flag} {value} differs from the template's {key} {theirs}: "
                f"the function would run this package on {theirs}"
            )
    template_runtime = from_template["Runtime"]
    target = make_target(
        runtime
        or (template_runtime if isinstance(template_runtime, str) else DEFAULT_RUNTIME),
        arch or from_template["Architectures"] or "x86_64",
    )
    code_dir = settings.code_dir.absolute() if settings else project
    if not code_dir.is_dir():
        msg = f"the template's CodeUri {str(code_dir)!r} is not a directory"
        raise CommandError(msg, hint="point CodeUri at the directory of the app's code")
    base = template_path.parent if template_path else project
    out = Path(output).absolute() if output else base / ".aws-sam" / "build"
    handler = settings.handler if settings else None
    found = _find_requirements(requirements, code_dir, project, handler)
    app = app_files(code_dir, exclude=[out, *(p.path for p in found.local)])
    if not any(f.suffix == ".py" for f in app.files):
        msg = f"there is no Python code in {code_dir} to build"
        raise CommandError(msg, hint=_INIT_HINT)
    if out.suffix != ".zip" and settings is None:
        msg = f"a directory output ({out}) needs a SAM template, to name the function's directory"
        raise CommandError(
            msg,
            hint="run lambdash init APP to write one (APP is your app's module:attribute, such "
            "as app:app), pass --template, or -o app.zip for a zip",
        )
    return _Plan(
        target=target,
        template=template_path,
        settings=settings,
        code_dir=code_dir,
        output=out,
        requirements=found,
        app=app,
        warnings=tuple(warnings),
    )


_INIT_HINT = (
    "run lambdash build in your app's directory (or pass --dir); lambdash init APP (your app's "
    "module:attribute, such as app:app) writes the handler and template.yaml there"
)


def _default_template(project: Path) -> Path | None:
    for name in ("template.yaml", "template.yml"):
        if (project / name).is_file():
            return project / name
    return None


def _find_requirements(
    explicit: StrPath | None, code_dir: Path, project: Path, handler: str | None
) -> Requirements:
    if explicit:
        path = Path(explicit).absolute()
        return (
            read_pyproject(path)
            if path.name == "pyproject.toml"
            else read_requirements(path)
        )
    directories = [code_dir]
    # The user story keeps requirements.txt in the handler's package (dash_app_dir/), as
    # sam build --manifest dash_app_dir/requirements.txt expects.
    module = (handler or "").rpartition(".")[0]
    if "." in module:
        directories.append(code_dir.joinpath(*module.split(".")[:-1]))
    directories.append(project)
    for directory in dict.fromkeys(directories):
        if (directory / "requirements.txt").is_file():
            return read_requirements(directory / "requirements.txt")
    for directory in dict.fromkeys(directories):
        if (directory / "pyproject.toml").is_file():
            return read_pyproject(directory / "pyproject.toml")
    return Requirements(source=None)


def _install(
    plan: _Plan,
    runner: PipRunner,
    work: Path,
    staging: Path,
    progress: Progress,
    *,
    add_lambdash: bool,
    verbose: bool,
) -> None:
    target = plan.target
    lines = list(plan.requirements.lines)
    if plan.requirements.local:
        progress.step("building local packages")
        built = build_local_wheels(
            plan.requirements.local,
            runner=runner,
            directory=work / "local",
            on_line=progress.output,
            verbose=verbose,
        )
        lines += built
        progress.done(
            "built local packages into wheels: "
            + ", ".join(line.partition(" @ ")[0] for line in built)
        )
    wheel = write_self_wheel(work / "self")
    if add_lambdash and not names_distribution(lines, "lambdash"):
        progress.step("adding lambdash")
        lines.append(f"lambdash @ {wheel.as_uri()}")
        source = plan.requirements.source
        progress.done(
            f"lambdash {wheel.name.split('-')[1]} {_lambdash_origin()} is in the package "
            f"({f'{source.name} does not name it' if source else 'there is no requirements.txt'})"
        )
    requirements_file = work / "requirements.txt"
    requirements_file.write_text("\n".join(lines) + "\n")
    progress.step(f"pip install for {target.runtime} on {target.arch}")
    result = run_pip(
        runner,
        install_args(
            target,
            staging=staging,
            requirements=requirements_file,
            find_links=[wheel.parent],
        ),
        on_line=progress.output,
        verbose=verbose,
    )
    if result.returncode != 0:
        raise not_on_index(
            runner, result, lines=lines, on_line=progress.output
        ) or install_failure(result, target)
    forget_local_paths(staging)
    source = plan.requirements.source
    progress.done(
        f"pip {summarize(result.output)}" + (f" from {source}" if source else "")
    )


def _lambdash_origin() -> str:
    package = Path(lambdash.__file__).parent
    installed = {"site-packages", "dist-packages"} & set(package.parts)
    return f"from {'this environment' if installed else 'this checkout'} ({package})"


def _trim_and_copy(
    plan: _Plan,
    staging: Path,
    progress: Progress,
    warnings: list[str],
    notes: list[str],
    *,
    strip: bool,
) -> tuple[list[str], Trimmed, list[Path], Stripped]:
    progress.step("trimming")
    removed = remove_distributions(staging, LAMBDA_PROVIDED)
    found = plan.app
    files = found.files
    if found.broken_links:
        warnings.append(
            "left out symbolic links to files that do not exist: "
            + ", ".join(link.as_posix() for link in found.broken_links)
        )
    if found.loops:
        warnings.append(
            "left out directories a symbolic link leads back into (a loop): "
            + ", ".join(loop.as_posix() for loop in found.loops)
        )
    if found.special:
        warnings.append(
            "left out named pipes, sockets and devices, which have no contents to ship: "
            + ", ".join(path.as_posix() for path in found.special)
        )
    keep_setuptools = imports_setuptools(plan.code_dir / f for f in files)
    scanned = [
        *(plan.code_dir / f for f in files),
        *([plan.template] if plan.template else []),
    ]
    keep_dev_bundles = uses_dash_dev_tools(scanned)
    keep_react = chooses_react_version(scanned)
    trimmed = trim(
        staging,
        keep_setuptools=keep_setuptools,
        keep_dash_dev_bundles=keep_dev_bundles,
        keep_react_versions=keep_react,
    )
    kept = [
        *(["setuptools: the app imports it"] if keep_setuptools else []),
        *(
            ["Dash's dev bundles: the app turns on dev tools"]
            if keep_dev_bundles
            else []
        ),
        *(["every React version Dash ships: the app picks one"] if keep_react else []),
    ]
    progress.done(
        (f"left out {', '.join(removed)} (Lambda provides them); " if removed else "")
        + f"trimmed {trimmed.total_files:,} files, {trimmed.total_size / 1024 / 1024:.1f} MB"
        + (f" (kept {'; '.join(kept)})" if kept else "")
    )
    stripped = _strip(staging, progress, notes) if strip else _NOT_STRIPPED
    progress.step("copying the app")
    shadowed = copy_app(plan.code_dir, files, staging)
    progress.done(f"copied {len(files):,} files of the app from {plan.code_dir}")
    if shadowed:
        warnings.append(
            f"the app's {', '.join(shadowed)} has the name of an installed package's: "
            "its files were copied over the package's"
        )
    handler = plan.settings.handler if plan.settings else None
    if handler and not handler_found(staging, handler):
        warnings.append(
            f"the template's Handler {handler!r} names a module that is not in the package"
        )
    return removed, trimmed, files, stripped


_NOT_STRIPPED = Stripped(files=0, saved=0, failed=0)


def _handler(plan: _Plan) -> str | None:
    """The function Lambda runs: the template's Handler, else the module lambdash init writes."""
    if plan.settings is not None and plan.settings.handler:
        return plan.settings.handler
    if (plan.code_dir / "lambda_handler.py").is_file():
        return "lambda_handler.lambda_handler"
    return None


def _environment(plan: _Plan, staging: Path) -> dict[str, str]:
    return lambda_environment(
        function=plan.settings.function if plan.settings else "function",
        runtime=plan.target.runtime,
        root=staging,
    )


def _prove(
    plan: _Plan,
    staging: Path,
    handler: str | None,
    interpreter: Interpreter | None,
    environment: Mapping[str, str],
    progress: Progress,
    notes: list[str],
) -> Verification | None:
    """Verify the package before it is written; raise when it cannot serve."""
    if handler is None:
        notes.append(
            "the package is not verified: with no template Handler, and no lambda_handler.py "
            "(which lambdash init writes), which function Lambda runs is unknown (pass --template)"
        )
        return None
    progress.step(f"verifying: importing {handler} from the package alone, then GET /")
    verification = verify_package(
        staging,
        handler=handler,
        interpreter=interpreter,
        target=plan.target,
        environment=environment,
    )
    if not verification.ok:
        progress.done(f"failed: {handler} cannot serve from the package")
        raise _unproven(verification, plan)
    run = verification.run
    progress.done(
        f"verified {handler}: it imports from the package alone and GET / answered "
        f"{verification.status}; it loaded {len(run.modules):,} modules of the package"
        if verification.ran and run is not None
        else f"checked {handler} without running it ({verification.why_not_run}): the "
        f"imports of {verification.checked:,} of the app's modules are all in the package"
    )
    if not verification.ran:
        notes.append(
            f"could not run the package at build time ({verification.why_not_run}), so it was "
            "checked without importing it: the modules the app's code imports are in the "
            "package, but their own imports, their native libraries and GET / are unproven. "
            f"Build where a python{plan.target.python_version} runs Linux "
            f"{plan.target.arch} (CI or a container) to prove it"
        )
    return verification


def _verified(verification: Verification | None) -> str:
    if verification is None:
        return "no: see the note below"
    if verification.ran:
        return (
            f"{verification.handler} imported from the package alone by {verification.python}; "
            f"GET / answered {verification.status}"
        )
    return (
        f"{verification.handler}: its imports resolve in the package (not run: see the note "
        "below)"
    )


def _unproven(verification: Verification, plan: _Plan) -> CommandError:
    source = plan.requirements.source
    where = (
        f"{plan.code_dir / 'requirements.txt'} (a new file: build reads it)"
        if source is None
        else f"[project] dependencies in {source}"
        if source.name == "pyproject.toml"
        else f"{source}, the requirements file this build read"
    )
    message, hint = explain(verification, requirements=where)
    return CommandError(message, hint=hint)


def _strip(staging: Path, progress: Progress, notes: list[str]) -> Stripped:
    """Strip the installed packages' extensions; the app's own files are copied in later."""
    strip = find_strip()
    if strip is None:
        notes.append(
            "GNU strip is not on PATH: compiled extensions keep their symbol tables and debug "
            "sections (install binutils for a smaller package)"
        )
        return _NOT_STRIPPED
    progress.step("stripping compiled extensions")
    stripped = strip_extensions(staging, strip=strip)
    progress.done(
        f"stripped {stripped.files:,} compiled extensions of "
        f"{stripped.saved / 1024 / 1024:.1f} MB of symbols and debug sections"
    )
    if stripped.failed:
        notes.append(
            f"{stripped.failed:,} shared objects were kept as they are: strip failed on "
            "them (built for another architecture than this machine's strip reads, say) or "
            "its output failed the load-segment check"
        )
    return stripped


def _drop(
    staging: Path, target: Target, app: list[Path], progress: Progress
) -> Dropped:
    progress.step("dropping the sources of compiled third-party modules")
    dropped = drop_sources(
        staging,
        cache_tag=f"cpython-{target.python_version.replace('.', '')}",
        keep=app,
    )
    progress.done(
        f"dropped {dropped.files:,} sources, {dropped.size / 1024 / 1024:.1f} MB: those "
        "modules ship bytecode only"
    )
    return dropped


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Written:
    output: Path
    template: Path | None
    sizes: dict[str, tuple[int, int]]
    zipped: int
    sha256: str | None


def _write(plan: _Plan, staging: Path, progress: Progress) -> _Written:
    sizes = measure(staging)
    out = plan.output
    progress.step(f"writing {out}")
    if out.suffix == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        # Created as any file the user writes is, 0666 less the umask (tempfile's are 0600),
        # then renamed over the old zip in one step.
        temporary = out.parent / f".{out.name}.{secrets.token_hex(8)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(descriptor, "wb") as file:
                write_zip(staging, file)
            os.replace(temporary, out)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        zipped = out.stat().st_size
        progress.done(f"wrote {out}: {zipped / 1024 / 1024:.1f} MB")
        return _Written(
            output=out, template=None, sizes=sizes, zipped=zipped, sha256=digest
        )
    assert plan.settings is not None
    assert plan.template is not None
    zipped = sam_zipped_size(staging)
    function_dir = out / plan.settings.function
    if function_dir.exists():
        shutil.rmtree(function_dir)
    out.mkdir(parents=True, exist_ok=True)
    shutil.move(staging, function_dir)
    template = out / "template.yaml"
    template.write_text(
        build_template(
            plan.template.read_text(),
            function=plan.settings.function,
            code_uri=plan.settings.function,
            source_dir=plan.template.parent,
            out_dir=out,
        )
    )
    progress.done(f"wrote {function_dir} and {template}")
    return _Written(
        output=function_dir, template=template, sizes=sizes, zipped=zipped, sha256=None
    )
