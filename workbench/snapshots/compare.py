"""Compare two scenarios or snapshots: the input diff, the result deltas, the waterfall.

* the input diff is :func:`workbench.diff.diff_scenarios` (the same diff as the Excel merge);
* the result deltas come from the key results stored with the snapshots (old, new, new - old);
* the waterfall explains the move of expected P&L and CVaR: starting from the old
  scenario, each group of input changes is applied in turn and the pipeline re-run on the
  same seed and number of trials (common random numbers), so each step's delta is that
  group's effect given the groups before it, and the steps add up exactly to the total.
  Groups are one per changed Scenario field, then one per table (Sectors, Projects,
  Financing, Constraints, Risk events, Correlations); when a diff is small (at most
  ``max_groups`` groups by row) keyed tables are split by row. A group whose intermediate
  scenario cannot run (say a sector removed before the projects that use it) is merged
  with the next group. Seed and trials are held fixed, so a change of ``Random seed`` or
  ``Trials`` shows as a zero step: the waterfall's own base and final figures can differ
  from the stored results, which used each scenario's own seed and trials.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench import schema
from workbench.progress import CancelFn, ProgressFn, check_cancel, sub_progress

if TYPE_CHECKING:
    import pandas as pd

    from workbench.diff import ScenarioDiff
    from workbench.scenario import Scenario
    from workbench.snapshots.library import Library

#: The figures the waterfall tracks (``workbench.risk.report.summary_dict`` keys).
WATERFALL_KEYS = ("expected_pnl", "cvar")
HELD_FIXED = ("Random seed", "Trials")
TABLE_ORDER = ("Sectors", "Projects", "Financing", "Constraints", "Risk events")


@dataclass(frozen=True)
class ResultDelta:
    key: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True)
class WaterfallStep:
    label: str                    # "Projects: P-07", "Scenario: Discount rate", "Sectors + Projects"
    changes: int                  # fields or rows this group changes
    values: dict[str, float]      # figures after applying this group (and the ones before)
    deltas: dict[str, float]      # move caused by this group


@dataclass(frozen=True)
class Waterfall:
    trials: int | None
    seed: int | None
    base: dict[str, float]        # figures of the old scenario (same seed and trials)
    steps: tuple[WaterfallStep, ...]
    final: dict[str, float]

    def total(self, key: str) -> float:
        return self.final[key] - self.base[key]


@dataclass(frozen=True)
class Comparison:
    old_label: str
    new_label: str
    old_hash: str
    new_hash: str
    diff: ScenarioDiff
    deltas: tuple[ResultDelta, ...]
    waterfall: Waterfall | None = None

    @property
    def identical(self) -> bool:
        return self.old_hash == self.new_hash

    def to_json(self) -> dict[str, Any]:
        from workbench.snapshots.codec import plain

        out: dict[str, Any] = {"old": self.old_label, "new": self.new_label, "old_hash": self.old_hash,
                               "new_hash": self.new_hash, "identical": self.identical,
                               "diff": diff_to_json(self.diff),
                               "results": {d.key: {"old": d.old, "new": d.new, "delta": d.delta} for d in self.deltas}}
        if self.waterfall is not None:
            w = self.waterfall
            out["waterfall"] = {"trials": w.trials, "seed": w.seed, "base": w.base, "final": w.final,
                                "steps": [{"label": s.label, "changes": s.changes, "values": s.values,
                                           "deltas": s.deltas} for s in w.steps]}
        data: dict[str, Any] = plain(out)   # a dict stays a dict
        return data


def diff_to_json(diff: object) -> Any:
    """The input diff as plain data (whatever form workbench.diff gives it)."""
    for name in ("as_json", "to_json", "to_dict"):
        fn = getattr(diff, name, None)
        if callable(fn):
            return fn()
    import dataclasses

    if dataclasses.is_dataclass(diff) and not isinstance(diff, type):
        from workbench.snapshots.codec import plain
        return plain(json.loads(json.dumps(dataclasses.asdict(diff), default=str)))
    return diff


def result_deltas(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[ResultDelta, ...]:
    """Old, new and delta of every numeric key result present in either summary."""
    old, new = old or {}, new or {}
    keys = [k for k in old if k in new] + [k for k in old if k not in new] + [k for k in new if k not in old]
    out = []
    for k in keys:
        a, b = _num(old.get(k)), _num(new.get(k))
        if (a is None and b is None) or k in ("trials", "seed"):
            continue
        out.append(ResultDelta(k, a, b))
    return tuple(out)


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(float(x)) else None


# ------------------------------------------------------------------ waterfall groups
#: Applies one group of changes to a scenario.
Apply = Callable[["Scenario"], "Scenario"]


def _set_field(name: str, value: Any) -> Apply:
    return lambda s: s.with_fields(**{name: value})


def _set_table(name: str, frame: pd.DataFrame) -> Apply:
    return lambda s: s.with_table(name, frame.copy())


def _set_corr(corr: pd.DataFrame | None) -> Apply:
    return lambda s: _with_corr(s, corr)


def _set_row(table: str, key: list[str], k: tuple[Any, ...], row: pd.Series | None) -> Apply:
    return lambda s: _put_row(s, table, key, k, row)


def _canon_rows(frame: pd.DataFrame, cols: list[str]) -> list[str]:
    from workbench.scenario import _norm

    rows = frame[cols].itertuples(index=False, name=None)
    return [json.dumps([_norm(v) for v in row], sort_keys=True) for row in rows]


def change_groups(old: Scenario, new: Scenario, *, max_groups: int = 12) -> list[tuple[str, int, Apply]]:
    """The groups of input changes from ``old`` to ``new``, each as (label, changes, apply)."""
    groups: list[tuple[str, int, Apply]] = []
    from workbench.scenario import _norm

    for col in schema.SCENARIO_FIELDS.columns:
        was, now = _norm(old.fields.get(col.name)), _norm(new.fields.get(col.name))
        if was != now:
            value = new.fields.get(col.name)
            suffix = " (held fixed here)" if col.name in HELD_FIXED else ""
            groups.append((f"Scenario: {col.name}{suffix}", 1, _set_field(col.name, value)))
    row_groups: list[tuple[str, int, Apply]] = []
    table_groups: list[tuple[str, int, Apply]] = []
    for name in TABLE_ORDER:
        a, b = old.table(name), new.table(name)
        oc, nc = old.canonical()[name], new.canonical()[name]
        if oc == nc:
            continue
        rows_a, rows_b = set(_canon_rows(a, list(a.columns))), set(_canon_rows(b, list(b.columns)))
        n_changed = max(len(rows_a - rows_b), len(rows_b - rows_a))
        table_groups.append((name, n_changed, _set_table(name, b)))
        row_groups += _row_groups(name, a, b) or [table_groups[-1]]
    if not _same_corr(old, new):
        corr = new.correlations
        table_groups.append(("Correlations", 1, _set_corr(corr)))
        row_groups.append(table_groups[-1])
    rows_fit = len(groups) + len(row_groups) <= max_groups
    return groups + (row_groups if rows_fit else table_groups)


def _same_corr(old: Scenario, new: Scenario) -> bool:
    return bool(old.canonical()["Correlations"] == new.canonical()["Correlations"])


def _with_corr(scn: Scenario, corr: pd.DataFrame | None) -> Scenario:
    from dataclasses import replace

    return replace(scn, correlations=None if corr is None else corr.copy())


def _row_groups(name: str, a: pd.DataFrame, b: pd.DataFrame) -> list[tuple[str, int, Apply]] | None:
    """One group per changed, added or removed row of a keyed table (None: not splittable)."""
    key = list(schema.TABLES[name].key)
    if not key or list(a.columns) != list(b.columns):
        return None
    ka = [tuple(r) for r in a[key].itertuples(index=False, name=None)]
    kb = [tuple(r) for r in b[key].itertuples(index=False, name=None)]
    if len(set(ka)) != len(ka) or len(set(kb)) != len(kb):
        return None
    ra = dict(zip(ka, _canon_rows(a, list(a.columns)), strict=True))
    rb = dict(zip(kb, _canon_rows(b, list(b.columns)), strict=True))
    out: list[tuple[str, int, Apply]] = []
    for k in list(dict.fromkeys(ka + kb)):
        if ra.get(k) == rb.get(k):
            continue
        what = "added" if k not in ra else "removed" if k not in rb else "changed"
        label = f"{name}: {' / '.join(str(x) for x in k)} ({what})"
        row = b.iloc[kb.index(k)] if k in rb else None
        out.append((label, 1, _set_row(name, key, k, row)))
    return out


def _put_row(scn: Scenario, table: str, key: list[str], k: tuple[Any, ...], row: pd.Series | None) -> Scenario:
    import pandas as pd

    frame = scn.table(table)
    keys = [tuple(r) for r in frame[key].itertuples(index=False, name=None)]
    if k in keys:
        frame = frame.drop(index=frame.index[keys.index(k)])
    if row is not None:
        frame = pd.concat([frame, row.to_frame().T.astype(frame.dtypes.to_dict())], ignore_index=True)
    return scn.with_table(table, frame.reset_index(drop=True))


# ------------------------------------------------------------------------ running
def pipeline_runner(trials: int | None, seed: int | None) -> Callable[..., dict[str, float]]:
    """Run the real pipeline (no stress tests or tornado) and return its key results."""
    from workbench.pipeline import run_scenario
    from workbench.risk.report import summary_dict

    def run(scn: Scenario, progress: ProgressFn | None = None,
            should_cancel: CancelFn | None = None) -> dict[str, float]:
        result = run_scenario(scn, trials=trials, seed=seed, progress=progress, should_cancel=should_cancel,
                              stress=False, tornado=False)
        return dict(summary_dict(result))

    return run


def waterfall(old: Scenario, new: Scenario, *, trials: int | None = None, seed: int | None = None, max_groups: int = 12,
              progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
              runner: Callable[..., dict[str, float]] | None = None) -> Waterfall:
    """Apply the groups of changes from ``old`` to ``new`` in turn, re-running on common random numbers."""
    trials = old.trials if trials is None else int(trials)
    seed = old.seed if seed is None else int(seed)
    run = runner or pipeline_runner(trials, seed)
    groups = change_groups(old, new, max_groups=max_groups)
    target = new.content_hash()
    total = len(groups) + 1

    def figures(scn: Scenario, i: int) -> dict[str, float]:
        check_cancel(should_cancel)
        out = run(scn, progress=sub_progress(progress, i / total, (i + 1) / total), should_cancel=should_cancel)
        return {k: float(out[k]) for k in WATERFALL_KEYS if _num(out.get(k)) is not None}

    base = figures(old, 0)
    current, prev = old, base
    steps: list[WaterfallStep] = []
    pending_labels: list[str] = []
    pending_changes = 0
    for i, (label, changes, apply) in enumerate(groups, start=1):
        current = apply(current)
        pending_labels.append(label)
        pending_changes += changes
        last = i == len(groups)
        if last and current.content_hash() != target:
            current = new  # whatever the groups missed rides with the last step
        try:
            values = figures(new if last else current, i)
        except Exception as exc:
            from workbench.progress import Cancelled

            if isinstance(exc, Cancelled) or last:
                raise
            continue  # this intermediate scenario cannot run: merge the group with the next
        steps.append(WaterfallStep(" + ".join(pending_labels), pending_changes, values,
                                   {k: values[k] - prev[k] for k in values if k in prev}))
        prev, pending_labels, pending_changes = values, [], 0
    final = prev if steps else figures(new, total - 1)
    if progress:
        progress(1.0, "waterfall done")
    return Waterfall(trials, seed, base, tuple(steps), final)


def compare_scenarios(old: Scenario, new: Scenario, *, old_label: str = "old", new_label: str = "new",
                      old_summary: dict[str, Any] | None = None, new_summary: dict[str, Any] | None = None,
                      with_waterfall: bool = False, **waterfall_kwargs: Any) -> Comparison:
    """Compare two scenarios: input diff, deltas of the given key results, optional waterfall."""
    from workbench.diff import diff_scenarios

    wf = None
    if with_waterfall and old.content_hash() != new.content_hash():
        wf = waterfall(old, new, **waterfall_kwargs)
    return Comparison(old_label, new_label, old.content_hash(), new.content_hash(), diff_scenarios(old, new),
                      result_deltas(old_summary, new_summary), wf)


def compare_snapshots(library: Library, old_id: int, new_id: int, *, waterfall: bool = False,
                      **kwargs: Any) -> Comparison:
    """Compare two snapshots of ``library`` (ids), with their stored key results."""
    a, b = library.get(old_id), library.get(new_id)
    return compare_scenarios(library.restore(a.id), library.restore(b.id), old_label=f"#{a.id} {a.note}".strip(),
                             new_label=f"#{b.id} {b.note}".strip(), old_summary=a.summary, new_summary=b.summary,
                             with_waterfall=waterfall, **kwargs)
