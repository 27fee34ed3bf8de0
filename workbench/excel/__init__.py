"""Excel exchange: read colleagues' scenario workbooks tolerantly, write them back well.

The contract is ``docs/contracts/workbook.md``; ``docs/workbook-format.md`` explains
it for colleagues.
"""

from workbench.excel.reader import ImportResult, read_workbook
from workbench.excel.writer import ExportError, write_workbook

__all__ = ["ExportError", "ImportResult", "read_workbook", "write_workbook"]
