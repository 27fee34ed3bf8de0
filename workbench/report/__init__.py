"""The briefing: a few pages to hand on, as Word (.docx) or PDF, from a run or a snapshot.

    from workbench.report import build_briefing, write_briefing
    brief = build_briefing(scenario, run, author="Kenji Sato")
    write_briefing(brief, "brief.pdf")          # or "brief.docx"; paper="letter"

:mod:`workbench.report.content` decides what the briefing says (every number from
:mod:`workbench.figures`); :mod:`~workbench.report.docx_out` and
:mod:`~workbench.report.pdf_out` lay the same blocks out; :mod:`~workbench.report.plots`
draws the plots. The app and ``workbench report`` both go through :func:`make_briefing`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import WorkbenchError
from workbench.report.content import Briefing, build_briefing

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.scenario import Scenario

__all__ = ["FORMATS", "Briefing", "ReportError", "build_briefing", "make_briefing", "write_briefing"]

FORMATS = (".docx", ".pdf")
PAPERS = ("a4", "letter")


class ReportError(WorkbenchError, ValueError):
    """A briefing that cannot be written as asked (the message says why and what to do)."""


def check_target(path: str | os.PathLike[str], paper: str = "a4") -> str:
    """The format (``.docx`` or ``.pdf``) of ``path``; :class:`ReportError` for anything else."""
    suffix = Path(os.fspath(path)).suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"{os.fspath(path)}: a briefing is written as .docx (Word) or .pdf; "
                          "give a file name ending in one of them.")
    if paper not in PAPERS:
        raise ReportError(f'Paper "{paper}" is not known; use a4 or letter.')
    return suffix


def write_briefing(brief: Briefing, path: str | os.PathLike[str], *, paper: str = "a4") -> Path:
    """Write ``brief`` to ``path`` (its suffix picks the format), atomically: the file is written
    beside the target and renamed into place, so a failure leaves the target untouched."""
    suffix = check_target(path, paper)
    target = Path(os.fspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=suffix, dir=target.resolve().parent)
    os.close(fd)
    try:
        if suffix == ".docx":
            from workbench.report.docx_out import write_docx
            write_docx(brief, tmp, paper=paper)
        else:
            from workbench.report.pdf_out import write_pdf
            write_pdf(brief, tmp, paper=paper)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # as an ordinary new file, not the private temporary's mode
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    return target


def make_briefing(scn: Scenario, run: RunResult, path: str | os.PathLike[str], *, author: str = "", snapshot: str = "",
                  paper: str = "a4", today: dt.date | None = None) -> Path:
    """Build the briefing of ``run`` (a run of ``scn``) and write it to ``path``."""
    from workbench import __version__

    check_target(path, paper)
    brief = build_briefing(scn, run, author=author, snapshot=snapshot, app_version=__version__, today=today)
    return write_briefing(brief, path, paper=paper)
