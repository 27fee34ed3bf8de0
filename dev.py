#!/usr/bin/env python3
"""Set up and run Scenario Workbench with nothing but Python 3.11+.

    python3 dev.py run     # create .venv if missing, install, launch the app
    python3 dev.py test    # create .venv if missing, install, run ruff, import-linter and pytest
    python3 dev.py bundle  # build the self-contained app folder and its zip in dist/
    python3 dev.py wheelhouse [--platform NAME] [--runtime-only] OUT/
                           # download every wheel the app needs into OUT/, with a lock file
    python3 dev.py run --offline OUT/    # install from the wheelhouse OUT/ alone, then launch
    python3 dev.py test --offline OUT/   # the same, then run the tests

Extra arguments after ``run`` go to the app; after ``test`` they go to pytest.
``--platform`` is one of win_amd64, macosx_11_0_arm64, manylinux2014_x86_64 (default:
this machine). docs/installing.md explains the offline ways in for IT staff.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
#: The environment of ``--offline`` installs: kept apart from the developer's .venv.
OFFLINE_VENV = ROOT / ".venv-offline"
SPEC = ROOT / "packaging" / "scenario_workbench.spec"
DIST = ROOT / "dist"
BUNDLE_NAME = "ScenarioWorkbench"
LOCK = "requirements-lock.txt"
TEST_LOCK = "requirements-test-lock.txt"
SUMS = "SHA256SUMS"
APP_DIST = "scenario-workbench"

#: ``--platform`` names and the wheel platform tags pip may take for each. The wheels are
#: pinned to the tested versions, whose oldest target may be newer than the name says
#: (PySide6 6.11's Linux wheels need glibc 2.34, macOS 11 for arm64), so newer tags are
#: accepted and ``wheelhouse`` prints the oldest system its wheels need.
PLATFORMS: dict[str, list[str]] = {
    "win_amd64": ["win_amd64"],
    "macosx_11_0_arm64": [f"macosx_{v}_0_arm64" for v in (11, 12, 13, 14)]
    + [f"macosx_{v}_0_universal2" for v in (11, 12, 13, 14)],
    "manylinux2014_x86_64": ["manylinux2014_x86_64"] + [f"manylinux_2_{v}_x86_64" for v in range(17, 40)],
}


def _bin(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin")


def _python(env: Path) -> Path:
    return _bin(env) / ("python.exe" if os.name == "nt" else "python")


BIN = _bin(VENV)
PY = _python(VENV)
STAMP = VENV / ".installed"


def _say(message: str) -> None:
    print(message, flush=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------ environments
def ensure_env(extras: str = "test") -> None:
    """The developer's .venv with the project installed (editable) and ``extras``."""
    if not PY.exists():
        _say("Creating a virtual environment in .venv ...")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamped = (ROOT / "pyproject.toml").read_bytes() + (b"" if extras == "test" else extras.encode())
    wanted = hashlib.sha256(stamped).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    _say("Installing Scenario Workbench and its dependencies ...")
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-q", "-e", f"{ROOT}[{extras}]"], check=True)
    STAMP.write_text(wanted)


def _wheelhouse(path: str) -> Path:
    house = Path(path).expanduser().resolve()
    if not (house / LOCK).is_file():
        raise SystemExit(f"{house} is not a wheelhouse: it has no {LOCK}. Make one with "
                         f"'python3 dev.py wheelhouse OUT/' on a machine with internet, and copy OUT/ here.")
    return house


def ensure_offline_env(house: Path, with_tests: bool) -> Path:
    """.venv-offline with the app installed from the wheelhouse alone: no index, every hash checked.

    pip runs ``--isolated`` so that no pip configuration file or PIP_* variable of the
    machine can add another source of packages.
    """
    locks = [house / LOCK] + ([house / TEST_LOCK] if with_tests else [])
    missing = [lock.name for lock in locks if not lock.is_file()]
    if missing:
        raise SystemExit(f"The wheelhouse {house} has no {', '.join(missing)}: it was made with --runtime-only. "
                         "Make it again without --runtime-only to run the tests offline.")
    py = _python(OFFLINE_VENV)
    stamp = OFFLINE_VENV / ".installed"
    wanted = hashlib.sha256(b"".join(lock.read_bytes() for lock in locks)).hexdigest()
    if py.exists() and stamp.exists() and stamp.read_text() == wanted:
        return OFFLINE_VENV
    if OFFLINE_VENV.exists():
        shutil.rmtree(OFFLINE_VENV)  # a fresh environment: nothing left over from another wheelhouse
    _say(f"Creating a virtual environment in {OFFLINE_VENV} ...")
    venv.EnvBuilder(with_pip=True).create(OFFLINE_VENV)
    _say(f"Installing Scenario Workbench from {house} (no network, hashes checked) ...")
    cmd = [str(py), "-m", "pip", "--isolated", "--disable-pip-version-check", "install", "-q", "--no-index",
           "--find-links", str(house), "--require-hashes", "--only-binary=:all:"]
    for lock in locks:
        cmd += ["-r", str(lock)]
    subprocess.run(cmd, check=True)
    stamp.write_text(wanted)
    return OFFLINE_VENV


