"""Placeholder, replaced by the command's implementation."""

from __future__ import annotations

import argparse

HELP = "TODO"
DESCRIPTION = "TODO"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    return 1
