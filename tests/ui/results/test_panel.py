"""ResultsPanel and PlotCanvas as widgets: a real background run shown, views, comparison, export and copy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from ui.plots.style import money_unit
from ui.results_panel import VIEWS, ResultsPanel
from ui.runner import RunController

TRIALS = 2_000


@pytest.fixture
def panel(qtbot):
    p = ResultsPanel()
    qtbot.addWidget(p)
    p.resize(1440, 800)
    p.show()
    return p


@pytest.fixture(scope="module")
def proportional():
    from workbench.default_scenario import default_scenario
    from workbench.pipeline import run_scenario

    return run_scenario(default_scenario(), trials=TRIALS, method="proportional", tornado=False, stress=False)


def shown_run(qtbot, panel, scn, **options):
    controller = RunController(options={"trials": TRIALS, **options})
    controller.finished.connect(lambda run: panel.set_result(run, scn))
    with qtbot.waitSignal(controller.finished, timeout=120_000) as blocker:
        controller.start(scn)
    assert controller.wait(60_000)
    return blocker.args[0]


def test_a_background_run_fills_every_view(qtbot, panel, default_scn):
    run = shown_run(qtbot, panel, default_scn)
    assert panel.run is run
    for name in VIEWS:
        panel.show_view(name)
        assert panel.current_view() == name
        fig = panel.canvas(name).figure
        assert fig.axes, name
        if name != "compare":       # compare has nothing to compare with yet, and says so
            assert any(ax.has_data() for ax in fig.axes), name
    # the distribution view carries the run's CVaR
    ax = panel.canvas("distribution").figure.axes[0]
    divisor, _ = money_unit([run.risk.histogram_edges[0], run.risk.histogram_edges[-1]])
    cvar_line = next(line for line in ax.lines if line.get_label().startswith("CVaR"))
    assert cvar_line.get_xdata()[0] * divisor == pytest.approx(-run.risk.cvar)
    # the allocation table lists every project, named from the scenario
    table = panel.table("allocation")
    assert table.model().rowCount() == len(run.allocation.amounts)
    assert "Status" not in panel.status.text() and "trials" in panel.status.text()


def test_tables_sort_numbers_as_numbers(qtbot, panel, default_scn):
    run = shown_run(qtbot, panel, default_scn, tornado=False, frontier_points=0)
    table = panel.table("allocation")
    col = [h.replace("\n", " ") for h in table.rows._headers].index("Allocated (USD m)")   # long headers wrap
    table.sortByColumn(col, table.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    model = table.model()
    values = [model.index(r, col).data() for r in range(model.rowCount())]
    numbers = [float(v.replace(",", "")) for v in values]
    assert numbers == sorted(numbers)
    assert max(numbers) == pytest.approx(max(run.allocation.amounts.values()), abs=0.5)


def test_comparison_overlays_and_lists_differences(qtbot, panel, default_scn, proportional):
    shown_run(qtbot, panel, default_scn, tornado=False, frontier_points=0)
    panel.set_comparison(proportional, "Proportional")
    panel.show_view("compare")
    fig = panel.canvas("compare").figure
    steps = [p for p in fig.axes[0].patches if type(p).__name__ == "StepPatch"]
    assert len(steps) == 2
    model = panel.table("compare").model()
    assert model.rowCount() >= 6
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Proportional"
    panel.set_comparison(None)
    panel.show_view("compare")
    assert not any(ax.has_data() for ax in panel.canvas("compare").figure.axes)


def test_clearing_and_unknown_view(panel):
    panel.set_result(None)
    panel.show_view("summary")
    texts = [t.get_text() for ax in panel.canvas("summary").figure.axes for t in ax.texts]
    assert any("press Run" in t for t in texts)
    with pytest.raises(KeyError, match="choose one of"):
        panel.show_view("no-such-view")


def test_export_png_svg_pdf_and_copy(qtbot, panel, default_scn, tmp_path):
    shown_run(qtbot, panel, default_scn, tornado=False, frontier_points=0)
    canvas = panel.canvas("distribution")
    heads = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
    for suffix, head in heads.items():
        out = canvas.export(tmp_path / f"plot.{suffix}")
        assert out.read_bytes()[: len(head)] == head
    assert "Probability density" in (tmp_path / "plot.svg").read_text()   # text stays text in SVG
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        canvas.export(tmp_path / "plot.bmp")
    image = canvas.copy_to_clipboard()
    pasted = QGuiApplication.clipboard().image()
    assert not pasted.isNull()
    assert (pasted.width(), pasted.height()) == (image.width(), image.height())
    w_in = canvas.figure.get_size_inches()[0]
    assert image.width() == pytest.approx(w_in * 200, abs=2)


def test_compare_view_on_its_own(qtbot, default_scn, proportional):
    from ui.compare_view import CompareView
    from workbench.pipeline import run_scenario

    mine = run_scenario(default_scn, trials=TRIALS, tornado=False, stress=False)
    view = CompareView()
    qtbot.addWidget(view)
    view.show()
    view.set_runs(mine, proportional, "Mean-variance", "Proportional")
    view.canvas.ensure_drawn()
    labels = [line.get_label() for line in view.canvas.figure.axes[0].lines]
    assert any(lab.startswith("Proportional CVaR") for lab in labels)
    model = view.table.model()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Expected NPV at 5 %" in names and "Value added" in names
