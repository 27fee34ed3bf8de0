"""The two offline ways in (docs/installing.md), proven on this machine.

Each test builds its artefact with the project's own command (``dev.py bundle``,
``dev.py wheelhouse``), then runs it where nothing else can help: in a Linux mount and
network namespace (``unshare``) in which every Python of the machine is hidden and the
network is down. These tests take minutes; they are marked ``install`` and run with
``python3 dev.py test -m install``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

# A bundle build takes minutes on an idle machine and much longer on a busy one.
pytestmark = [pytest.mark.install, pytest.mark.slow, pytest.mark.timeout(7200)]

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "ScenarioWorkbench"

#: Where a Python could be found on this machine: the interpreter that runs the tests (and
#: its prefix), the system's, pyenv's and the project's virtual environments.
def _python_places() -> list[Path]:
    places = {Path(sys.base_prefix), Path(sys.prefix), ROOT / ".venv", ROOT / ".venv-offline"}
    places |= {Path(p) for p in ("/usr/lib/python3", f"/usr/lib/python3.{sys.version_info.minor}",
                                 "/usr/local/lib", "/root/.pyenv", os.path.expanduser("~/.pyenv"))}
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    places.add(stdlib)
    found = sorted(p for p in places if p.exists() and p != Path("/usr") and not ROOT.is_relative_to(p))
    return [p for p in found if not any(p != q and p.is_relative_to(q) for q in found)]  # outermost only


def _python_programs() -> list[Path]:
    found = []
    for folder in ("/usr/bin", "/usr/local/bin", "/bin"):
        found += sorted(Path(folder).glob("python3*")) + sorted(Path(folder).glob("python"))
    return [p for p in found if p.exists()]


def _isolated(cmd: list[str], *, hide: list[Path], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run ``cmd`` with the network down and every Python place and program hidden.

    Folders are covered by an empty tmpfs, programs by /dev/null; the script first proves
    that no ``python3`` runs and that a socket cannot reach the outside.
    """
    mounts = [f"mount -t tmpfs none {p}" for p in hide] + [f"mount --bind /dev/null {p}" for p in _python_programs()]
    proof = (
        "if command -v python3 >/dev/null 2>&1 && python3 -c pass 2>/dev/null; then echo PYTHON-VISIBLE; exit 97; fi; "
        "if (exec 3<>/dev/tcp/1.1.1.1/53) 2>/dev/null; then echo NETWORK-UP; exit 98; fi; "
    )
    script = "set -e\n" + "\n".join(mounts) + "\n" + proof + 'exec "$@"'
    wrapped = ["unshare", "--mount", "--net", "bash", "-c", script, "isolated", *cmd]
    return subprocess.run(wrapped, capture_output=True, text=True, env=env, cwd=cwd, timeout=900)


def _clean_env(tmp: Path, path: str) -> dict[str, str]:
    return {"PATH": path, "HOME": str(tmp), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8",
            "WORKBENCH_DATA_DIR": str(tmp / "data"), "WORKBENCH_SETTINGS_DIR": str(tmp / "settings"),
            "MPLCONFIGDIR": str(tmp / "mpl")}


def _assert_key_figures(stdout: str) -> None:
    data = json.loads(stdout)
    text = json.dumps(data)
    assert data, "empty JSON"
    assert "trials" in text and "2000" in text, "the run does not state its 2,000 trials"
    assert "NPV" in text or "npv" in text, "no NPV figure in the JSON"


def _build(cmd: list[str]) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "dev.py"), *cmd], cwd=ROOT, capture_output=True, text=True,
                         timeout=5400)
    assert out.returncode == 0, f"dev.py {' '.join(cmd)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"


def _need_namespaces() -> None:
    assert sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("unshare"), (
        "the install tests isolate the run in Linux namespaces: run them as root on Linux (unshare)")


def test_bundle_runs_without_python_or_network(tmp_path):
    _need_namespaces()
    _build(["bundle"])
    app, cli = BUNDLE / "ScenarioWorkbench", BUNDLE / "workbench"
    assert app.is_file() and cli.is_file()
    env = _clean_env(tmp_path, "/usr/bin:/bin")
    png = tmp_path / "window.png"
    shot = _isolated([str(app), "--screenshot", str(png)], hide=_python_places(), env=env, cwd=tmp_path)
    assert shot.returncode == 0, f"{shot.stdout}\n{shot.stderr}"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png.read_bytes()[16:20], "big"), int.from_bytes(png.read_bytes()[20:24], "big")
    assert width >= 800 and height >= 500, (width, height)
    run = _isolated([str(cli), "run", "--json", "--trials", "2000"], hide=_python_places(), env=env, cwd=tmp_path)
    assert run.returncode == 0, f"{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    _assert_key_figures(run.stdout)


def test_wheelhouse_installs_with_no_index(tmp_path):
    _need_namespaces()
    house = tmp_path / "wheelhouse"
    _build(["wheelhouse", "--platform", "manylinux2014_x86_64", "--runtime-only", str(house)])
    lock = (house / "requirements-lock.txt").read_text()
    assert "--hash=sha256:" in lock and "scenario-workbench==" in lock
    # An empty virtual environment; pip installs with no index, hashes required, network down.
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    install = [str(py), "-m", "pip", "--isolated", "--disable-pip-version-check", "install", "-q", "--no-index",
               "--find-links", str(house), "--require-hashes", "--only-binary=:all:", "-r",
               str(house / "requirements-lock.txt")]
    env = _clean_env(tmp_path, f"{env_dir / 'bin'}:/usr/bin:/bin")
    # The new environment's interpreter links to the base Python, which stays visible; the
    # network is down and the project's sources and its development .venv are hidden.
    hide = [ROOT / ".venv", ROOT / "workbench", ROOT / "ui"]
    mounts = "set -e\n" + "".join(f"mount -t tmpfs none {p}\n" for p in hide)
    done = subprocess.run(["unshare", "--mount", "--net", "bash", "-c", mounts + 'exec "$@"', "isolated", *install],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    run = subprocess.run(["unshare", "--mount", "--net", "bash", "-c", mounts + 'exec "$@"', "isolated",
                          str(env_dir / "bin" / "workbench"), "run", "--json", "--trials", "2000"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900)
    assert run.returncode == 0, f"{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    _assert_key_figures(run.stdout)
    where = subprocess.run([str(py), "-c", "import workbench; print(workbench.__file__)"], capture_output=True,
                           text=True, env=env, cwd=tmp_path)
    assert str(env_dir) in where.stdout, "the CLI ran from the checkout, not from the installed wheel"
