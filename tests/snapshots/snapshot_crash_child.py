"""A zygote for the crash tests: imports the app once, then forks a fresh child per round.

Run as ``python snapshot_crash_child.py LIBRARY``. Commands on stdin, one per line, each
answered by one JSON line on stdout:

* ``save ROUND DELAY_US [AFTER [LIBRARY]]``: a child opens the library and saves snapshots in a loop,
  writing ``id hash note`` to a pipe after each save returned; once it reported AFTER saves
  (so that rounds complete saves however slow the disk), it is SIGKILLed DELAY_US later.
* ``export ROUND DELAY_US AFTER OUT ID1 ID2``: a child exports ID1, ID2, ID1... to OUT in a
  loop, writing the exported id after each export returned; SIGKILLed DELAY_US after it
  reported AFTER exports.
* ``burst TAG N``: two children save N snapshots each at the same time and exit normally.
* ``quit``.

Forking from a warm process keeps a round at a few milliseconds, so hundreds of kills fit
in seconds. The children never share the zygote's connections: each opens its own.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback

import workbench.excel  # noqa: F401  (warm: the forked children export without importing)
from workbench.default_scenario import default_scenario
from workbench.snapshots import Library

BASE = default_scenario()
SHARED_NOTE = "identical content saved again and again"


def variant(tag: str, i: int):
    """A cheap, distinct scenario for save ``i`` of round ``tag``."""
    return BASE.with_fields(Name=f"crash {tag}-{i}", Description=f"save {i} of {tag}")


def _child_save(path: str, tag: str, w: int, limit: int | None) -> None:
    lib = Library(path)
    i = 0
    while limit is None or i < limit:
        if i % 4 == 3:  # the dedup path: same content, same note, every time
            scn, note = BASE, SHARED_NOTE
        else:
            scn, note = variant(tag, i), f"{tag}-{i}"
        line = f"{scn.content_hash()} {note.replace(' ', '_')}\n".encode()  # ready before the save
        sid = lib.save(scn, note=note, tags=("crash",) if i % 2 else ())
        os.write(w, str(sid).encode() + b" " + line)
        i += 1


def _child_export(path: str, out: str, ids: list[int], w: int) -> None:
    lib = Library(path)
    i = 0
    while True:
        sid = ids[i % len(ids)]
        lib.export(sid, out)
        os.write(w, f"{sid}\n".encode())
        i += 1


def _fork(work) -> tuple[int, int]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(r)
        code = 0
        try:
            work(w)
        except BaseException as exc:  # report, never hang
            os.write(w, f"error {type(exc).__name__}: {exc} {traceback.format_exc()!r}\n".encode())
            code = 3
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _drain(r: int) -> list[str]:
    chunks = []
    while True:
        data = os.read(r, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(r)
    text = b"".join(chunks).decode()
    return [line for line in text.split("\n")[:-1]]  # an unfinished last line is dropped


def _killed_round(work, delay_us: int, after: int = 0) -> dict:
    """Fork ``work``; once it reported ``after`` lines, wait ``delay_us`` and SIGKILL it."""
    pid, r = _fork(work)
    head = b""
    while head.count(b"\n") < after and not head.startswith(b"error"):
        data = os.read(r, 65536)
        if not data:
            break
        head += data
    time.sleep(delay_us / 1e6)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    lines = [line for line in (head.decode() + "\n".join(_drain(r)) + "\n").split("\n")[:-1] if line]
    errors = [line for line in lines if line.startswith("error ")]
    return {"killed": os.WIFSIGNALED(status), "lines": [line for line in lines if not line.startswith("error ")],
            "errors": errors}


def main() -> int:
    path = sys.argv[1]
    for command in sys.stdin:
        parts = command.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        if parts[0] == "save":
            tag, delay, after = parts[1], int(parts[2]), int(parts[3]) if len(parts) > 3 else 0
            where = parts[4] if len(parts) > 4 else path
            out = _killed_round(lambda w, tag=tag, where=where: _child_save(where, tag, w, None), delay, after)
        elif parts[0] == "export":
            tag, delay, after, target = parts[1], int(parts[2]), int(parts[3]), parts[4]
            ids = [int(x) for x in parts[5:]]
            out = _killed_round(lambda w, t=target, ids=ids: _child_export(path, t, ids, w), delay, after)
        elif parts[0] == "burst":
            tag, n = parts[1], int(parts[2])
            kids = [_fork(lambda w, t=f"{tag}{k}", n=n: _child_save(path, t, w, n)) for k in range(2)]
            lines, errors = [], []
            for pid, r in kids:
                got = _drain(r)
                os.waitpid(pid, 0)
                lines += [x for x in got if not x.startswith("error ")]
                errors += [x for x in got if x.startswith("error ")]
            out = {"killed": False, "lines": lines, "errors": errors}
        else:
            out = {"errors": [f"unknown command {command!r}"], "lines": []}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
