"""What a scenario may hold: the largest tables the app reads, checks and models.

A workbook beyond these limits is refused with a message naming the sheet and the limit,
before any work that grows faster than the size of the tables (the correlation matrix
of the sectors is decomposed in validation and in every risk run, so its size is capped
hardest). ``docs/workbook-format.md`` lists them for colleagues.
"""

from __future__ import annotations

#: Data rows per table (the header row not counted). Projects: the app's own exports
#: are read back up to this many projects; the others hold a few dozen rows in practice.
MAX_ROWS = {
    "Sectors": 100,
    "Projects": 250_000,
    "Financing": 10_000,
    "Constraints": 10_000,
    "Risk events": 1_000,
}
MAX_SECTORS = MAX_ROWS["Sectors"]
#: Rows of the Scenario sheet (its fields, titles and notes).
MAX_SCENARIO_ROWS = 1_000
#: Rows and columns of the Correlations sheet: one per sector, plus a header and titles.
MAX_CORRELATION_LINES = MAX_SECTORS + 21
#: Columns read in any sheet (Risk events has one per sector, plus its own three).
MAX_COLUMNS = MAX_SECTORS + 64


#: Title rows allowed above a table's header (the header row may sit anywhere in them).
TITLE_ROWS = 20


def sheet_rows(table: str) -> int:
    """The most rows the sheet of ``table`` may span: its data rows, the header, title rows."""
    if table == "Scenario":
        return MAX_SCENARIO_ROWS
    if table == "Correlations":
        return MAX_CORRELATION_LINES
    return MAX_ROWS[table] + TITLE_ROWS + 1


def too_many_rows(table: str, rows: int) -> str:
    """The sentence for a table over its limit."""
    limit = MAX_ROWS[table]
    what = "sectors" if table == "Sectors" else "rows"
    return (f"The {table} sheet holds {rows:,} {what}; a scenario holds at most {limit:,}, so it was not read "
            f"(the checks and models grow faster than the table). Split the workbook or remove rows.")
