"""A matplotlib figure embedded in Qt, with the navigation toolbar, export and copy.

:class:`PlotCanvas` shows one figure drawn by a pure function of :mod:`ui.plots.figures`
(``plot(fig, run, ...)``). The toolbar is matplotlib's own (pan, zoom, home, save) plus
*Export...* (PNG, SVG or PDF) and *Copy* (the figure as an image on the clipboard, to
paste into a briefing).
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
from matplotlib.figure import Figure
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QImage, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent, QShowEvent

from ui.plots.layout import arrange_legends
from ui.stale import StaleOverlay

log = logging.getLogger(__name__)

#: What *Export...* offers, by file suffix.
EXPORT_FORMATS = {"png": "PNG image (*.png)", "svg": "SVG vector image (*.svg)", "pdf": "PDF document (*.pdf)"}
#: Dots per inch of PNG exports and clipboard copies (sharp in a briefing at full width).
EXPORT_DPI = 200

#: A plot function ``plot(fig, first, **context)``: each kind takes its own first argument (a run, a what-if
#: report, a waterfall...) and context keywords, so its signature is left open.
PlotFn = Callable[..., Any]


def figure_to_qimage(fig: Figure, dpi: float | None = None) -> QImage:
    """Render ``fig`` (at ``dpi``, default its own) to a QImage, on a white background."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, facecolor="white")
    image = QImage.fromData(buf.getvalue(), "PNG")
    return image


#: Size (inches, width x height) of an exported plot unless another is chosen: landscape, a page's width.
EXPORT_SIZE = (10.0, 6.25)
#: The sizes *Export...* offers (inches), landscape first.
EXPORT_SIZES = {"Page width, landscape (10 x 6.25 in)": (10.0, 6.25), "Half page (7 x 4.4 in)": (7.0, 4.4),
                "Slide, 16:9 (13.3 x 7.5 in)": (13.33, 7.5), "As on screen": None}
#: Space (fraction of the height) kept at the bottom of an export for its footnote.
FOOTNOTE_SPACE = 0.07


def run_footnote(run: Any) -> str:   # the plot's first argument, of any kind: a run is read by its fields
    """What a reader of a pasted plot needs to find its numbers again: scenario, method, trials, seed, hash."""
    if run is None or not hasattr(run, "trials"):
        return ""
    parts = []
    name = getattr(run, "scenario_name", "")
    if name:
        parts.append(f"Scenario: {name}")
    parts.append(f"method {getattr(run, 'method', '') or 'n/a'}")
    parts.append(f"{run.trials:,} trials")
    parts.append(f"seed {run.seed}")
    digest = getattr(run, "input_hash", "") or getattr(run, "scenario_hash", "")
    if digest:
        parts.append(f"content hash {digest[:12]}")
    return "; ".join(parts) + ". Scenario Workbench."


def safe_file_stem(text: str, fallback: str = "plot") -> str:
    """A file name stem every system accepts: letters, digits, ``-`` and ``_`` only, no reserved name, not too long."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", text.strip()).strip("-_").lower()[:60].strip("-_")
    if not stem or stem.split("-")[0].upper() in _RESERVED:
        stem = f"{fallback}-{stem}" if stem else fallback
    return stem


_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def export_figure(fig: Figure, path: str | Path, *, size: tuple[float, float] | None = None,
                  footnote: str = "") -> Path:
    """Save ``fig`` to ``path`` as PNG, SVG or PDF (chosen by the suffix); returns the path.

    ``size`` (inches) changes the figure's size for the file; ``footnote`` is written under the plot
    in small grey text (outside the layout, in space kept for it).
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Cannot export a plot as '.{fmt}': choose a file ending in .png, .svg or .pdf.")
    note = None
    if footnote:
        engine = fig.get_layout_engine()
        if engine is not None and hasattr(engine, "set") and "rect" in getattr(engine, "_params", {}):
            engine.set(rect=(0.0, FOOTNOTE_SPACE, 1.0, 1.0 - FOOTNOTE_SPACE / 4))
        note = fig.text(0.01, 0.012, footnote, ha="left", va="bottom", fontsize=8.5, color="#555555",
                        wrap=True)
        note.set_in_layout(False)
    try:
        if size is not None:
            fig.set_size_inches(*size)
        fig.savefig(path, format=fmt, dpi=EXPORT_DPI if fmt == "png" else "figure", facecolor="white")
    finally:
        if note is not None:
            note.remove()
    return path


