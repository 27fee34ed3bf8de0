"""Helpers shared by the subcommands."""

from __future__ import annotations

import sys


def not_available(name: str, issue: str):
    """A handler for a command whose capability has not landed yet (exit 2)."""

    def handler(args) -> int:
        print(f"workbench {name}: not available yet in this version ({issue}).", file=sys.stderr)
        return 2

    return handler
