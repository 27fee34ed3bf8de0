"""Every derived figure in docs/assumptions.md is recomputed here from the default scenario.

A figure in the document is followed by a marker ``<!--= KEY ARGS -->`` (invisible when the
Markdown is rendered); ARGS are names separated by ``|``. The marker applies to the last
number before it, and that number must equal the recomputed value rounded to the decimals
shown. Changing a number of ``workbench/default_scenario.py`` without the document (or the
reverse) fails here; so does removing a marker (the required keys are listed below) or
leaving a correlation out of the document's list.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from workbench.default_scenario import default_scenario
from workbench.risk import paths
from workbench.risk.model import LOAN, build_model

DOC = Path(__file__).resolve().parents[2] / "docs" / "assumptions.md"
MARK = re.compile(r"(\d[\d,]*(?:\.\d+)?)[^\d<]{0,16}?<!--= (\w+)((?: [^>]*?)?) -->")

#: Keys the document must carry at least once (a figure cannot silently lose its check).
REQUIRED = {"size_bn", "min_deployed_bn", "project_cap_bn", "lost_pct", "loan_pd_min", "loan_pd_max",
            "negative_loans", "loans_in", "npv_loss_cents", "growth_cut", "net_return", "underway", "corr",
            "min_eigenvalue",
            "n_projects", "requested_bn", "requested_excess_pct", "n_states", "ticket_share_min",
            "ticket_share_max", "specific_min", "specific_max", "coupon_min", "coupon_max", "fee_min", "fee_max",
            "recovery_min", "recovery_max", "start_min", "start_max", "request_bn", "ticket_bn", "score",
            "capacity_bn", "financier_requested_bn", "shock_cut_pct", "discount_pct", "per_sector"}


@cache
def scn():
    return default_scenario()


@cache
def model():
    return build_model(scn())


# ---------------------------------------------------------------- the event process, exactly
def _years_under_way_mgf(p: float, d: int, shock: float, horizon: int) -> float:
    """E[exp(shock * N)], N the years event (p, d) is under way within ``horizon`` years, none under way
    before the first: the event's Markov chain (years left to run) walked year by year."""
    weight = {0: 1.0}       # years left after this year -> probability, times exp(shock) per year under way
    for _ in range(horizon):
        nxt: dict[int, float] = {}
        for left, w in weight.items():
            if left == 0:
                nxt[d - 1] = nxt.get(d - 1, 0.0) + w * p * math.exp(shock)
                nxt[0] = nxt.get(0, 0.0) + w * (1.0 - p)
            else:
                nxt[left - 1] = nxt.get(left - 1, 0.0) + w * math.exp(shock)
        weight = nxt
    return sum(weight.values())


def _share_under_way(p: float, d: int, horizon: int) -> float:
    """Expected share of the horizon's years in which the event is under way (the chain's occupancy)."""
    share, left_dist = 0.0, {0: 1.0}
    for _ in range(horizon):
        nxt: dict[int, float] = {}
        for left, w in left_dist.items():
            if left == 0:
                share += w * p
                nxt[d - 1] = nxt.get(d - 1, 0.0) + w * p
                nxt[0] = nxt.get(0, 0.0) + w * (1.0 - p)
            else:
                share += w
                nxt[left - 1] = nxt.get(left - 1, 0.0) + w
        left_dist = nxt
    return share / horizon


def net_growth(sector: str) -> float:
    """Expected annual growth net of the events: (1 + mu) E[exp(sum of the horizon's shocks)]^(1/H) - 1
    (events independent of each other and of the normal draws)."""
    m = model()
    s = m.sectors.index(sector)
    factor = np.prod([_years_under_way_mgf(p, int(d), m.event_shock[e, s], m.horizon)
                      for e, (p, d) in enumerate(zip(m.event_prob, m.event_duration))])
    return (1.0 + m.sector_mu[s]) * factor ** (1.0 / m.horizon) - 1.0


