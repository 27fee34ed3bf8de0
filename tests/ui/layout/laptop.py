"""Checks of one results view's readability, measured on the real widgets (used by the laptop-size tests, also
in a subprocess at 200 % scaling)."""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text
from PySide6.QtCore import Qt

from ui.plots.layout import legend_overlaps_data
from ui.plots.style import MIN_PT

#: Window sizes (logical pixels) every view must be readable at.
SIZES = {"1280x720": (1280, 720), "1366x768": (1366, 768), "1920x1080": (1920, 1080)}


def _drawn_tick_labels(axis) -> list[Text]:
    """The tick labels an axis draws: those of ticks inside its view (``get_ticklabels`` also lists ticks out of
    view, which are never drawn and sit at stale positions)."""
    labels = []
    for tick in axis._update_ticks():
        labels += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    return labels


def visible_texts(fig) -> list[Text]:
    """Every text a reader sees, once each: suptitle, titles, axis and tick labels, annotations, legends."""
    found: list[Text] = []
    if fig._suptitle is not None:
        found.append(fig._suptitle)
    found += fig.texts
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        found += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.axison:   # an axes turned off (a sentence in place of a plot) draws no ticks
            found += _drawn_tick_labels(ax.xaxis) + _drawn_tick_labels(ax.yaxis)
        if ax.get_legend() is not None:
            found += ax.get_legend().get_texts()
    for legend in fig.legends:
        found += legend.get_texts()
    unique = {id(t): t for t in found}
    return [t for t in unique.values() if t.get_visible() and t.get_text().strip()]


#: What :func:`figure_problems` checks: ``legend`` (legends over data), ``inside`` (text off the figure),
#: ``overlap`` (text over text), ``fonts`` (text under MIN_PT).
CHECKS = ("legend", "inside", "overlap", "fonts")


def figure_problems(fig, where: str, checks: tuple[str, ...] = CHECKS) -> list[str]:
    """What is unreadable in a drawn figure: text off the figure, texts over texts, legends over data, small fonts.

    One layout pass (no pixels rendered) places everything; every text's box is measured once and the boxes are
    compared all at once with numpy."""
    if fig.stale:    # not drawn since it changed: lay it out (the window's own drawing did it otherwise)
        fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    problems = []
    texts, extents = [], []
    for t in visible_texts(fig):
        ext = t.get_window_extent(renderer)
        if ext.width <= 0 or ext.height <= 0:
            continue
        if "inside" in checks and (ext.x0 < box.x0 - 1 or ext.x1 > box.x1 + 1 or ext.y0 < box.y0 - 1
                                   or ext.y1 > box.y1 + 1):
            problems.append(f"{where}: {t.get_text()!r} runs off the figure")
        if "fonts" in checks and t.get_fontsize() < MIN_PT - 0.05:
            problems.append(f"{where}: {t.get_text()!r} is {t.get_fontsize():.1f} pt (under {MIN_PT:g})")
        texts.append(t)
        extents.append((ext.x0 + 1.0, ext.y0 + 1.0, ext.x1 - 1.0, ext.y1 - 1.0))   # 1 px of slack on each side
    if "overlap" in checks and len(extents) > 1:
        b = np.asarray(extents)
        hit = ((b[:, None, 0] < b[None, :, 2]) & (b[None, :, 0] < b[:, None, 2]) & (b[:, None, 1] < b[None, :, 3])
               & (b[None, :, 1] < b[:, None, 3]))
        for i, j in zip(*np.nonzero(np.triu(hit, 1))):
            problems.append(f"{where}: {texts[i].get_text()!r} overlaps {texts[j].get_text()!r}")
    for ax in fig.axes if "legend" in checks else ():
        legend = ax.get_legend()
        if legend is not None and legend.get_visible() and legend_overlaps_data(ax, legend, renderer):
            problems.append(f"{where}: the legend covers data")
    return problems


def table_problems(view, where: str) -> list[str]:
    """A results table must show its numbers without scrolling sideways, headers whole."""
    table = view.table
    table.updateGeometries()     # the scroll range Qt would show once its pending layout is done
    problems = []
    if table.model().rowCount() and table.horizontalScrollBar().maximum() > 0:
        problems.append(f"{where}: the table scrolls sideways ({table.horizontalScrollBar().maximum()} px)")
    header = table.horizontalHeader()
    metrics = header.fontMetrics()
    for c in range(table.model().columnCount()):
        text = str(table.model().headerData(c, Qt.Orientation.Horizontal) or "")
        if text and metrics.horizontalAdvance(text) > header.sectionSize(c) + 2 and "\n" not in text:
            problems.append(f"{where}: header {text!r} is cut ({header.sectionSize(c)} px)")
    return problems


def window_problems(window, run, views, size: tuple[int, int], label: str, checks: tuple[str, ...] = CHECKS,
                    tables: bool = True) -> list[str]:
    from PySide6.QtWidgets import QApplication

    window.resize(*size)
    QApplication.processEvents()
    problems = []
    for name in views:
        window.results_panel.show_view(name)
        QApplication.processEvents()
        view = window.results_panel.views[name]
        canvas = view.canvas
        if canvas._drawn_size != (canvas.canvas.width(), canvas.canvas.height()):
            canvas.redraw()                       # drawn for an earlier size: draw it once for this one
        canvas._resize_timer.stop()               # (a resize on the way would only draw it again)
        QApplication.processEvents()              # the window paints it: the layout the checks measure
        where = f"{name} at {label}"
        problems += figure_problems(view.canvas.figure, where, checks)
        if tables:
            problems += table_problems(view, where)
    return problems
