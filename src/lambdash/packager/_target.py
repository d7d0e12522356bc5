"""The Lambda Python runtimes ``lambdash build`` targets, and the wheels each of them can load."""

from __future__ import annotations

import dataclasses
from typing import Literal

from lambdash._command import CommandError

__all__ = ["ARCHES", "RUNTIMES", "Arch", "Target", "make_target"]

Arch = Literal["x86_64", "arm64"]
ARCHES: tuple[Arch, ...] = ("x86_64", "arm64")
_ARCH_NAMES: dict[str, Arch] = {"x86_64": "x86_64", "arm64": "arm64"}

# The glibc each runtime's OS ships: python3.10 and python3.11 run on Amazon Linux 2 (glibc 2.26),
# python3.12 and later on Amazon Linux 2023 (glibc 2.34)
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html; aws-lambda-builders keeps the
# same table as _RUNTIME_GLIBC). A manylinux_2_28 wheel deploys fine on python3.11 and then fails
# at import, so the ceiling decides which wheels pip may pick (../shared/design/dash.md §5.1).
_GLIBC_MINOR = {
    "python3.10": 26,
    "python3.11": 26,
    "python3.12": 34,
    "python3.13": 34,
    "python3.14": 34,
}
RUNTIMES: tuple[str, ...] = tuple(_GLIBC_MINOR)

# The PEP 600 equivalents of the legacy manylinux names; aarch64 wheels start at manylinux2014.
_LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
_OLDEST = {"x86_64": 5, "aarch64": 17}


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """A Lambda runtime and architecture: what the package must run on."""

    runtime: str
    arch: Arch

    @property
    def python_version(self) -> str:
        """``"3.12"`` for ``python3.12``."""
        return self.runtime.removeprefix("python")

    @property
    def machine(self) -> str:
        """The architecture as wheel tags spell it: ``x86_64`` or ``aarch64``."""
        return "aarch64" if self.arch == "arm64" else "x86_64"

    @property
    def glibc(self) -> tuple[int, int]:
        """The glibc version of the runtime's operating system."""
        return 2, _GLIBC_MINOR[self.runtime]

    def platform_tags(self) -> tuple[str, ...]:
        """Every manylinux tag the runtime can load, newest first (pip prefers earlier ones).

        pip does not expand a PEP 600 tag to the older ones it implies: given only
        ``manylinux_2_28_x86_64`` it rejects a ``manylinux_2_17`` wheel, so each is listed, with the
        legacy aliases of the same glibc next to it.
        """
        tags: list[str] = []
        for minor in range(self.glibc[1], _OLDEST[self.machine] - 1, -1):
            tags.append(f"manylinux_2_{minor}_{self.machine}")
            if minor in _LEGACY:
                tags.append(f"{_LEGACY[minor]}_{self.machine}")
        return tuple(tags)

    def describe(self) -> str:
        """``python3.11 on x86_64 (cp311, manylinux up to glibc 2.26)``."""
        return (
            f"{self.runtime} on {self.arch} "
            f"(cp{self.python_version.replace('.', '')}, manylinux up to glibc {self.glibc[0]}.{self.glibc[1]})"
        )


def make_target(runtime: str, arch: str) -> Target:
    """The :class:`Target` for a runtime name and an architecture, as a SAM template spells them.

    :param runtime: ``python3.10`` to ``python3.14``.
    :param arch: ``x86_64`` or ``arm64``.
    :raises CommandError: when either is not one Lambda offers.
    """
    if runtime not in _GLIBC_MINOR:
        msg = f"unknown runtime {runtime!r}; lambdash builds for {', '.join(RUNTIMES)}"
        raise CommandError(
            msg, hint="pass --runtime python3.13, or fix the template's Runtime"
        )
    if arch in _ARCH_NAMES:
        return Target(runtime=runtime, arch=_ARCH_NAMES[arch])
    msg = f"unknown architecture {arch!r}; Lambda offers x86_64 and arm64"
    raise CommandError(msg, hint="pass --arch x86_64 or --arch arm64")
