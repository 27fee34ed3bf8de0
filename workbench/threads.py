"""One linear-algebra thread per process.

The models parallelise themselves where it pays (the Monte Carlo engine's worker
processes, one HiGHS thread per solve); their matrix products are small (a 20,000 x 25
fitting sample's covariance, a correlation factor of a few dozen sectors). With OpenBLAS's
default of one thread per core, each such product wakes every core, and on a laptop that
is busy with anything else the threads wait for each other: on this project's 2-core
machine under load, the covariance of the default scenario's fitting sample took 0.66 s of
processor time with 2 threads against 0.006 s with one, and the baseline stage 2.1 s
against 1.5 s (docs/performance.md).

:func:`single_threaded_blas` sets the thread counts the libraries read when they load, so
it must run before numpy is first imported: the app's and the command line's entry points
call it first. A value the user set in the environment is kept.
"""

from __future__ import annotations

import os
import sys

#: The variables OpenBLAS, OpenMP, MKL, Apple's Accelerate and numexpr read at load time.
VARIABLES: tuple[str, ...] = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def single_threaded_blas() -> bool:
    """Ask for one linear-algebra thread (unless the user set a number); returns whether it
    takes effect, i.e. whether numpy was not loaded yet."""
    for name in VARIABLES:
        os.environ.setdefault(name, "1")
    return "numpy" not in sys.modules
