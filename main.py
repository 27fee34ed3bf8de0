"""Launch Scenario Workbench: ``python main.py [--file WORKBOOK] [--screenshot OUT.png --view NAME]``."""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
