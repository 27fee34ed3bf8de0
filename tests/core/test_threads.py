"""The app and the command line ask for one linear-algebra thread before numpy loads
(workbench/threads.py), and keep a thread count the user set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os
import sys
from workbench.cli import main
before = "numpy" in sys.modules
code = main(sys.argv[1:])          # the command loads numpy and pandas
print(os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("OMP_NUM_THREADS"), before, "numpy" in sys.modules, code)
"""


def _run(env_extra: dict[str, str], tmp_path: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", PROBE, "template", str(tmp_path / "t.xlsx")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()[-1].split()


def test_the_command_line_runs_with_one_blas_thread(tmp_path):
    assert _run({}, tmp_path) == ["1", "1", "False", "True", "0"]
    assert (tmp_path / "t.xlsx").stat().st_size > 0


def test_a_thread_count_the_user_set_is_kept(tmp_path):
    assert _run({"OPENBLAS_NUM_THREADS": "2"}, tmp_path)[:2] == ["2", "1"]


def test_it_says_whether_it_came_in_time():
    import numpy  # noqa: F401

    from workbench.threads import single_threaded_blas

    assert single_threaded_blas() is False      # numpy already loaded in this process
