"""One error family: every exception the core raises for a user derives from WorkbenchError."""

import importlib
import inspect
import pkgutil

import pytest

import workbench
from workbench.errors import WorkbenchError

#: Exceptions that never reach a user, each with the reason.
INTERNAL = {
    "workbench.allocation.linear.NoAllocation": "caught by the allocator, which raises Infeasible with the why",
    "workbench.progress.Cancelled": "not an error: the user stopped the run",
}


def _core_exceptions():
    found = {}
    for info in pkgutil.walk_packages(workbench.__path__, "workbench."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name
                    and not name.startswith("_")):
                found[f"{info.name}.{name}"] = obj
    return found


def test_every_public_core_exception_is_in_the_family():
    found = _core_exceptions()
    assert len(found) >= 12
    outside = sorted(k for k, cls in found.items() if not issubclass(cls, WorkbenchError) and k not in INTERNAL)
    assert outside == [], f"derive these from workbench.errors.WorkbenchError: {outside}"
    assert set(INTERNAL) <= set(found), "an INTERNAL entry names a class that no longer exists"


def test_explain_is_the_message_without_decoration():
    from workbench.snapshots.db import SnapshotNotFound

    err = SnapshotNotFound("No snapshot 'abc' in the library.")
    assert isinstance(err, KeyError)   # still caught where a KeyError is expected
    assert err.explain() == "No snapshot 'abc' in the library."   # str(KeyError) would add quotes


def test_the_app_words_an_invalid_scenario_from_the_error_itself():
    from ui.runner import describe_error
    from workbench import default_scenario
    from workbench.pipeline import ScenarioInvalid, run_scenario

    scn = default_scenario()
    sectors = scn.table("Sectors").copy()
    sectors.loc[0, "Volatility"] = -0.2
    with pytest.raises(ScenarioInvalid) as info:
        run_scenario(scn.with_table("Sectors", sectors))
    text = describe_error(info.value)
    assert text == info.value.explain()
    assert "Sectors" in text and "Volatility" in text
