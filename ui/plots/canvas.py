"""A matplotlib figure embedded in Qt, with the navigation toolbar, export and copy.

:class:`PlotCanvas` shows one figure drawn by a pure function of :mod:`ui.plots.figures`
(``plot(fig, run, ...)``). The toolbar is matplotlib's own (pan, zoom, home, save) plus
*Export...* (PNG, SVG or PDF) and *Copy* (the figure as an image on the clipboard, to
paste into a briefing).
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
from matplotlib.figure import Figure
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QImage, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

#: What *Export...* offers, by file suffix.
EXPORT_FORMATS = {"png": "PNG image (*.png)", "svg": "SVG vector image (*.svg)", "pdf": "PDF document (*.pdf)"}
#: Dots per inch of PNG exports and clipboard copies (sharp in a briefing at full width).
EXPORT_DPI = 200

PlotFn = Callable[..., Any]


def figure_to_qimage(fig: Figure, dpi: float | None = None) -> QImage:
    """Render ``fig`` (at ``dpi``, default its own) to a QImage, on a white background."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi, facecolor="white")
    image = QImage.fromData(buf.getvalue(), "PNG")
    return image


def export_figure(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` to ``path`` as PNG, SVG or PDF (chosen by the suffix); returns the path."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Cannot export a plot as '.{fmt}': choose a file ending in .png, .svg or .pdf.")
    fig.savefig(path, format=fmt, dpi=EXPORT_DPI if fmt == "png" else "figure", bbox_inches="tight",
                facecolor="white")
    return path


class _Canvas(FigureCanvasQTAgg):
    """The Qt canvas; a window squeezed very small draws without constrained layout instead of warning.

    ``resized`` fires after each resize, so the owner can redraw the figure for its new size (fonts scaled
    to the canvas, titles wrapped, bar labels kept inside their axes).
    """

    resized = Signal()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def draw(self) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
            super().draw()


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

    def show_run(self, *args: Any, **kwargs: Any) -> None:
        """Remember the arguments of the plot function and draw now if visible, else when shown."""
        self._args, self._kwargs = args, kwargs
        self._dirty = True
        if self.isVisible():
            self.redraw()

    def redraw(self) -> None:
        """Clear the figure and draw it again with the last arguments."""
        self._dirty = False
        self._drawn_size = (self.canvas.width(), self.canvas.height())
        self.figure.clear()
        if self._plot is not None:
            try:
                self._plot(self.figure, *self._args, **self._kwargs)
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

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.ensure_drawn()

    # ------------------------------------------------------------------ export and copy
    def export(self, path: str | Path) -> Path:
        self.ensure_drawn()
        out = export_figure(self.figure, path)
        self.exported.emit(str(out))
        return out

    def export_dialog(self) -> None:
        filters = ";;".join(EXPORT_FORMATS.values())
        stem = (self.title or "plot").lower().replace(" ", "-").replace("/", "-")
        path, chosen = QFileDialog.getSaveFileName(self, "Export plot", f"{stem}.png", filters)
        if not path:
            return
        if not Path(path).suffix:
            suffix = next((k for k, v in EXPORT_FORMATS.items() if v == chosen), "png")
            path = f"{path}.{suffix}"
        try:
            self.export(path)
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
