"""Entry point of the bundled command line (``workbench``).

``freeze_support`` comes first: ``workbench run --jobs K`` starts worker processes with
the "spawn" method, and in the bundle a worker is this same executable started again.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from workbench.cli import main

    sys.exit(main())
