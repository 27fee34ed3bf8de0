"""The document: title, Save's target and the undo history agree at every step; no file gets another's content.

Opening a workbook starts a new document (a new undo history; unsaved changes are offered
for saving first). Saving over a file another program changed asks first. The property
test drives the real main window through random sequences of open, edit, undo, redo,
save, save as and outside changes, answering every dialog as a user would, and reads every
file back with the real reader after every step.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from tests.ui.dialogs import Answers
from ui import files
from ui.document import FileStamp
from workbench.commands import SetCell, SetField
from workbench.default_scenario import default_scenario
from workbench.excel import read_workbook, write_workbook
from workbench.scenario import Scenario


def _named(name: str, volatility: float = 0.3) -> Scenario:
    scn, _ = SetField("Name", name).apply(default_scenario())
    scn, _ = SetCell("Sectors", 0, "Volatility", volatility).apply(scn)
    return scn


def _on_disk(path: Path) -> Scenario:
    result = read_workbook(path)
    assert result.scenario is not None, f"{path.name} no longer reads: {result.issues}"
    return result.scenario


def _undo(window) -> None:
    window.menu_actions.undo.trigger()      # what Ctrl+Z does


def _save(window) -> None:
    window.menu_actions.save.trigger()      # what Ctrl+S does


def test_open_mine_open_colleague_undo_save_leaves_mine_alone(window, tmp_path):
    mine, colleague = tmp_path / "mine.xlsx", tmp_path / "colleague.xlsx"
    write_workbook(mine, _named("Mine"))
    write_workbook(colleague, _named("Colleague's", 0.41))
    assert files.open_path(window, mine)
    assert files.open_path(window, colleague)
    assert window.undo_stack.count() == 0            # a new document: nothing of mine.xlsx to undo into
    assert not window.menu_actions.undo.isEnabled()
    _undo(window)
    assert window.scenario.name == "Colleague's"
    window.push(SetField("Author", "me"))
    _save(window)
    assert _on_disk(colleague).fields["Author"] == "me"
    assert _on_disk(colleague).name == "Colleague's"
    assert _on_disk(mine).same_content(_named("Mine"))
    assert "(colleague.xlsx)" in window.windowTitle() and not window.isWindowModified()


def test_open_with_unsaved_changes_asks_save_discard_or_cancel(window, tmp_path):
    mine, colleague = tmp_path / "mine.xlsx", tmp_path / "colleague.xlsx"
    write_workbook(mine, _named("Mine"))
    write_workbook(colleague, _named("Colleague's"))
    assert files.open_path(window, mine)
    window.push(SetField("Author", "edited"))
    assert window.isWindowModified() and "mine.xlsx" in window.windowTitle()

    with Answers() as answers:
        answers.expect("Cancel")
        assert not files.open_path(window, colleague)
    assert "opening colleague.xlsx" in answers.seen[0] or "mine.xlsx" in answers.seen[0]
    assert window.current_path == mine and window.scenario.fields["Author"] == "edited"
    assert window.undo_stack.count() == 1                      # nothing lost, the edit still undoable

    with Answers() as answers:
        answers.expect("Save")
        assert files.open_path(window, colleague)
    assert _on_disk(mine).fields["Author"] == "edited"
    assert window.current_path == colleague and window.scenario.name == "Colleague's"

    window.push(SetField("Author", "thrown away"))
    with Answers() as answers:
        answers.expect("Discard")
        assert files.open_path(window, mine)
    assert _on_disk(colleague).same_content(_named("Colleague's"))
    assert window.scenario.fields["Author"] == "edited" and not window.isWindowModified()


def test_opening_the_open_file_again_after_saving_shows_what_was_saved(window, tmp_path):
    mine = tmp_path / "mine.xlsx"
    write_workbook(mine, _named("Mine"))
    assert files.open_path(window, mine)
    window.push(SetField("Author", "unsaved"))
    with Answers() as answers:
        answers.expect("Save")
        assert files.open_path(window, mine)
    assert _on_disk(mine).fields["Author"] == "unsaved"
    assert window.scenario.fields["Author"] == "unsaved" and not window.isWindowModified()
    window.push(SetField("Author", "thrown away"))
    with Answers() as answers:
        answers.expect("Discard")
        assert files.open_path(window, mine)
    assert window.scenario.fields["Author"] == "unsaved" and window.undo_stack.count() == 0


def test_new_document_without_a_file_saves_through_save_as_first(window, tmp_path):
    colleague = tmp_path / "colleague.xlsx"
    write_workbook(colleague, _named("Colleague's"))
    window.push(SetField("Author", "draft"))
    with Answers() as answers:
        answers.expect("Save").expect_cancel_file()     # Save, then cancel the file dialog: nothing opens
        assert not files.open_path(window, colleague)
    assert window.scenario.fields["Author"] == "draft" and window.current_path is None
    with Answers() as answers:
        answers.expect("Save").expect_file(tmp_path / "draft.xlsx")
        assert files.open_path(window, colleague)
    assert _on_disk(tmp_path / "draft.xlsx").fields["Author"] == "draft"
    assert window.current_path == colleague


def test_saving_over_a_file_changed_elsewhere_asks_first(window, tmp_path):
    mine = tmp_path / "mine.xlsx"
    write_workbook(mine, _named("Mine"))
    assert files.open_path(window, mine)
    window.push(SetField("Author", "me"))
    os.utime(mine)                                       # touched, same bytes: no question
    _save(window)
    assert _on_disk(mine).fields["Author"] == "me"

    write_workbook(mine, _named("Changed by Excel", 0.5))   # another program rewrites it
    window.push(SetField("Author", "me again"))
    with Answers() as answers:
        answers.expect("Cancel")
        _save(window)
    assert "changed by another program" in answers.seen[0]
    assert _on_disk(mine).name == "Changed by Excel" and window.isWindowModified()

    with Answers() as answers:
        answers.expect("Save As...").expect_file(tmp_path / "mine (2).xlsx")
        _save(window)
    assert _on_disk(mine).name == "Changed by Excel"
    assert _on_disk(tmp_path / "mine (2).xlsx").fields["Author"] == "me again"
    assert window.current_path == tmp_path / "mine (2).xlsx" and "(mine (2).xlsx)" in window.windowTitle()

    write_workbook(tmp_path / "mine (2).xlsx", _named("Changed again"))
    window.push(SetField("Author", "final"))
    with Answers() as answers:
        answers.expect("Overwrite")
        _save(window)
    assert _on_disk(tmp_path / "mine (2).xlsx").fields["Author"] == "final"
    assert not window.isWindowModified()


def test_a_file_deleted_elsewhere_is_written_again_without_a_question(window, tmp_path):
    mine = tmp_path / "mine.xlsx"
    write_workbook(mine, _named("Mine"))
    assert files.open_path(window, mine)
    mine.unlink()
    window.push(SetField("Author", "me"))
    _save(window)
    assert _on_disk(mine).fields["Author"] == "me"


def test_an_ods_opens_as_a_document_whose_save_asks_for_an_xlsx(window, tmp_path):
    import pandas as pd

    write_workbook(tmp_path / "tmp.xlsx", _named("Colleague's"))
    ods = tmp_path / "colleague.ods"
    frames = pd.read_excel(tmp_path / "tmp.xlsx", sheet_name=None, header=None, engine="openpyxl")
    with pd.ExcelWriter(ods, engine="odf") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
    assert files.open_path(window, ods)
    assert window.current_path is None and not window.isWindowModified()
    assert f"from {ods.name}" in window.windowTitle()
    with Answers() as answers:
        answers.expect_file(tmp_path / "colleague-saved.xlsx")
        _save(window)
    assert window.current_path == tmp_path / "colleague-saved.xlsx"
    assert _on_disk(tmp_path / "colleague-saved.xlsx").name == "Colleague's"
    assert "(colleague-saved.xlsx)" in window.windowTitle()


def test_file_stamp_sees_changed_bytes_not_a_touch(tmp_path):
    path = tmp_path / "a.xlsx"
    write_workbook(path, _named("A"))
    stamp = FileStamp.of(path)
    os.utime(path, ns=(stamp.mtime_ns + 5_000_000_000, stamp.mtime_ns + 5_000_000_000))
    assert not stamp.changed_on_disk()
    write_workbook(path, _named("B"))
    assert stamp.changed_on_disk()
    assert FileStamp.of(tmp_path / "missing.xlsx") is None


# ------------------------------------------------------------------------ the property test
@dataclass
class Model:
    """What the window should show and what every file should hold, updated by the same rules as the app."""

    files: dict[Path, Scenario]
    version: dict[Path, int]
    history: list[Scenario]
    index: int = 0
    clean: int | None = 0
    path: Path | None = None
    synced: int = -1                 # version of ``path`` the document last read or wrote
    fresh: int = 0
    log: list[str] = field(default_factory=list)
    verified: dict[Path, tuple[str, str]] = field(default_factory=dict)   # file -> (bytes hash, content hash read)

    @property
    def content(self) -> Scenario:
        return self.history[self.index]

    @property
    def modified(self) -> bool:
        return self.index != self.clean

    def new_path(self, folder: Path) -> Path:
        self.fresh += 1
        return folder / f"saved-{self.fresh}.xlsx"

    def wrote(self, path: Path) -> None:
        self.files[path] = self.content
        self.version[path] = self.version.get(path, 0) + 1
        self.path, self.synced, self.clean = path, self.version[path], self.index


def _plan_save_as(model: Model, rng, answers: Answers, folder: Path) -> bool:
    if rng.random() < 0.2:
        answers.expect_cancel_file()
        return False
    target = model.new_path(folder)
    answers.expect_file(target)
    model.wrote(target)
    return True


def _plan_save(model: Model, rng, answers: Answers, folder: Path) -> bool:
    if model.path is None:
        return _plan_save_as(model, rng, answers, folder)
    if model.version[model.path] != model.synced:       # another program changed it: the app asks
        choice = ["Overwrite", "Save As...", "Cancel"][int(rng.integers(3))]
        answers.expect(choice)
        if choice == "Cancel":
            return False
        if choice == "Save As...":
            return _plan_save_as(model, rng, answers, folder)
    model.wrote(model.path)
    return True


def _plan_settle(model: Model, rng, answers: Answers, folder: Path) -> bool:
    if not model.modified:
        return True
    choice = ["Save", "Discard", "Cancel"][int(rng.integers(3))]
    answers.expect(choice)
    if choice == "Cancel":
        return False
    if choice == "Save":
        return _plan_save(model, rng, answers, folder)
    return True


def _step(window, model: Model, rng, folder: Path, n: int) -> None:
    action = ["edit", "edit", "undo", "redo", "open", "save", "save_as", "outside", "new"][int(rng.integers(9))]
    with Answers() as answers:
        if action == "edit":
            value = f"edit {n}"
            window.push(SetField("Author", value))
            model.history = [*model.history[: model.index + 1], window.scenario]
            if model.clean is not None and model.clean > model.index:
                model.clean = None
            model.index += 1
            assert window.scenario.fields["Author"] == value
        elif action == "undo":
            _undo(window)
            model.index = max(model.index - 1, 0)
        elif action == "redo":
            window.menu_actions.redo.trigger()
            model.index = min(model.index + 1, len(model.history) - 1)
        elif action in ("open", "new"):
            target = sorted(model.files)[int(rng.integers(len(model.files)))] if action == "open" else None
            action = f"{action} {target.name if target else ''}".strip()
            if _plan_settle(model, rng, answers, folder):
                if target is None:
                    content, path, synced = default_scenario(), None, -1
                else:
                    content, path, synced = model.files[target], target, model.version[target]
                model.history, model.index, model.clean = [content], 0, 0
                model.path, model.synced = path, synced
            if target is None:
                files.new_default(window)
            else:
                files.open_path(window, target)
        elif action == "save":
            _plan_save(model, rng, answers, folder)
            _save(window)
        elif action == "save_as":
            _plan_save_as(model, rng, answers, folder)
            window.menu_actions.save_as.trigger()
        else:                                                  # another program rewrites one of the files
            target = sorted(model.files)[int(rng.integers(len(model.files)))]
            outside = _named(f"outside {n}", float(rng.uniform(0.1, 0.6)))
            write_workbook(target, outside)
            model.files[target] = outside
            model.version[target] += 1
            action = f"outside {target.name}"
    model.log.append(f"{action} -> {list(zip(answers.seen, answers.given, strict=True))}")


def _check(window, model: Model, folder: Path) -> None:
    where = "\n".join(model.log)
    assert window.scenario.same_content(model.content), f"window content differs after:\n{where}"
    assert window.current_path == model.path, f"Save's target differs after:\n{where}"
    assert window.isWindowModified() == model.modified, f"modified marker differs after:\n{where}"
    title = window.windowTitle()
    assert title.endswith("[*] - Scenario Workbench")
    assert (f"({model.path.name})" in title) if model.path else ("(not saved yet)" in title), where
    assert sorted(folder.glob("*.xlsx")) == sorted(model.files), where
    for path, expected in model.files.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if model.verified.get(path) == (digest, expected.content_hash()):
            continue                     # the same bytes were read back as this content at an earlier step
        assert _on_disk(path).same_content(expected), f"{path.name} holds other content after:\n{where}"
        model.verified[path] = (digest, expected.content_hash())


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_sessions_never_write_one_documents_content_into_another_file(window, tmp_path, seed):
    folder = tmp_path / "files"
    folder.mkdir()
    rng = np.random.default_rng(np.random.SeedSequence([12, seed]))
    start = {folder / f"{name}.xlsx": _named(f"File {name}", 0.2 + 0.1 * i) for i, name in enumerate("ABC")}
    for path, scn in start.items():
        write_workbook(path, scn)
    model = Model(files=dict(start), version=dict.fromkeys(start, 1), history=[window.scenario])
    for n in range(40):
        _step(window, model, rng, folder, n)
        _check(window, model, folder)
