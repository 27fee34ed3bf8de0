"""Reading a workbook from outside in a child process, so that nothing in it can take the
caller down.

The guards refuse every file known to exhaust memory or time before a parser sees it;
this is the second wall, for what they do not foresee. A native library that cannot
allocate (the Rust value reader aborts the process, "memory allocation of N bytes
failed") or that loops would otherwise end or freeze the app with the user's unsaved
work. :func:`read_untrusted` runs :func:`workbench.excel.reader.read_workbook` in a child
process with a memory limit and a time limit and returns its :class:`ImportResult`, or
an ``ImportResult`` holding one clear refusal when the child ran out of memory, out of
time, or died.

* POSIX: the child is forked from a small server process started on first use, which
  has already imported the reader and the program's main module (``multiprocessing``
  "forkserver" with both preloaded), so each read costs a fork and the result's
  transfer, not an interpreter start. The child limits its own address space with
  ``resource.setrlimit(RLIMIT_AS)`` to what it holds when it starts plus
  :data:`MEMORY_BUDGET_BYTES`.
* Windows, and the bundled app (``sys.frozen``): the child is a fresh interpreter
  ("spawn", which the bundle's ``freeze_support`` serves, as for the risk engine's
  workers). A memory limit on Windows needs a Job object, which the standard library
  does not offer; the child still isolates a native abort, the time limit still holds,
  and memory is bounded by the guards alone.

The cost is measured by ``benchmarks/untrusted_read.py`` (``docs/performance.md``).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pickle
import signal
import sys
from typing import TYPE_CHECKING, Literal, TypeAlias

from workbench.excel.reader import ImportResult
from workbench.issues import ERROR, Issue

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext
    from multiprocessing.process import BaseProcess

#: Address space the child may add to what it holds when it starts (the interpreter and
#: the reader's libraries): reading a 200,000-project workbook adds about 0.55 GB.
MEMORY_BUDGET_BYTES = 2**30
#: The processor time a read may take before it is stopped (RLIMIT_CPU, POSIX); a genuine
#: workbook of the largest size the format allows reads in well under this on a slow
#: laptop. The wall clock allows :data:`WALL_FACTOR` times more, so that a machine busy
#: with other work does not stop a genuine read, while a read that waits forever is.
TIMEOUT_S = 120.0
WALL_FACTOR = 5

#: Imported once by the server: the program's main module first (so that a forked
#: child does not import it again, as multiprocessing otherwise does for a script),
#: then the reader.
_PRELOAD = ["__main__", "workbench.excel.untrusted"]


def memory_limit_supported() -> bool:
    """Whether the child's memory can be limited on this platform."""
    try:
        import resource  # noqa: F401  (POSIX only)
    except ImportError:
        return False
    return hasattr(os, "fork")


def _context() -> ForkServerContext | SpawnContext:
    if (sys.platform != "win32" and not getattr(sys, "frozen", False)
            and "forkserver" in multiprocessing.get_all_start_methods()):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


#: How the reading process may be started (``None``: forkserver where there is one, else spawn).
StartMethod: TypeAlias = Literal["spawn", "fork", "forkserver"]


def _named_context(method: StartMethod) -> ForkContext | ForkServerContext | SpawnContext:
    if method == "fork":
        return multiprocessing.get_context("fork")
    if method == "forkserver":
        return multiprocessing.get_context("forkserver")
    if method == "spawn":
        return multiprocessing.get_context("spawn")
    raise ValueError(f"cannot find context for {method!r}")   # as multiprocessing.get_context says