def _measure(fig: Figure) -> object | None:
    """Run the layout engine without drawing pixels; a renderer to measure with."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        try:
            fig.draw_without_rendering()
            return fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else fig._get_renderer()
        except (AttributeError, RuntimeError, ValueError):
            return None


class _Canvas(FigureCanvasQTAgg):
    """The Qt canvas; a window squeezed very small draws without constrained layout instead of warning.

    ``resized`` fires after each resize, so the owner can redraw the figure for its new size (fonts scaled
    to the canvas, titles wrapped, bar labels kept inside their axes).
    """

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def draw(self) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
            super().draw()


#: On a plot whose new drawing waits for its table to be painted first (the table has the new figures).
PENDING = "This plot still shows the earlier figures: drawing the new ones..."


class PlotCanvas(QWidget):
    """One figure with its toolbar. ``set_plot(fn)`` then ``show_run(run)`` draws it.

    The figure is drawn for the canvas's size: after the canvas is resized by more than
    :attr:`REDRAW_FROM` (a share of its width or height), it is drawn again once the resizing pauses
    (:attr:`REDRAW_DELAY_MS`), unless the user has zoomed or panned.
    """

    #: Relative change of width or height that calls for a new drawing.
    REDRAW_FROM = 0.06
    #: Pause after the last resize before drawing again (milliseconds).
    REDRAW_DELAY_MS = 150

    exported = Signal(str)

    def __init__(self, plot: PlotFn | None = None, parent: QWidget | None = None, *, title: str = "",
                 figsize: tuple[float, float] = (8.0, 5.0)) -> None:
        super().__init__(parent)
        self.title = title
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.canvas = _Canvas(self.figure)
        self.canvas.setMinimumSize(320, 240)
        self.canvas.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.toolbar = NavigationToolbar2QT(self.canvas, self, coordinates=True)
        self.toolbar.setIconSize(self.toolbar.iconSize() * 0.8)
        self.export_action = QAction(QIcon.fromTheme("document-save-as"), "Export...", self)
        self.export_action.setToolTip("Export the plot as PNG, SVG or PDF")
        self.export_action.triggered.connect(self.export_dialog)
        self.copy_action = QAction(QIcon.fromTheme("edit-copy"), "Copy", self)
        self.copy_action.setToolTip("Copy the plot to the clipboard as an image (paste it into a briefing)")
        self.copy_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_to_clipboard)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.export_action)
        self.toolbar.addAction(self.copy_action)
        self.addAction(self.copy_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.canvas, 1)
        self._plot = plot
        self._args: tuple[Any, ...] = ()
        self._kwargs: dict[str, Any] = {}
        self._dirty = False
        #: The veil over a plot that still shows earlier figures while its new drawing waits (``show_run(later_ms=)``).
        self.pending = StaleOverlay(self.canvas)
        self._drawn_size: tuple[int, int] | None = None
        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(self.REDRAW_DELAY_MS)
        self._resize_timer.timeout.connect(self._redraw_for_size)
        self.canvas.resized.connect(self._on_resized)

    # ------------------------------------------------------------------ drawing
    def set_plot(self, plot: PlotFn) -> None:
        self._plot = plot
        self._dirty = True

    def show_run(self, *args: Any, later_ms: int | None = None, **kwargs: Any) -> None:
        """Remember the arguments of the plot function and draw now if visible, else when shown. ``later_ms``: draw
        that many milliseconds from now instead, once the window has painted what changed beside the plot (its
        table); arguments given again meanwhile are drawn then, once."""
        self._args, self._kwargs = args, kwargs
        self._dirty = True
        if later_ms is not None:
            if self._drawn_size is not None:   # earlier figures are on show until then: say so
                self.pending.show_text(PENDING)
            QTimer.singleShot(later_ms, self, self._draw_if_visible)
        elif self.isVisible():
            self.redraw()

    def _draw_if_visible(self) -> None:
        if self._dirty and self.isVisible():
            self.redraw()

    def redraw(self) -> None:
        """Clear the figure and draw it again with the last arguments."""
        self._dirty = False
        self.pending.hide()
        self._drawn_size = (self.canvas.width(), self.canvas.height())
        self.figure.clear()
        if self._plot is not None:
            try:
                self._plot(self.figure, *self._args, **self._kwargs)
                arrange_legends(self.figure, _measure)
            except Exception as exc:  # a plot that cannot be drawn says why instead of crashing the window
                log.exception("plot %s failed", getattr(self._plot, "__name__", self._plot))
                self.figure.clear()
                self.figure.text(0.5, 0.5, f"This plot could not be drawn:\n{exc}", ha="center", va="center",
                                 wrap=True, fontsize=11, color="#a00")
        self.toolbar.update()  # reset the pan/zoom history to the new home view
        self.canvas.draw_idle()

    def _on_resized(self) -> None:
        if self._drawn_size is None or self._dirty or not self.isVisible():
            return
        (w0, h0), (w, h) = self._drawn_size, (self.canvas.width(), self.canvas.height())
        if abs(w - w0) > self.REDRAW_FROM * max(w0, 1) or abs(h - h0) > self.REDRAW_FROM * max(h0, 1):
            self._resize_timer.start()

    def _redraw_for_size(self) -> None:
        """Draw again for the new size, unless the user is looking at a zoomed or panned view."""
        nav = getattr(self.toolbar, "_nav_stack", None)
        zoomed = nav is not None and len(nav) > 1
        if self.isVisible() and not zoomed:
            self.redraw()

    def ensure_drawn(self) -> None:
        if self._dirty:
            self.redraw()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_drawn()

    # ------------------------------------------------------------------ export and copy
    def export(self, path: str | Path, size: tuple[float, float] | None = None) -> Path:
        """Export the plot to ``path``: drawn again at ``size`` inches (landscape :data:`EXPORT_SIZE` by
        default) with a footnote naming the scenario, method, trials, seed and content hash."""
        self.ensure_drawn()
        size = size or EXPORT_SIZE
        if not (0.5 <= size[0] <= 100 and 0.5 <= size[1] <= 100):
            raise ValueError(f"An exported plot is from 0.5 to 100 inches on each side, not {size[0]:g} x {size[1]:g}.")
        fig = Figure(figsize=size, dpi=100, layout="constrained")
        FigureCanvasAgg(fig)
        if self._plot is not None:
            self._plot(fig, *self._args, **self._kwargs)
            arrange_legends(fig, _measure)
        run = self._args[0] if self._args else None
        out = export_figure(fig, path, footnote=run_footnote(run))
        self.exported.emit(str(out))
        return out

    def default_file_name(self, suffix: str = "png") -> str:
        """``<scenario>-<view>.png`` with only safe characters."""
        run = self._args[0] if self._args else None
        scenario = getattr(run, "scenario_name", "") if run is not None else ""
        view = safe_file_stem(self.title or "plot")
        stem = f"{safe_file_stem(scenario, 'scenario')}-{view}" if scenario else view
        return f"{stem}.{suffix}"

    def export_dialog(self) -> None:
        filters = ";;".join(EXPORT_FORMATS.values())
        path, chosen = QFileDialog.getSaveFileName(self, "Export plot", self.default_file_name(), filters)
        if not path:
            return
        if not Path(path).suffix:
            suffix = next((k for k, v in EXPORT_FORMATS.items() if v == chosen), "png")
            path = f"{path}.{suffix}"
        from PySide6.QtWidgets import QInputDialog

        label, ok = QInputDialog.getItem(self, "Export plot", "Size of the exported plot:", list(EXPORT_SIZES), 0,
                                         False)
        if not ok:
            return
        size = EXPORT_SIZES[label] or (self.figure.get_size_inches()[0], self.figure.get_size_inches()[1])
        try:
            self.export(path, size=(float(size[0]), float(size[1])))
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export plot", f"The plot was not exported: {exc}")

    def to_image(self, dpi: float | None = EXPORT_DPI) -> QImage:
        self.ensure_drawn()
        return figure_to_qimage(self.figure, dpi)

    def copy_to_clipboard(self) -> QImage:
        """Put the figure on the clipboard as an image; returns the image."""
        image = self.to_image()
        QGuiApplication.clipboard().setImage(image)
        return image