def test_the_exact_event_figures_match_the_engines_event_process():
    """The closed-form walk above against the engine's own event simulation (its uniforms, its rules)."""
    m = model()
    trials, horizon = 200_000, m.horizon
    u = np.random.Generator(np.random.PCG64(np.random.SeedSequence(2026))).random((horizon, len(m.events), trials))
    sec = np.zeros((horizon, len(m.sectors), trials))
    occurred = np.zeros((len(m.events), trials), dtype=bool)
    paths._add_events(m, sec, u, None, occurred)
    for s, name in enumerate(m.sectors):
        growth = np.exp(sec[:, s].sum(axis=0))
        exact = ((1.0 + net_growth(name)) / (1.0 + m.sector_mu[s])) ** horizon
        assert abs(growth.mean() - exact) < 4 * growth.std() / math.sqrt(trials)
    for e in range(len(m.events)):   # the events one at a time: occupancy of each
        one = np.zeros((horizon, len(m.sectors), trials))
        solo = dataclasses.replace(m, events=(m.events[e],), event_prob=m.event_prob[[e]],
                                   event_duration=m.event_duration[[e]], event_shock=np.ones((1, len(m.sectors))))
        paths._add_events(solo, one, u[:, [e]], None, np.zeros((1, trials), dtype=bool))
        share = one[:, 0].mean()
        exact = _share_under_way(float(m.event_prob[e]), int(m.event_duration[e]), horizon)
        assert abs(share - exact) < 4 * math.sqrt(exact * (1 - exact) / trials)


# ---------------------------------------------------------------- loans simulated as the app does
@cache
def project_stats() -> dict[str, tuple[float, float]]:
    """Per project: (probability of default by the horizon's end, expected NPV per USD at the discount
    rate), on the scenario's own reporting stream (its seed, its number of trials)."""
    m, s = model(), scn()
    defaults, npv = np.zeros(m.n), np.zeros(m.n)
    for block, size in enumerate(paths.block_sizes(s.trials)):
        out = paths.simulate_block(m, s.seed, paths.REPORT_STREAM, block, size)
        defaults += (out.tau < m.horizon).sum(axis=1)
        npv += out.unit.sum(axis=1)
    return {m.ids[j]: (defaults[j] / s.trials, npv[j] / s.trials) for j in range(m.n)}


def _loans_in(sectors) -> list[str]:
    m = model()
    return [m.ids[j] for j in range(m.n) if m.instrument[j] == LOAN and m.sectors[m.project_sector[j]] in sectors]


