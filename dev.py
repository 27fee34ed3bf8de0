#!/usr/bin/env python3
"""Set up and run Scenario Workbench with nothing but Python 3.11+.

    python3 dev.py run     # create .venv if missing, install, launch the app
    python3 dev.py test    # create .venv if missing, install, run ruff, import-linter and pytest

Extra arguments after ``run`` go to the app; after ``test`` they go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def ensure_env() -> None:
    if not PY.exists():
        print("Creating a virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Installing Scenario Workbench and its dependencies ...", flush=True)
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-q", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def run(args: list[str]) -> int:
    return subprocess.call([str(PY), str(ROOT / "main.py"), *args], cwd=ROOT)


def test(args: list[str]) -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    steps = [
        ("ruff", [str(PY), "-m", "ruff", "check", "."]),
        ("import-linter", [str(BIN / "lint-imports")]),
    ]
    for name, cmd in steps:
        print(f"== {name}", flush=True)
        if subprocess.call(cmd, cwd=ROOT, env=env) != 0:
            print(f"{name} failed.", flush=True)
            return 1
    print("== pytest", flush=True)
    return subprocess.call([str(PY), "-m", "pytest", "-n", "2", *args], cwd=ROOT, env=env)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    ensure_env()
    return run(sys.argv[2:]) if sys.argv[1] == "run" else test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
