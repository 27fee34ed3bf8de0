"""``workbench snapshot ...``: the local snapshot library."""

from workbench.cli.common import not_available


def add_parser(sub) -> None:
    p = sub.add_parser("snapshot", help="save, list, show, diff, export and restore snapshots",
                       description="The local snapshot library.")
    p.add_argument("--library", help="snapshot library file (overrides WORKBENCH_LIBRARY)")
    p.add_argument("rest", nargs="*", help="subcommand and its arguments")
    p.set_defaults(handler=not_available("snapshot", "the snapshot library is being built"))
