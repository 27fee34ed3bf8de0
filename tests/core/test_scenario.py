"""The scenario object: content hash, defaults, the embedded default scenario."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np

from workbench import default_scenario, validate
from workbench.commands import SetCell
from workbench.scenario import Provenance
from workbench.serialize import scenario_from_dict, scenario_to_dict


def test_hash_is_stable_across_processes():
    code = "from workbench import default_scenario; print(default_scenario().content_hash())"
    hashes = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        hashes.add(out.stdout.strip())
    assert hashes == {default_scenario().content_hash()}


def test_hash_ignores_row_order_but_not_content():
    scn = default_scenario()
    rng = np.random.default_rng(np.random.SeedSequence(7))
    shuffled = scn
    for name in ("Sectors", "Projects", "Financing", "Constraints", "Risk events"):
        frame = scn.table(name)
        shuffled = shuffled.with_table(name, frame.iloc[rng.permutation(len(frame))].reset_index(drop=True))
    corr = scn.correlations
    order = list(reversed(corr.index))
    shuffled = replace(shuffled, correlations=corr.loc[order, order])
    events = shuffled.risk_events
    shuffled = shuffled.with_table("Risk events", events[list(events.columns[:3]) + list(events.columns[3:][::-1])])
    assert shuffled.content_hash() == scn.content_hash()
    changed, _ = SetCell("Projects", 0, "Requested (USD m)", 99_999).apply(scn)
    assert changed.content_hash() != scn.content_hash()


def test_hash_treats_whole_floats_as_integers_and_ignores_provenance():
    scn = default_scenario()
    as_float = scn.with_fields(**{"Start year": 2026.0, "Trials": 50000.0})
    assert as_float.content_hash() == scn.content_hash()
    with_prov = replace(scn, provenance={("Projects", "DC-01", "ID"): Provenance("a.xlsx", "Projects", "A2")})
    assert with_prov.content_hash() == scn.content_hash()


def test_json_form_round_trips():
    scn = default_scenario()
    data = json.loads(json.dumps(scenario_to_dict(scn)))
    back = scenario_from_dict(data)
    assert back.content_hash() == scn.content_hash()
    rec = data["projects"][0]
    assert rec["Requested (USD m)"] == 100_000 and rec["Include"] is True
    assert data["correlations"]["sectors"][0] == "Data centers"


def test_default_scenario_matches_the_seed():
    scn = default_scenario()
    assert scn.name == "US-Japan strategic investment programme, USD 550 bn"
    assert scn.size == 550_000
    assert set(scn.sector_names) == {"Data centers", "Semiconductors", "Battery technology", "Renewable energy",
                                     "Biotech & pharma"}
    p = scn.projects
    assert 20 <= len(p) <= 30
    assert p["Requested (USD m)"].sum() > 1.2 * scn.size  # allocation is a real choice
    assert set(p["Instrument"]) == {"Equity", "Loan", "Guarantee"}
    assert p["State"].nunique() >= 10
    softbank = p[p["Sponsor"].str.contains("SoftBank") & (p["Sector"] == "Data centers")]
    assert len(softbank) >= 1
    assert {"JBIC", "NEXI", "Japanese megabanks"} <= set(scn.financing["Financier"])
    events = " ".join(scn.risk_events["Event"]).lower()
    for words in ("tariff", "south china sea", "trade disruption"):
        assert words in events
    assert len(scn.risk_events) >= 5
    groups = set(scn.constraints["Group"])
    assert {"Total", "Sector", "Project"} <= groups
    assert np.linalg.eigvalsh(scn.correlation_matrix()).min() > 0
    assert not any(i.is_error for i in validate(scn))


def test_default_scenario_is_a_fresh_copy_each_time():
    a, b = default_scenario(), default_scenario()
    a.projects.loc[0, "Requested (USD m)"] = 1.0
    assert b.projects.loc[0, "Requested (USD m)"] == 100_000
