"""``lambdash doctor``: print the findings as text or JSON; exit 1 when any is an error."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import textwrap
from pathlib import Path

HELP = "find what would break on AWS before you deploy"
DESCRIPTION = (
    "Check a SAM project before deploying: the template (BinaryMediaTypes, routes, runtime, "
    "timeouts), the app (crawled through the adapter as a browser loads it), and the build."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "app",
        nargs="?",
        metavar="APP",
        help="module:attribute naming the app; default: found beside the template's Handler",
    )
    parser.add_argument(
        "--template", type=Path, help="the SAM template (default: ./template.yaml)"
    )
    parser.add_argument(
        "--code-dir",
        type=Path,
        help="where APP is imported from (default: the template's CodeUri)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="the output format (default text)",
    )


def run(args: argparse.Namespace) -> int:
    from lambdash.doctor import diagnose

    report = diagnose(
        Path("."), app=args.app, template=args.template, code_dir=args.code_dir
    )
    if args.format == "json":
        document = {
            "findings": [dataclasses.asdict(f) for f in report.findings],
            "errors": report.errors,
            "crawled": len(report.fetched),
        }
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for finding in report.findings:
            if finding.details:
                print(finding.details)
            print(f"{finding.id} {finding.severity}: {finding.message}")
            if finding.where:
                print(f"  where: {finding.where}")
            if finding.fix:
                print("  fix:")
                print(textwrap.indent(finding.fix, "    "))
        counts = {
            s: sum(f.severity == s for f in report.findings)
            for s in ("error", "warning", "info")
        }
        summary = (
            ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
            or "no problems found"
        )
        print(f"{summary} ({len(report.fetched)} responses crawled)")
    return 1 if report.errors else 0
