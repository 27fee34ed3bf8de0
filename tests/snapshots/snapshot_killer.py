"""Drive the crash zygote (``snapshot_crash_child.py``): kill loops and checks, for the tests and the benchmark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHILD = Path(__file__).with_name("snapshot_crash_child.py")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class KillLog:
    rounds: int = 0
    kills: int = 0
    saved: dict[int, tuple[str, str]] = field(default_factory=dict)   # id -> (hash, note)
    errors: list[str] = field(default_factory=list)


class Zygote:
    """The warm helper process that forks the children."""

    def __init__(self, library: Path) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen([sys.executable, str(CHILD), str(library)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)

    def ask(self, command: str) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the crash helper died (exit {self.proc.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.ask("quit")
            except (RuntimeError, OSError, ValueError):
                pass
        self.proc.wait(timeout=60)

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def record_lines(log: KillLog, lines: list[str]) -> None:
    for line in lines:
        sid, digest, note = line.split(" ")
        sid = int(sid)
        entry = (digest, note.replace("_", " "))
        if sid in log.saved and log.saved[sid] != entry:
            log.errors.append(f"id {sid} reported for two different snapshots: {log.saved[sid]} and {entry}")
        log.saved[sid] = entry


def kill_loop(zygote: Zygote, kills: int, *, seed: int, max_delay_us: int = 25_000, max_after: int = 2,
              tag: str = "k") -> KillLog:
    """``kills`` rounds of save-in-a-loop: each child is SIGKILLed a random delay after it reported
    a random number (0..max_after) of completed saves, so kills land anywhere in open, save and commit."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    log = KillLog()
    for k in range(kills):
        delay, after = int(rng.integers(0, max_delay_us)), int(rng.integers(0, max_after + 1))
        out = zygote.ask(f"save {tag}{k} {delay} {after}")
        log.rounds += 1
        log.kills += bool(out["killed"])
        log.errors += out["errors"]
        record_lines(log, out["lines"])
    return log


def check_library(path: Path, log: KillLog, *, restore_every: int = 1) -> list[str]:
    """Problems found in the library after the kills (empty: everything survived)."""
    from workbench.snapshots import Library

    problems = []
    with Library(path) as lib:
        problems += [f"integrity_check: {p}" for p in lib.integrity_problems()]
        infos = {i.id: i for i in lib.list(deleted=None)}
        for n, (sid, (digest, note)) in enumerate(sorted(log.saved.items())):
            info = infos.get(sid)
            if info is None:
                problems.append(f"snapshot {sid} ({note}) reported saved but missing")
                continue
            if (info.content_hash, info.note) != (digest, note):
                problems.append(f"snapshot {sid} holds {info.note!r} {info.content_hash[:8]}, not {note!r}")
            if n % restore_every == 0 and lib.restore(sid).content_hash() != digest:
                problems.append(f"snapshot {sid} does not restore to its content")
    return problems
