"""Entry point: ``python main.py [--file WORKBOOK] [--library PATH] [--screenshot OUT.png [--view NAME]]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _views() -> dict[str, str]:
    try:
        from ui.results_panel import VIEWS
    except ImportError:  # pragma: no cover - the results panel is part of the app
        return {}
    return VIEWS


def build_parser() -> argparse.ArgumentParser:
    views = _views()
    view_help = "\n".join(f"  {name:<14} {title}" for name, title in views.items())
    parser = argparse.ArgumentParser(
        prog="scenario-workbench",
        description="Scenario Workbench: edit an investment scenario, run the models, read the results.",
        epilog=f"Results views for --view:\n{view_help}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--file", metavar="WORKBOOK", help="open this scenario workbook (.xlsx, .xlsm, .xls, .ods)")
    parser.add_argument("--library", metavar="PATH", help="snapshot library file (default: WORKBENCH_LIBRARY or "
                        "the user data folder)")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    parser.add_argument("--view", metavar="NAME", choices=list(views) or None,
                        help="results view shown in the screenshot (see the list below)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.screenshot:
        from ui.screenshot import take_screenshot

        kwargs = {"library": args.library} if args.library else {}
        return take_screenshot(args.screenshot, file=args.file, view=args.view, **kwargs)
    if args.view:
        print("--view only applies with --screenshot; opening the window.", file=sys.stderr)

    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import APPLICATION, ORGANIZATION

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "scenario-workbench"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow(library=args.library, offer_recovery=True)
    window.show()
    if args.file:
        from ui import files

        files.open_path(window, Path(args.file))
        window.undo_stack.setClean()
    return app.exec()
