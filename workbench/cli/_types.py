"""Types the subcommands share, for annotations only (imported under ``TYPE_CHECKING``)."""

from __future__ import annotations

import argparse
from typing import TypeAlias

#: What ``add_parser(sub)`` receives: the ``workbench`` parser's subcommands.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
