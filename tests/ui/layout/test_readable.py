"""Readability at a laptop's 1440 x 900 (and at 1920 x 1200): every plot's text stays inside its figure, bar labels
inside their axes, titles of neighbouring plots apart; the key figures beside the summary are shown whole."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from ui.plots import figures
from ui.plots.style import BRIEFING_RC, font_scale
from ui.plots.tools import BAR_LABEL

#: Canvas sizes (inches at 100 dpi) of a results view: at 1440 x 900 beside its table, at 1920 x 1200, and at
#: 1440 x 900 with the Issues strip and the tables made larger.
SIZES = {"laptop": (5.2, 5.6), "desktop": (8.0, 6.4), "small": (4.8, 4.4)}
PLOTS = ["plot_summary", "plot_allocation", "plot_allocation_states", "plot_distribution", "plot_fan",
         "plot_frontier", "plot_contributions", "plot_stress", "plot_tornado", "plot_impact"]


_DRAWN: dict[tuple[str, tuple[float, float], int], tuple[Figure, object]] = {}


def draw(name: str, run, size: tuple[float, float]) -> tuple[Figure, object]:
    """The plot drawn at ``size`` inches, or taller when it needs to be (as the results view does: it scrolls);
    drawn once per run and size, the tests only read it."""
    key = (name, size, id(run))
    if key not in _DRAWN:
        height = max(size[1], figures.needed_height(name, int(100 * size[0])) / 100)
        fig = Figure(figsize=(size[0], height), dpi=100, layout="constrained")
        FigureCanvasAgg(fig)
        getattr(figures, name)(fig, run)
        fig.canvas.draw()
        _DRAWN[key] = (fig, fig.canvas.get_renderer())
    return _DRAWN[key]


def texts_of(fig: Figure) -> list[Text]:
    """The text a reader sees: suptitle, titles, axis labels, annotations and legends' texts."""
    found: list[Text] = []
    if fig._suptitle is not None:
        found.append(fig._suptitle)
    for ax in fig.axes:
        found += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            found += ax.get_legend().get_texts()
    for legend in fig.legends:
        found += legend.get_texts()
    return [t for t in found if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", PLOTS)
def test_text_stays_inside_the_figure(run, name, size):
    fig, renderer = draw(name, run, SIZES[size])
    box = fig.bbox
    for t in texts_of(fig):
        ext = t.get_window_extent(renderer)
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, f"{name} at {size}: {t.get_text()!r} runs off the side"
        assert ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, f"{name} at {size}: {t.get_text()!r} runs off"
    for ax in fig.axes:
        for t in ax.texts:
            if t.get_gid() == BAR_LABEL:
                ext = t.get_window_extent(renderer)
                assert ax.bbox.x0 - 1 <= ext.x0 and ext.x1 <= ax.bbox.x1 + 1, (
                    f"{name} at {size}: bar label {t.get_text()!r} outside its axes")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", PLOTS)
def test_titles_of_neighbouring_plots_do_not_overlap(run, name, size):
    fig, renderer = draw(name, run, SIZES[size])
    titles = [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_title()]
    for i, a in enumerate(titles):
        for b in titles[i + 1:]:
            assert not a.overlaps(b), f"{name} at {size}: two axes titles overlap"


def test_bar_labels_keep_the_amounts(run):
    """Shortened or not, every bar label of the summary still starts with its amount."""
    fig, _ = draw("plot_summary", run, SIZES["small"])
    labels = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == BAR_LABEL]
    assert labels and all(label.startswith("USD ") for label in labels)


def test_fonts_follow_the_canvas_size():
    small, big = Figure(figsize=SIZES["small"]), Figure(figsize=SIZES["desktop"])
    assert font_scale(big) == 1.0
    assert 0.75 <= font_scale(small) < 1.0
    assert font_scale(small) * BRIEFING_RC["xtick.labelsize"] >= 7.5   # never below ~8 pt tick labels


def test_key_figures_are_fully_visible_under_the_summary(qtbot, run):
    """At 1440 x 900 the results view is about 920 x 600: the key figures go under the plot (the view scrolls) and
    each key figure's name and value fit in their cells."""
    from ui.results_panel import ResultView

    view = ResultView("summary")
    qtbot.addWidget(view)
    view.resize(920, 600)
    view.show()
    qtbot.waitExposed(view)
    view.show_data(run)
    table = view.table
    assert view.splitter.orientation() == Qt.Orientation.Vertical
    assert table.horizontalScrollBar().maximum() == 0
    model = table.model()
    metrics = QFontMetrics(table.font())
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            text = str(model.index(r, c).data() or "")
            rect = table.visualRect(model.index(r, c)).adjusted(3, 0, -3, 0)
            needed = metrics.boundingRect(rect, int(Qt.TextFlag.TextWordWrap), text)
            assert needed.width() <= rect.width() + 1 and needed.height() <= rect.height() + 1, (
                f"key figure {text!r} is cut off ({needed.width()}x{needed.height()} in "
                f"{rect.width()}x{rect.height()})")
    assert view.canvas.width() >= 0.55 * view.width()   # the plot keeps most of the room


def test_main_window_gives_the_results_most_of_a_laptop_screen(qtbot, tmp_path):
    from ui.main_window import MainWindow
    from ui.settings import Settings

    win = MainWindow(settings=Settings(tmp_path / "settings.ini"), offer_recovery=False)
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.issues_dock.height() <= 160)   # the dock takes its default height once laid out
    tables, results = win.splitter.sizes()
    assert results >= 1.6 * tables
    assert win.issues_dock.height() <= 160
    assert win.results_panel.height() >= 0.65 * win.height(), (win.results_panel.height(), win.issues_dock.height())
    win.undo_stack.setClean()


def test_canvas_draws_again_for_a_new_size_unless_zoomed(qtbot):
    """Fonts, wrapping and label room depend on the canvas size, so a resized canvas is drawn again."""
    from ui.plots.canvas import PlotCanvas

    sizes: list[tuple[float, float]] = []

    def plot(fig, *_args, **_kwargs):
        sizes.append(tuple(fig.get_size_inches()))
        fig.add_subplot().set_title("A title")

    canvas = PlotCanvas(plot)
    qtbot.addWidget(canvas)
    canvas.resize(600, 400)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.show_run(None)
    drawn = len(sizes)
    canvas.resize(1000, 700)
    qtbot.waitUntil(lambda: len(sizes) > drawn)
    assert sizes[-1][0] > sizes[drawn - 1][0]   # drawn at the new, wider size
    # A zoomed view is kept: no redraw after a resize while the user looks at a zoomed part.
    canvas.toolbar.push_current()
    canvas.toolbar.push_current()
    drawn = len(sizes)
    canvas.resize(700, 500)
    canvas._resize_timer.timeout.emit()   # what the timer does when resizing pauses
    assert len(sizes) == drawn
