"""The one type every problem is reported as: validation, import, the models, the CLI."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """A problem with a scenario, located as precisely as we know.

    ``table``, ``row`` (the row's key, e.g. a project ID, or ``"row 4"`` where the table
    has no key) and ``column`` locate it in the scenario; ``row_index`` is the row's
    position in its table (for the UI to select it). The importer adds ``sheet`` and
    ``cell`` (A1 style) so the user can find it in the workbook.
    """

    severity: str
    message: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    suggestion: str | None = None
    row_index: int | None = None
    sheet: str | None = None
    cell: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def located(self, sheet: str | None, cell: str | None) -> Issue:
        return replace(self, sheet=sheet, cell=cell)

    def location(self) -> str:
        """Where the problem is, as a person would say it."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        parts = [p for p in (self.table, self.row, self.column) if p]
        return ", ".join(parts)

    def text(self) -> str:
        """The full sentence: location, message and suggestion."""
        loc = self.location()
        msg = f"{loc}: {self.message}" if loc else self.message
        if self.suggestion and self.suggestion not in msg:
            msg = f"{msg} {self.suggestion}"
        return msg

    def as_dict(self) -> dict[str, str | int | None]:
        return asdict(self)

    def as_json(self) -> dict[str, str | None]:
        """The CLI's JSON form: severity, sheet, cell and the whole sentence."""
        return {"severity": self.severity, "sheet": self.sheet or self.table, "cell": self.cell,
                "message": self.text()}


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.is_error for i in issues)


def did_you_mean(value: object, candidates: Iterable[str]) -> str | None:
    """``did you mean "X"?`` for the closest candidate, case-insensitively, or ``None``."""
    text = str(value).strip()
    cands = [str(c) for c in candidates if c is not None]
    lowered = {c.lower(): c for c in cands}
    if text.lower() in lowered and lowered[text.lower()] != text:
        return f'did you mean "{lowered[text.lower()]}"?'
    close = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return f'did you mean "{lowered[close[0]]}"?'
    return None