# ---------------------------------------------------------------- every key
def value(key: str, args: list[str]) -> float:
    s, m = scn(), model()
    p = s.projects_effective()
    p = p[p["Include"].astype(bool)]
    c = s.constraints
    events = list(m.events)

    def share(group: str, column: str, val: str = "*") -> float:
        rows = c[(c["Group"] == group) & (c["Value"] == val)]
        return float(rows[column].dropna().iloc[0])

    match key:
        case "size_bn":
            return float(s.field("Programme size (USD bn)"))
        case "discount_pct":
            return 100 * m.discount_rate
        case "min_deployed_bn":
            return share("Total", "Min share") * float(s.field("Programme size (USD bn)"))
        case "project_cap_bn":
            return share("Project", "Max share") * float(s.field("Programme size (USD bn)"))
        case "lost_pct":
            return 100 * (1 - m.threshold)
        case "loan_pd_min" | "loan_pd_max":
            pds = [project_stats()[i][0] for i in _loans_in(args)]
            return 100 * (min(pds) if key.endswith("min") else max(pds))
        case "negative_loans":
            return sum(project_stats()[i][1] < 0 for i in _loans_in(args))
        case "npv_loss_cents":
            return -100 * project_stats()[args[0]][1]
        case "loans_in":
            return len(_loans_in(args))
        case "growth_cut":
            return 100 * (m.sector_mu[m.sectors.index(args[0])] - net_growth(args[0]))
        case "net_return":
            return 100 * net_growth(args[0])
        case "underway":
            e = events.index(args[0])
            return 100 * _share_under_way(float(m.event_prob[e]), int(m.event_duration[e]), m.horizon)
        case "corr":
            a, b = (m.sectors.index(x) for x in args)
            return float(s.correlation_matrix()[a, b])
        case "min_eigenvalue":
            return float(np.linalg.eigvalsh(s.correlation_matrix()).min())
        case "n_projects":
            return len(p)
        case "per_sector":
            counts = set(p["Sector"].value_counts())
            assert len(counts) == 1, "the document says every sector has the same number of candidates"
            return counts.pop()
        case "requested_bn":
            return p["Requested (USD m)"].sum() / 1000.0
        case "requested_excess_pct":
            return 100 * (p["Requested (USD m)"].sum() / (1000.0 * float(s.field("Programme size (USD bn)"))) - 1)
        case "n_states":
            return p["State"].nunique()
        case "ticket_share_min" | "ticket_share_max":
            r = p["Minimum ticket (USD m)"] / p["Requested (USD m)"]
            return 100 * (r.min() if key.endswith("min") else r.max())
        case "specific_min" | "specific_max":
            return 100 * (p["Specific risk"].min() if key.endswith("min") else p["Specific risk"].max())
        case "coupon_min" | "coupon_max" | "fee_min" | "fee_max":
            kind = "Loan" if key.startswith("coupon") else "Guarantee"
            v = p.loc[p["Instrument"] == kind, "Coupon or fee"]
            return 100 * (v.min() if key.endswith("min") else v.max())
        case "recovery_min" | "recovery_max":
            v = p.loc[p["Instrument"].isin(["Loan", "Guarantee"]), "Recovery rate"]
            return 100 * (v.min() if key.endswith("min") else v.max())
        case "start_min" | "start_max":
            return p["Start year"].min() if key.endswith("min") else p["Start year"].max()
        case "request_bn" | "ticket_bn" | "score":
            row = p[p["ID"] == args[0]].iloc[0]
            col = {"request_bn": "Requested (USD m)", "ticket_bn": "Minimum ticket (USD m)",
                   "score": "Strategic score"}[key]
            return float(row[col]) / (1000.0 if key != "score" else 1.0)
        case "financier_requested_bn":
            who = (p["Financier"] == args[0]) & (p["Instrument"] == args[1])
            return p.loc[who, "Requested (USD m)"].sum() / 1000.0
        case "capacity_bn":
            return s.financing["Capacity (USD m)"].sum() / 1000.0
        case "shock_cut_pct":
            return 100 * (1 - math.exp(float(args[0])))
    raise AssertionError(f"docs/assumptions.md uses an unknown figure key {key!r}")


def _marks() -> list[tuple[str, str, list[str]]]:
    text = DOC.read_text(encoding="utf-8")
    out = []
    for num, key, rest in MARK.findall(text):
        args = [a.strip() for a in rest.strip().split("|")] if rest.strip() else []
        out.append((num, key, args))
    return out


def test_every_marker_is_read():
    """No marker is left unread (a typo in one would otherwise silently skip its check)."""
    text = DOC.read_text(encoding="utf-8")
    assert text.count("<!--=") == len(_marks())
    assert REQUIRED <= {key for _, key, _ in _marks()}


@pytest.mark.parametrize("shown,key,args", _marks(), ids=lambda x: x if isinstance(x, str) else "|".join(x))
def test_figure_matches_the_default_scenario(shown, key, args):
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    got = value(key, args)
    want = float(shown.replace(",", ""))
    assert round(got, decimals) == pytest.approx(want, abs=1e-9), \
        f"docs/assumptions.md says {shown} for {key} {args}; the default scenario gives {got:.6g}"


def test_every_correlation_is_listed_once():
    pairs = [frozenset(args) for _, key, args in _marks() if key == "corr"]
    sectors = model().sectors
    assert sorted(map(sorted, pairs)) == sorted(map(sorted, map(frozenset, itertools.combinations(sectors, 2))))


def test_every_event_and_sector_has_its_figures():
    keys = {(key, tuple(args)) for _, key, args in _marks()}
    for sector in model().sectors:
        assert ("growth_cut", (sector,)) in keys and ("net_return", (sector,)) in keys
    for event in model().events:
        assert ("underway", (event,)) in keys


def test_no_reference_outside_the_repository():
    text = DOC.read_text(encoding="utf-8")
    repo = DOC.parent.parent.resolve()
    for target in re.findall(r"\]\(([^)#]+)", text) + re.findall(r"`((?:\.\./)+[^`]+)`", text):
        if "://" not in target:
            where = (DOC.parent / target).resolve()
            assert where.is_relative_to(repo), f"docs/assumptions.md points outside the repository: {target}"
            assert where.exists(), f"docs/assumptions.md links to a missing {target}"