def _split_offline(args: list[str]) -> tuple[str | None, list[str]]:
    """``--offline DIR`` (or ``--offline=DIR``) at the front of ``args``, and the rest."""
    if args and args[0] == "--offline":
        if len(args) < 2:
            raise SystemExit("--offline needs the wheelhouse folder: python3 dev.py run --offline OUT/")
        return args[1], args[2:]
    if args and args[0].startswith("--offline="):
        return args[0].split("=", 1)[1], args[1:]
    return None, args


# ------------------------------------------------------------------ run and test
def run(args: list[str]) -> int:
    house, args = _split_offline(args)
    if house is None:
        ensure_env()
        return subprocess.call([str(PY), str(ROOT / "main.py"), *args], cwd=ROOT)
    env = ensure_offline_env(_wheelhouse(house), with_tests=False)
    # The installed app, not this folder's sources: start it from outside the checkout.
    code = "import sys; from ui.app import main; sys.exit(main())"
    return subprocess.call([str(_python(env)), "-c", code, *args], cwd=Path.home())


def test(args: list[str]) -> int:
    house, args = _split_offline(args)
    if house is None:
        ensure_env()
        py, bin_dir = PY, BIN
    else:
        env = ensure_offline_env(_wheelhouse(house), with_tests=True)
        py, bin_dir = _python(env), _bin(env)
    # One BLAS thread per test process, as the app runs (workbench/threads.py): two pytest
    # workers with a thread per core each would make every small matrix product wait.
    blas = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env_vars = {**os.environ, **blas, "QT_QPA_PLATFORM": "offscreen", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    steps = [
        ("ruff", [str(py), "-m", "ruff", "check", "."]),
        ("import-linter", [str(bin_dir / "lint-imports")]),
        ("mypy (strict, workbench/)", [str(py), "-m", "mypy"]),
    ]
    for name, cmd in steps:
        _say(f"== {name}")
        if subprocess.call(cmd, cwd=ROOT, env=env_vars) != 0:
            _say(f"{name} failed.")
            return 1
    _say("== pytest")
    return subprocess.call([str(py), "-m", "pytest", "-n", "2", *args], cwd=ROOT, env=env_vars)


# ------------------------------------------------------------------ bundle
def bundle(args: list[str]) -> int:
    """PyInstaller one-folder build: dist/ScenarioWorkbench/ and dist/ScenarioWorkbench-<platform>.zip."""
    if args:
        _say("bundle takes no arguments: python3 dev.py bundle")
        return 2
    ensure_env("test,bundle")
    started = time.monotonic()
    cmd = [str(PY), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(DIST), "--workpath", str(ROOT / "build" / "pyinstaller"), str(SPEC)]
    if subprocess.call(cmd, cwd=ROOT) != 0:
        _say("The bundle build failed (PyInstaller's messages above).")
        return 1
    folder = DIST / BUNDLE_NAME
    archive = DIST / f"{BUNDLE_NAME}-{_platform_label()}.zip"
    _zip_folder(folder, archive)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    _say(f"Built {folder} ({size / 1e6:.0f} MB) and {archive} ({archive.stat().st_size / 1e6:.0f} MB) "
         f"in {time.monotonic() - started:.0f} s.")
    _say(f"Start the app with {folder / BUNDLE_NAME}; the command line is {folder / 'workbench'}.")
    return 0


def _platform_label() -> str:
    import sysconfig

    return re.sub(r"[^A-Za-z0-9]+", "_", sysconfig.get_platform())


def _zip_folder(folder: Path, archive: Path) -> None:
    """Zip ``folder`` with its name as the top folder; symlinks (Qt's on Linux/macOS) stored as links."""
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder.parent).as_posix()
            if path.is_symlink():
                info = zipfile.ZipInfo(name)
                info.create_system = 3
                info.external_attr = (0o120777 << 16)
                zf.writestr(info, os.readlink(path))
            elif path.is_file():
                zf.write(path, name)


