"""Kill loop for the snapshot library, longer than the suite's: thousands of SIGKILLs mid-save.

    python benchmarks/snapshot_crash.py [--kills 3000] [--seed 1] [--library PATH]

A warm helper process forks a child per round; the child opens the library (integrity
check) and saves snapshots in a loop, reporting each id after its save returned, and is
SIGKILLed after a random delay (0-40 ms). Afterwards the library must pass
``integrity_check`` and hold every reported snapshot with its content. Prints the count
that survived and exits 1 if any was lost. POSIX only (fork, SIGKILL).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.snapshots.snapshot_killer import Zygote, check_library, kill_loop  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--library", help="library file (default: a new temporary file)")
    ap.add_argument("--restore-every", type=int, default=5, help="restore every n-th snapshot to check its content")
    args = ap.parse_args(argv)
    path = Path(args.library) if args.library else Path(tempfile.mkdtemp()) / "crash-library.sqlite"
    t0 = time.perf_counter()
    with Zygote(path) as zygote:
        log = kill_loop(zygote, args.kills, seed=args.seed)
        zygote.close()
    t1 = time.perf_counter()
    problems = check_library(path, log, restore_every=args.restore_every)
    t2 = time.perf_counter()
    lost = [p for p in problems if "missing" in p]
    survived = len(log.saved) - len(lost)
    per_round = (t1 - t0) / max(log.rounds, 1) * 1000
    print(f"kills: {log.kills} of {log.rounds} rounds in {t1 - t0:.1f} s ({per_round:.1f} ms per round)")
    print(f"saves reported complete: {len(log.saved)}; survived: {survived}; lost: {len(lost)}")
    print(f"library: {path} ({path.stat().st_size / 1e6:.1f} MB), integrity_check "
          f"{'FAILED' if any(p.startswith('integrity_check') for p in problems) else 'ok'}; "
          f"check took {t2 - t1:.1f} s")
    for p in (problems + log.errors)[:20]:
        print("PROBLEM:", p)
    return 0 if not problems and not log.errors else 1


if __name__ == "__main__":
    sys.exit(main())