def read_untrusted(path: str | os.PathLike[str], *, jpy_per_usd: float | None = None, timeout: float = TIMEOUT_S,
                   memory: int | None = MEMORY_BUDGET_BYTES, start_method: StartMethod | None = None,
                   wall: float | None = None) -> ImportResult:
    """``read_workbook(path)`` in a child process that may add ``memory`` bytes to its
    address space (POSIX) and use ``timeout`` seconds of processor time (POSIX; wall time
    elsewhere) and ``wall`` seconds on the clock (default :data:`WALL_FACTOR` x ``timeout``).
    Never raises for a bad file; a child that is stopped or dies gives an ``ImportResult``
    with one fatal error saying why."""
    name = os.path.basename(os.fspath(path))
    ctx: ForkContext | ForkServerContext | SpawnContext = (
        _named_context(start_method) if start_method else _context())
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, os.fspath(path), jpy_per_usd, memory, timeout), daemon=True)
    try:
        proc.start()
    except OSError:
        receiver.close()
        sender.close()
        return _refusal(name, "The app could not start a separate process to read the file safely (the "
                              "computer is short of memory or processes). Close some programs and try again.")
    sender.close()
    try:
        if not receiver.poll(timeout * WALL_FACTOR if wall is None else wall):
            return _too_long(name, timeout)
        try:
            payload = receiver.recv_bytes()
        except (EOFError, OSError):
            return _died(name, proc, memory, timeout)
        try:
            result = pickle.loads(payload)
        except Exception:
            return _refusal(name, "The file could not be read: the reading process returned nothing usable.")
        if not isinstance(result, ImportResult):
            return _refusal(name, "The file could not be read: the reading process returned nothing usable.")
        return result
    finally:
        receiver.close()
        _stop(proc)


def start_server() -> None:
    """Start the reading server ahead of the first read (POSIX), so that the first file
    opened does not wait for it; the server imports the reader in the background."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        try:
            forkserver.ensure_running()
        except OSError:
            pass


def _stop(proc: BaseProcess) -> None:
    proc.join(0.5)
    if proc.is_alive():
        proc.kill()
        proc.join(5)
    try:
        proc.close()
    except ValueError:
        pass


def _too_long(name: str, timeout: float) -> ImportResult:
    return _refusal(name, f"Reading the file took longer than {timeout:,.3g} seconds, so it was stopped. A scenario "
                          "workbook reads in seconds; this one may be crafted or damaged. Re-save it in Excel with "
                          "only the scenario sheets.")


def _died(name: str, proc: BaseProcess, memory: int | None, timeout: float = TIMEOUT_S) -> ImportResult:
    proc.join(5)
    code = proc.exitcode
    if code == -getattr(signal, "SIGXCPU", -1000):  # its processor time ran out
        return _too_long(name, timeout)
    if memory and code == -signal.SIGABRT:  # a native reader that cannot allocate aborts
        return _refusal(name, f"Reading the file needed more than {memory / 2**30:,.1f} GB of memory, so it was "
                              "stopped (the app and your work are unaffected). A scenario workbook needs far less; "
                              "this one may be crafted or damaged. Re-save it in Excel with only the scenario sheets.")
    return _refusal(name, "Reading the file stopped the reading process (the app and your work are unaffected). "
                          "The file may be crafted or damaged; re-save it in Excel or LibreOffice as .xlsx.")


def _refusal(name: str, message: str) -> ImportResult:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return ImportResult(None, [Issue(ERROR, message)], file=name, imported_at=now, fatal=True)


def _address_space() -> int:
    """Bytes of address space this process holds now (Linux; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(budget: int) -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    start = _address_space()
    if start == 0:  # macOS: no /proc; the peak resident size is a fair stand-in at start
        start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    _set_soft_limit(resource.RLIMIT_AS, start + budget)


def _limit_time(seconds: float) -> None:
    try:
        import resource
    except ImportError:  # Windows: the wall clock alone
        return
    _set_soft_limit(resource.RLIMIT_CPU, max(1, int(seconds + 0.999)))


def _set_soft_limit(kind: int, limit: int) -> None:
    """Lower the soft limit ``kind`` to ``limit`` (never above the hard limit); where it cannot be set, nothing."""
    import resource

    try:
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(kind, (limit, hard))
    except (ValueError, OSError):
        pass


def _child(sender: Connection, path: str, jpy_per_usd: float | None, memory: int | None,
           timeout: float = TIMEOUT_S) -> None:
    """In the child: limit memory and processor time, read, send the pickled result (or a refusal)."""
    if memory:
        _limit_memory(memory)
    _limit_time(timeout)
    from workbench.excel.reader import read_workbook

    result = read_workbook(path, jpy_per_usd=jpy_per_usd)
    try:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(_refusal(os.path.basename(path), "The file is too large to read within the memory a "
                                                                "workbook may use, so it was not opened."))
    try:
        sender.send_bytes(payload)
        sender.close()
    except OSError:  # the caller stopped waiting (time limit): nobody to tell
        pass
