"""The Scenario fields (name, size, years, trials, method...) as a form.

Each field is a text box (checked as you type: red with the reason as tooltip when the
value cannot be used) or a dropdown for the fields with fixed choices. Finishing an
edit pushes one ``SetField`` command ("Undo Edit Scenario Trials").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from ui import formatting
from ui.delegates import INVALID_STYLE
from ui.table_model import column_tooltip
from workbench.commands import SetField
from workbench.schema import PRECISION_FIELD, SCENARIO_FIELDS, Column
from workbench.validation import check_value


class ScenarioForm(QScrollArea):
    """Editable Scenario fields over a :class:`~ui.undo.ScenarioDocument`."""

    edit_rejected = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self._doc = document
        self.setWidgetResizable(True)
        inner = QWidget()
        outer = QVBoxLayout(inner)
        intro = QLabel("The scenario's settings. Rates are percentages: 6, 6 % and 0.06 all mean 6 % "
                       "(type 0.5 % with its sign); money is in USD m unless the label says USD bn, "
                       "and may be typed with its unit ($1.2bn, ¥3 trillion).")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        outer.addStretch(1)
        self.setWidget(inner)
        self.editors: dict[str, QWidget] = {}
        for col in SCENARIO_FIELDS.columns:
            editor = self._make_editor(col)
            editor.setToolTip(column_tooltip(col))
            label = QLabel(col.name.replace("&", "&&") + (" *" if col.required else ""))
            label.setToolTip(column_tooltip(col))
            label.setBuddy(editor)
            self.form.addRow(label, editor)
            self.editors[col.name] = editor
        self.refresh(document.scenario)
        document.changed.connect(self.refresh)

    def _make_editor(self, col: Column) -> QWidget:
        if col.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(col.choices))
            combo.activated.connect(lambda _i, c=col, w=combo: self._commit(c, w.currentText()))
            return combo
        line = QLineEdit()
        if col.is_numeric:
            line.setAlignment(Qt.AlignmentFlag.AlignRight)
            placeholder = formatting.display(col, col.default) if col.default is not None else "none"
            if col.name == PRECISION_FIELD:
                placeholder = "off (a run uses Trials)"
            line.setPlaceholderText(f"empty = {placeholder}")
        line.textEdited.connect(lambda text, c=col, w=line: self._check(c, w, text))
        line.editingFinished.connect(lambda c=col, w=line: self._commit(c, w.text()))
        return line

    def _check(self, col: Column, widget: QWidget, text: str) -> tuple[bool, Any, str]:   # (ok, parsed cell, problem)
        try:
            value = formatting.parse(col, text, jpy_per_usd=formatting.jpy_per_usd(self._doc.scenario))
        except formatting.ParseError as exc:
            problem: tuple[str, str | None] | None = (str(exc), None)
            value = None
        else:
            problem = check_value(col, value)
        if problem:
            message = problem[0] + (f" {problem[1]}" if problem[1] else "")
            widget.setStyleSheet(INVALID_STYLE)
            widget.setToolTip(message)
            return False, None, message
        widget.setStyleSheet("")
        widget.setToolTip(column_tooltip(col))
        return True, value, ""

    def _commit(self, col: Column, text: str) -> None:
        widget = self.editors[col.name]
        ok, value, message = self._check(col, widget, text)
        if not ok:
            self.edit_rejected.emit(f"Scenario, {col.name}: {message}")
            return
        old = self._doc.scenario.fields.get(col.name)
        if formatting.is_missing(old) and value is None:
            return
        if old == value or (col.is_numeric and value is not None and not formatting.is_missing(old)
                            and float(old) == float(value)):
            self.refresh(self._doc.scenario)
            return
        if col.kind == "integer" and value is not None:
            value = int(value)
        self._doc.push(SetField(col.name, value, label=f"Edit Scenario {col.name}"))

    def refresh(self, scn) -> None:
        for col in SCENARIO_FIELDS.columns:
            widget = self.editors[col.name]
            value = scn.fields.get(col.name)
            if isinstance(widget, QComboBox):
                widget.blockSignals(True)
                text = str(scn.field(col.name))
                if widget.findText(text) < 0:
                    widget.addItem(text)
                widget.setCurrentText(text)
                widget.blockSignals(False)
                problem = check_value(col, value)
                widget.setStyleSheet(INVALID_STYLE if problem else "")
            elif isinstance(widget, QLineEdit):
                text = formatting.display(col, value) if col.is_numeric else ("" if value is None else str(value))
                if widget.text() != text:
                    widget.setText(text)
                    widget.setCursorPosition(0)  # show the start of a long description
                self._check(col, widget, text)

    def focus_field(self, name: str) -> None:
        widget = self.editors.get(name)
        if widget is not None:
            self.ensureWidgetVisible(widget)
            widget.setFocus()
            if isinstance(widget, QLineEdit):
                widget.selectAll()