# ------------------------------------------------------------------ wheelhouse
def wheelhouse(args: list[str]) -> int:
    """Download the wheels of the app and its dependencies for one platform, build the app's wheel, lock."""
    import argparse

    parser = argparse.ArgumentParser(prog="dev.py wheelhouse", description=wheelhouse.__doc__)
    parser.add_argument("out", metavar="OUT/", help="folder to fill (created if missing)")
    parser.add_argument("--platform", choices=sorted(PLATFORMS), help="target platform (default: this machine)")
    parser.add_argument("--runtime-only", action="store_true",
                        help="leave out the test tools (then 'dev.py test --offline' cannot run from it)")
    opts = parser.parse_args(args)
    ensure_env()
    out = Path(opts.out).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    stale = [p.name for p in out.glob("*.whl")]
    if stale:
        _say(f"{out} already holds {len(stale)} wheels: use an empty folder, so the lock lists only what "
             "this run resolved.")
        return 2
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check"]

    _say("Building the app's wheel ...")
    with_build = ROOT / "build" / "wheel"
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(with_build), str(ROOT)], check=True)
    app_wheel = max(with_build.glob("scenario_workbench-*.whl"), key=lambda p: p.stat().st_mtime)
    shutil.copy2(app_wheel, out / app_wheel.name)

    # The versions this checkout is tested with (the developer's .venv) pin every package
    # that exists for the target; a package only the target needs takes its newest wheel.
    constraints = ROOT / "build" / "wheel" / "constraints.txt"
    constraints.write_text(subprocess.run([*pip, "freeze", "--exclude-editable"], check=True,
                                          capture_output=True, text=True).stdout)
    target = []
    if opts.platform:
        for tag in PLATFORMS[opts.platform]:
            target += ["--platform", tag]
        target += ["--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--abi", "abi3",
                   "--abi", "none"]
    runtime = _requirements(app_wheel, extra=None)
    tests = _requirements(app_wheel, extra="test")
    _say(f"Downloading the wheels for {opts.platform or 'this machine'} ...")
    download = [*pip, "download", "-q", "--only-binary=:all:", "-d", str(out), "-c", str(constraints), *target]
    subprocess.run([*download, *runtime], check=True)
    runtime_files = {p.name for p in out.glob("*.whl")}
    if not opts.runtime_only:
        subprocess.run([*download, *runtime, *tests], check=True)
    test_files = {p.name for p in out.glob("*.whl")} - runtime_files

    _write_lock(out / LOCK, [out / n for n in sorted(runtime_files)],
                "The app and what it needs at run time")
    (out / TEST_LOCK).unlink(missing_ok=True)
    if not opts.runtime_only:
        _write_lock(out / TEST_LOCK, [out / n for n in sorted(test_files)],
                    "The test tools (with the app's lock: 'dev.py test --offline')")
    shutil.copy2(ROOT / "dev.py", out / "dev.py")
    sums = [f"{_sha256(p)}  {p.name}\n" for p in sorted(out.iterdir()) if p.is_file() and p.name != SUMS]
    (out / SUMS).write_text("".join(sums))
    total = sum(p.stat().st_size for p in out.glob("*.whl"))
    needs = _oldest_target(out)
    if needs:
        _say(f"The target needs {needs} or newer (the newest platform tag among the wheels).")
    _say(f"Wrote {len(runtime_files) + len(test_files)} wheels ({total / 1e6:.0f} MB), {LOCK}"
         f"{'' if opts.runtime_only else ', ' + TEST_LOCK}, {SUMS} and dev.py to {out}.")
    _say(f"On the target: python3 dev.py run --offline {out.name}/   (see docs/installing.md)")
    return 0


def _oldest_target(house: Path) -> str:
    """The oldest glibc or macOS that every wheel in ``house`` runs on, from their platform tags."""
    glibc = [(2, 17) for p in house.glob("*manylinux2014*.whl")]
    glibc += [(2, int(m.group(1))) for p in house.glob("*.whl") if (m := re.search(r"manylinux_2_(\d+)", p.name))]
    macos = [(int(m.group(1)), int(m.group(2))) for p in house.glob("*.whl")
             if (m := re.search(r"macosx_(\d+)_(\d+)", p.name))]
    if glibc:
        major, minor = max(glibc)
        return f"glibc {major}.{minor}"
    if macos:
        major, minor = max(macos)
        return f"macOS {major}.{minor}"
    return ""


def _requirements(wheel: Path, extra: str | None) -> list[str]:
    """The Requires-Dist lines of the app's wheel, for the runtime (``extra=None``) or one extra."""
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        lines = zf.read(meta).decode().splitlines()
    reqs = []
    for line in lines:
        if not line.startswith("Requires-Dist:"):
            continue
        spec, _, marker = line.split(":", 1)[1].strip().partition(";")
        in_extra = re.search(r"extra\s*==\s*[\"']([^\"']+)[\"']", marker)
        if (in_extra.group(1) if in_extra else None) == extra:
            reqs.append(spec.strip())
    return reqs


def _wheel_name_version(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return re.sub(r"[-_.]+", "-", name).lower(), version


def _write_lock(path: Path, wheels: list[Path], title: str) -> None:
    """``name==version --hash=sha256:...`` for each wheel, for ``pip install --require-hashes``."""
    by_name: dict[tuple[str, str], list[str]] = {}
    for wheel in wheels:
        by_name.setdefault(_wheel_name_version(wheel), []).append(_sha256(wheel))
    lines = [f"# {title}. Written by 'python3 dev.py wheelhouse'; install with\n",
             f"# pip install --no-index --find-links . --require-hashes -r {path.name}\n"]
    for (name, version), hashes in sorted(by_name.items()):
        lines.append(f"{name}=={version} " + " ".join(f"--hash=sha256:{h}" for h in sorted(hashes)) + "\n")
    path.write_text("".join(lines))


# ------------------------------------------------------------------ main
COMMANDS = {"run": run, "test": test, "bundle": bundle, "wheelhouse": wheelhouse}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
