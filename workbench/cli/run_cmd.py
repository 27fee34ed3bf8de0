"""``workbench run [FILE...]``: validate, allocate, simulate, stress-test, sensitivity, impact."""

from workbench.cli.common import not_available


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run allocation and risk models on a scenario",
                       description="Validate, allocate, simulate, stress-test, sensitivity and impact.")
    p.add_argument("files", nargs="*", metavar="FILE", help="workbooks; default scenario when omitted")
    p.add_argument("--out", help="write the results workbook here")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--trials", type=int, help="number of Monte Carlo trials")
    p.add_argument("--seed", type=int, help="random seed")
    p.add_argument("--method", help="allocation method")
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.set_defaults(handler=not_available("run", "the risk and allocation engines are being built"))
