"""Entry point: ``python main.py [--file WORKBOOK] [--library PATH] [--screenshot OUT.png [--view NAME]]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.threads import single_threaded_blas


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
    parser.add_argument("--view", metavar="NAME", choices=[*views, "all"] if views else None,
                        help="results view shown in the screenshot (see the list below), or all (one PNG per view: "
                        "put {view} in the file name)")
    parser.add_argument("--size", metavar="WxH", help="window size of the screenshot in pixels, such as 1280x720 "
                        "(default 1440x900)")
    return parser


def main(argv: list[str] | None = None) -> int:
    single_threaded_blas()      # before anything loads numpy
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.screenshot:
        from ui.screenshot import parse_size, take_screenshot

        kwargs: dict = {"library": args.library} if args.library else {}
        if args.size:
            try:
                kwargs["size"] = parse_size(args.size)
            except ValueError as exc:
                print(exc, file=sys.stderr)
                return 2
        return take_screenshot(args.screenshot, file=args.file, view=args.view, **kwargs)
    if args.view:
        print("--view only applies with --screenshot; opening the window.", file=sys.stderr)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.settings import APPLICATION, ORGANIZATION

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "scenario-workbench"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow(library=args.library, offer_recovery=True)
    fit_to_screen(window)
    window.show()
    QTimer.singleShot(0, warm_reader)
    if args.file:
        from ui import files

        files.open_path(window, Path(args.file))
        window.undo_stack.setClean()
    return app.exec()


def warm_reader() -> None:
    """Start the process that reads workbooks (File > Open reads every file in a child of it,
    so that a crafted file cannot take the window down) once the window is up, so that the
    first file opened does not wait for it to load the reader."""
    from workbench.excel.untrusted import start_server

    start_server()


def fit_to_screen(window) -> None:
    """Never open larger than the screen's available area (a 1280 x 720 laptop, a taskbar): shrink the window
    to fit and move it inside."""
    screen = window.screen() or _primary_screen()
    if screen is None:
        return
    avail = screen.availableGeometry()
    frame = window.frameGeometry().size() - window.size()   # title bar and borders
    w = min(window.width(), avail.width() - max(frame.width(), 0))
    h = min(window.height(), avail.height() - max(frame.height(), 0))
    if (w, h) != (window.width(), window.height()):
        window.resize(w, h)
    geo = window.frameGeometry()
    if not avail.contains(geo):
        window.move(max(avail.left(), min(geo.left(), avail.right() - geo.width())),
                    max(avail.top(), min(geo.top(), avail.bottom() - geo.height())))


def _primary_screen():
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.primaryScreen()
