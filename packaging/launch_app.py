"""Entry point of the bundled desktop app (``ScenarioWorkbench``).

``freeze_support`` comes first: the risk engine starts worker processes with the
"spawn" method, and in the bundle a worker is this same executable started again.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from ui.app import main

    sys.exit(main())
