"""``workbench diff A [B] [--json]``: what changed between two workbooks."""

from workbench.cli.common import not_available


def add_parser(sub) -> None:
    p = sub.add_parser("diff", help="show what changed between two workbooks",
                       description="Rows added, removed and changed, each changed cell as old -> new. "
                       "With one file, compare it with the default scenario.")
    p.add_argument("a", help="first workbook")
    p.add_argument("b", nargs="?", help="second workbook (default scenario when omitted)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(handler=not_available("diff", "the Excel exchange is being built"))
