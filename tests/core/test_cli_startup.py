"""The command line answers --help without loading the numerical stack.

Speed itself is measured by benchmarks, not asserted here: what is checked is the cause
of a slow start, i.e. which heavy modules the help path imports.
"""

import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "openpyxl", "python_calamine", "PySide6")

PROBE = """
import runpy, sys
sys.argv = ["workbench", *{argv!r}]
try:
    runpy.run_module("workbench", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print("LOADED:" + ",".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--help"], ["snapshot", "save", "--help"], ["snapshot", "--help"],
                                  ["run", "--help"], ["validate", "--help"]])
def test_help_imports_no_numerical_library(argv):
    out = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
                         capture_output=True, text=True, timeout=120)
    assert "usage: workbench" in out.stdout
    loaded = out.stderr.strip().splitlines()[-1]
    assert loaded == "LOADED:", f"workbench {' '.join(argv)} imported {loaded[7:]}"


def test_the_lazy_package_still_gives_the_default_scenario_function():
    code = ("import workbench.default_scenario, workbench\n"
            "from workbench import default_scenario, Scenario\n"
            "assert callable(default_scenario) and isinstance(default_scenario(), Scenario)\n"
            "assert workbench.default_scenario is default_scenario\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr
