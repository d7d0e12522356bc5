"""Stripping compiled extensions: real shared objects built with gcc, stripped with GNU strip.

Skipped where gcc or GNU strip is missing, unless ``LAMBDASH_REQUIRE_BINUTILS=1`` (set by CI)
turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from lambdash.packager._strip import Stripped
from lambdash.packager._strip import find_strip
from lambdash.packager._strip import strip_extensions

GCC = shutil.which("gcc")
STRIP = find_strip()
if GCC is None or STRIP is None:
    if os.environ.get("LAMBDASH_REQUIRE_BINUTILS") == "1":
        pytest.fail(
            "LAMBDASH_REQUIRE_BINUTILS=1 but gcc or GNU strip is missing: "
            "apt-get install -y gcc binutils",
            pytrace=False,
        )
    pytest.skip("gcc and GNU strip are needed", allow_module_level=True)

SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")
EXTENSION = """
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "%s", NULL, -1, methods};
PyMODINIT_FUNC PyInit_%s(void) { return PyModule_Create(&module); }
"""


def compile_extension(directory: Path, name: str, *extra: str) -> Path:
    """A Python extension module *name*, with debug sections, in *directory*."""
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / f"{name}.c"
    source.write_text(EXTENSION % (name, name))
    target = directory / f"{name}{SUFFIX}"
    subprocess.run(
        [
            str(GCC),
            "-g",
            "-shared",
            "-fPIC",
            f"-I{sysconfig.get_paths()['include']}",
            *extra,
            "-o",
            str(target),
            str(source),
        ],
        check=True,
    )
    source.unlink()
    return target


def imported_answer(root: Path, module: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}; print({module}.answer())"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_extensions_lose_their_debug_sections_and_still_import(tmp_path: Path) -> None:
    plain = compile_extension(tmp_path / "pkg", "plain")
    (tmp_path / "pkg" / "__init__.py").write_text("")
    # What auditwheel leaves: a grafted library in <name>.libs/ and an extension whose run path
    # names $ORIGIN to find it. Neither is touched.
    grafted = compile_extension(tmp_path / "pkg.libs", "grafted")
    patched = compile_extension(
        tmp_path / "pkg", "patched", "-Wl,-rpath,$ORIGIN/../pkg.libs"
    )
    not_elf = tmp_path / "pkg" / "notes.so"
    not_elf.write_bytes(b"not an ELF file")
    before = {p: p.read_bytes() for p in (plain, grafted, patched, not_elf)}

    stripped = strip_extensions(tmp_path, strip=str(STRIP))

    assert stripped == Stripped(
        files=1, saved=len(before[plain]) - plain.stat().st_size, failed=0
    )
    assert stripped.saved > 0
    assert b".debug_info" in before[plain]
    assert b".debug_info" not in plain.read_bytes()
    for path in (grafted, patched, not_elf):
        assert path.read_bytes() == before[path]
    assert imported_answer(tmp_path, "pkg.plain") == "42"


def test_a_file_strip_cannot_read_stays_as_it_is(tmp_path: Path) -> None:
    foreign = compile_extension(tmp_path, "foreign")
    data = bytearray(foreign.read_bytes())
    data[18:20] = (0xBEEF).to_bytes(
        2, "little"
    )  # e_machine: no architecture strip knows
    foreign.write_bytes(bytes(data))

    stripped = strip_extensions(tmp_path, strip=str(STRIP))

    assert stripped == Stripped(files=0, saved=0, failed=1)
    assert foreign.read_bytes() == bytes(data)


def test_only_gnu_strip_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # macOS's strip answers --version with an error; it cannot read Linux ELF files.
    fake = tmp_path / "strip"
    fake.write_text("#!/bin/sh\necho 'error: unknown argument' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_strip() is None
    fake.write_bytes(b"\x00\x01 not a program")  # exec fails: Exec format error
    assert find_strip() is None
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert find_strip() is None
    monkeypatch.setenv("PATH", str(Path(str(STRIP)).parent))
    assert find_strip() == STRIP


def fake_strip(directory: Path, body: str) -> str:
    """An executable that stands in for strip: *body* gets the file's path as ``path``."""
    script = directory / "fake-strip"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom pathlib import Path\n"
        f"path = Path(sys.argv[-1])\n{body}\n"
    )
    script.chmod(0o755)
    return str(script)


MISALIGN_FIRST_LOAD = """
import struct
data = bytearray(path.read_bytes())
(phoff,) = struct.unpack_from("<Q", data, 0x20)
size, count = struct.unpack_from("<HH", data, 0x36)
for i in range(count):
    at = phoff + i * size
    if struct.unpack_from("<I", data, at)[0] == 1:  # PT_LOAD: p_vaddr 16 bytes off p_offset
        (offset,) = struct.unpack_from("<Q", data, at + 8)
        struct.pack_into("<Q", data, at + 16, offset + 16)  # p_vaddr
        struct.pack_into("<Q", data, at + 48, 4096)
        break
path.write_bytes(bytes(data))
"""


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(MISALIGN_FIRST_LOAD, id="misaligned-load-segment"),
        pytest.param("path.write_bytes(path.read_bytes()[:100])", id="truncated"),
        pytest.param("sys.exit(1)", id="strip-fails"),
    ],
)
def test_a_copy_that_fails_the_checks_is_not_used(tmp_path: Path, body: str) -> None:
    extension = compile_extension(tmp_path / "pkg", "plain")
    before = extension.read_bytes()
    stripped = strip_extensions(tmp_path / "pkg", strip=fake_strip(tmp_path, body))
    assert stripped == Stripped(files=0, saved=0, failed=1)
    assert extension.read_bytes() == before


def test_a_strip_that_cannot_run_keeps_every_file(tmp_path: Path) -> None:
    extension = compile_extension(tmp_path / "pkg", "plain")
    before = extension.read_bytes()
    stripped = strip_extensions(tmp_path / "pkg", strip=str(tmp_path / "no-strip-here"))
    assert stripped == Stripped(files=0, saved=0, failed=1)
    assert extension.read_bytes() == before


def test_only_64_bit_little_endian_files_are_candidates(tmp_path: Path) -> None:
    extension = compile_extension(tmp_path / "pkg", "plain")
    data = bytearray(extension.read_bytes())
    data[4] = 1  # ELFCLASS32
    extension.write_bytes(bytes(data))
    assert strip_extensions(tmp_path, strip=str(STRIP)) == Stripped(
        files=0, saved=0, failed=0
    )
    assert extension.read_bytes() == bytes(data)
