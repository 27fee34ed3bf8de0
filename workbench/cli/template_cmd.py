"""``workbench template [OUT.xlsx]``: write the default scenario as a workbook."""

from workbench.cli.common import not_available


def add_parser(sub) -> None:
    p = sub.add_parser("template", help="write the default scenario as a workbook",
                       description="Write the embedded default scenario as a workbook to edit.")
    p.add_argument("out", nargs="?", default="scenario.xlsx", help="output file (default scenario.xlsx)")
    p.set_defaults(handler=not_available("template", "the Excel exchange is being built"))
