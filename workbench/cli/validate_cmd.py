"""``workbench validate [FILE] [--json]``."""

from workbench.cli.common import not_available


def add_parser(sub) -> None:
    p = sub.add_parser("validate", help="check a scenario workbook (default scenario when no FILE)",
                       description="Check a scenario workbook and report every problem by sheet and cell. "
                       "Exit 0 when there are no errors, 1 when there are errors, 2 when the file cannot be read.")
    p.add_argument("file", nargs="?", help="workbook (.xlsx, .xlsm, .xls, .ods); default scenario when omitted")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(handler=not_available("validate", "the Excel exchange is being built"))
