"""One way to type a number: the Scenario form, the table cells and paste read the same text the same way,
and their messages speak the units the cell shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.editing.test_editing import _cell


def _type_in_form(window, field: str, text: str) -> None:
    editor = window.form.editors[field]
    editor.setText(text)
    editor.textEdited.emit(text)
    editor.editingFinished.emit()


@pytest.mark.parametrize("text", ["6", "6 %", "6%", "0.06"])
def test_the_form_takes_a_rate_as_the_table_does(window, projects, text):
    _type_in_form(window, "Discount rate", text)
    assert window.scenario.fields["Discount rate"] == pytest.approx(0.06)
    assert window.form.editors["Discount rate"].text() == "6 %"
    index = _cell(projects, 0, "Recovery rate")
    assert projects.proxy.setData(index, text)
    assert window.scenario.projects.at[0, "Recovery rate"] == pytest.approx(0.06)
    assert index.data(Qt.ItemDataRole.DisplayRole) == "6 %"


def test_money_with_units_in_the_form_and_in_paste(window, projects):
    _type_in_form(window, "Programme size (USD bn)", "$600bn")
    assert window.scenario.fields["Programme size (USD bn)"] == pytest.approx(600.0)
    view = projects.view
    view.setCurrentIndex(_cell(projects, 0, "Requested (USD m)"))
    rate = window.scenario.field("JPY per USD")
    assert projects.paste("$1.2bn\n¥30bn\n")
    assert list(window.scenario.projects.loc[0:1, "Requested (USD m)"]) == pytest.approx([1200.0, 30_000 / rate])
    assert not projects.paste("(1,200)\n")   # a negative request is refused, in the cell's words
    assert "must be above 0" in window.messages[-1].text()


def test_a_refused_rate_is_explained_in_percent(window):
    before = window.scenario.fields.get("Discount rate")
    messages: list[str] = []
    window.form.edit_rejected.connect(messages.append)
    _type_in_form(window, "Discount rate", "60")
    assert window.scenario.fields.get("Discount rate") == before
    assert messages and "from 0 % to 50 %" in messages[-1] and "60 %" in messages[-1]
    assert "0.6" not in messages[-1] and "0.5" not in messages[-1]
    tip = window.form.editors["Discount rate"].toolTip()
    assert "60 %" in tip
