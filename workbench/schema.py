"""The tables of a scenario, as data: canonical columns, kinds, units, ranges, defaults.

Everything that needs to know what a column is (validation, the Excel reader and
writer, the table models of the UI, the JSON output of the CLI) reads it from here, so a
column is described once. The contract is ``docs/contracts/workbook.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import SupportsFloat, SupportsIndex, TypeAlias

from workbench.numbers import percent_text
from workbench.text import range_phrase

#: A value a canonical cell holds: text, a number, a truth value, or empty.
CellValue: TypeAlias = str | float | int | bool | None


def cell_float(value: object) -> float:
    """``float(value)`` for a value read from a table cell, which may hold anything a
    DataFrame can; raises ``TypeError`` or ``ValueError`` exactly as ``float`` does."""
    if isinstance(value, (float, int, str, bytes)):   # the usual cells, without the protocol checks below
        return float(value)
    if isinstance(value, (SupportsFloat, SupportsIndex)):
        return float(value)
    raise TypeError(f"float() argument must be a string or a real number, not '{type(value).__name__}'")

#: Instruments a project may use; ``Any`` is only valid in the Financing table.
INSTRUMENTS = ("Equity", "Loan", "Guarantee")
FINANCING_INSTRUMENTS = (*INSTRUMENTS, "Any")
CONSTRAINT_GROUPS = ("Total", "Sector", "Instrument", "Financier", "State", "Sponsor", "Project", "Year")
METHODS = ("proportional", "max-return", "max-strategic", "mean-variance", "min-cvar", "risk-parity", "fixed",
           "min-regret", "worst-case")
COPULAS = ("gaussian", "student-t")

#: Two-letter codes and names of the US states (and DC), for the State column.
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico",
}


@dataclass(frozen=True)
class Column:
    """One canonical column (or Scenario field).

    ``kind`` is one of ``text``, ``number``, ``integer``, ``fraction``, ``bool``,
    ``choice``. ``unit`` is what the canonical value is in (``USD m``, ``USD bn``,
    ``fraction``, ``year``, ``years`` or empty). Ranges are inclusive unless the
    ``*_open`` flag says the bound itself is excluded. ``default`` is used when the cell
    is empty; ``required`` means an empty cell is an error.
    """

    name: str
    kind: str = "number"
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    min_open: bool = False
    max_open: bool = False
    required: bool = False
    default: CellValue = None
    choices: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    help: str = ""

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("number", "integer", "fraction")

    def range_text(self) -> str:
        """The allowed range in the units a cell shows, e.g. ``from 0 % to 50 %`` for a rate,
        ``above -100 % and at most 100 %``, ``at least 0``."""
        fmt = percent_text if self.kind == "fraction" else _year if self.unit == "year" else _fmt
        return range_phrase(self.minimum, self.maximum, lo_open=self.min_open, hi_open=self.max_open, fmt=fmt)


def _year(x: float) -> str:
    return f"{x:.0f}"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


@dataclass(frozen=True)
class Table:
    """A table of the workbook: its sheet name, key column and canonical columns."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    synonyms: tuple[str, ...] = ()
    #: Whether row order carries meaning (it does not for any table of format 1).
    ordered: bool = False
    extra_columns: str = ""  # "sectors" when each sector may add a column (Risk events)
    by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_name.update({c.name: c for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return self.by_name[name]


#: The Scenario field of the run's stop rule (a target relative standard error of CVaR; empty: off).
PRECISION_FIELD = "CVaR precision (relative SE)"
#: Scenario fields added after format 1 was fixed: the content hash sees them only when they are set,
#: so scenarios (and snapshots) from before them keep their hash.
HASHED_WHEN_SET = frozenset({PRECISION_FIELD})

SCENARIO_FIELDS = Table(
    "Scenario",
    (
        Column("Name", "text", required=True, help="A short name for the scenario."),
        Column("Description", "text", default=""),
        Column("Author", "text", default=""),
        Column("Programme size (USD bn)", "number", "USD bn", 0, None, min_open=True, default=550.0,
               synonyms=("Programme size", "Program size", "Size"),
               help="Total programme, in USD bn; the models use 1,000 times it in USD m."),
        Column("Start year", "integer", "year", 2000, 2100, default=2026),
        Column("Horizon (years)", "integer", "years", 1, 50, default=10, synonyms=("Horizon",)),
        Column("Discount rate", "fraction", "fraction", 0, 0.5, default=0.05),
        Column("Trials", "integer", "", 1_000, 10_000_000, default=50_000, synonyms=("Number of trials",),
               help="Monte Carlo trials of the run; with a CVaR precision, the most trials the run may use."),
        Column(PRECISION_FIELD, "fraction", "fraction", 0, 1, min_open=True, max_open=True, default=None,
               synonyms=("CVaR precision", "Precision", "Stop rule"),
               help="Stop rule: run until CVaR's standard error is at most this share of CVaR (0.005 is 0.5 %), "
                    "or Trials trials, whichever comes first; the results say how many trials it took. "
                    "Empty: off, the run uses exactly Trials trials."),
        Column("Random seed", "integer", "", 0, None, default=20261124, synonyms=("Seed",)),
        Column("Confidence level", "fraction", "fraction", 0.5, 0.999, default=0.95, synonyms=("Confidence",)),
        Column("JPY per USD", "number", "", 0, None, min_open=True, default=150.0,
               synonyms=("USDJPY", "Exchange rate", "FX rate")),
        Column("Allocation method", "choice", default="mean-variance", choices=METHODS, synonyms=("Method",)),
        Column("Risk aversion", "number", "", 0, None, default=2.0),
        Column("Target expected P&L (USD m)", "number", "USD m", default=None,
               synonyms=("Target expected P&L", "Target P&L", "Target return")),
        Column("Default threshold", "fraction", "fraction", 0, 1, default=0.5),
        Column("Copula", "choice", default="gaussian", choices=COPULAS),
        Column("Degrees of freedom", "number", "", 2, None, min_open=True, default=5.0, synonyms=("DoF", "Nu")),
    ),
    key=("Field",),
    synonyms=("Scenario fields", "Settings", "Parameters"),
)

SECTORS = Table(
    "Sectors",
    (
        Column("Sector", "text", required=True, synonyms=("Name", "Industry")),
        Column("Expected return", "fraction", "fraction", -1, 1, min_open=True, required=True,
               synonyms=("Return", "Mean return", "Mu")),
        Column("Volatility", "fraction", "fraction", 0, 1, required=True, synonyms=("Vol", "Sigma", "Risk")),
        Column("Jobs per USD m", "number", "", 0, None, default=0.0, synonyms=("Jobs", "Jobs multiplier")),
        Column("Value added per USD", "number", "", 0, None, default=0.0,
               synonyms=("Value added", "GDP multiplier", "VA multiplier")),
    ),
    key=("Sector",),
    synonyms=("Sector",),
)

PROJECTS = Table(
    "Projects",
    (
        Column("ID", "text", required=True, synonyms=("Project ID", "Code", "Ref")),
        Column("Project", "text", default=None, synonyms=("Name", "Project name", "Title")),
        Column("Sector", "text", required=True),
        Column("Sponsor", "text", default="", synonyms=("Lead sponsor", "Company")),
        Column("State", "text", default="", synonyms=("US state", "Location")),
        Column("Instrument", "choice", default="Equity", choices=INSTRUMENTS, synonyms=("Type", "Product")),
        Column("Financier", "text", default="", synonyms=("Lender", "Funder", "Provider")),
        Column("Requested (USD m)", "number", "USD m", 0, None, min_open=True, required=True,
               synonyms=("Requested", "Request", "Amount", "Requested amount", "Ask")),
        Column("Minimum ticket (USD m)", "number", "USD m", 0, None, default=0.0,
               synonyms=("Minimum ticket", "Min ticket", "Minimum", "Ticket")),
        Column("Expected return", "fraction", "fraction", -1, 1, min_open=True, default=None,
               synonyms=("Return", "Mu")),
        Column("Specific risk", "fraction", "fraction", 0, 1, default=0.10,
               synonyms=("Idiosyncratic risk", "Specific volatility", "Project risk")),
        Column("Coupon or fee", "fraction", "fraction", 0, 1, default=0.0, synonyms=("Coupon", "Fee", "Rate")),
        Column("Recovery rate", "fraction", "fraction", 0, 1, default=0.40, synonyms=("Recovery",)),
        Column("Strategic score", "number", "", 0, 10, default=5.0, synonyms=("Score", "Strategic value")),
        Column("Start year", "integer", "year", 2000, 2100, default=None, synonyms=("Start", "Year")),
        Column("Include", "bool", default=True, synonyms=("Included", "Use", "Active")),
        Column("Allocated (USD m)", "number", "USD m", 0, None, default=None,
               synonyms=("Allocated", "Allocation", "Allocated amount")),
    ),
    key=("ID",),
    synonyms=("Project", "Pipeline", "Candidates"),
)

FINANCING = Table(
    "Financing",
    (
        Column("Financier", "text", required=True, synonyms=("Lender", "Funder", "Provider")),
        Column("Instrument", "choice", default="Any", choices=FINANCING_INSTRUMENTS),
        Column("Capacity (USD m)", "number", "USD m", 0, None, required=True,
               synonyms=("Capacity", "Limit", "Amount")),
    ),
    key=("Financier", "Instrument"),
    required=False,
    synonyms=("Financiers", "Capacities", "Financing capacity"),
)

CONSTRAINTS = Table(
    "Constraints",
    (
        Column("Group", "choice", required=True, choices=CONSTRAINT_GROUPS, synonyms=("Type", "Dimension")),
        Column("Value", "text", default="*", synonyms=("Item", "Member", "Name")),
        Column("Min share", "fraction", "fraction", 0, 1, default=None, synonyms=("Minimum share",)),
        Column("Max share", "fraction", "fraction", 0, 1, default=None, synonyms=("Maximum share",)),
        Column("Min (USD m)", "number", "USD m", 0, None, default=None, synonyms=("Min", "Minimum")),
        Column("Max (USD m)", "number", "USD m", 0, None, default=None, synonyms=("Max", "Maximum")),
    ),
    key=(),
    required=False,
    synonyms=("Constraint", "Limits", "Bands"),
)

RISK_EVENTS = Table(
    "Risk events",
    (
        Column("Event", "text", required=True, synonyms=("Name", "Risk", "Risk event")),
        Column("Annual probability", "fraction", "fraction", 0, 1, required=True,
               synonyms=("Probability", "Prob", "Likelihood")),
        Column("Duration (years)", "integer", "years", 1, 50, default=1, synonyms=("Duration", "Years")),
    ),
    key=("Event",),
    required=False,
    synonyms=("Events", "Risks", "Shocks"),
    extra_columns="sectors",
)

#: The sector shock columns of Risk events are log-return additions; a shock below -5
#: or above +5 a year is surely a typing error.
SHOCK_COLUMN = Column("(sector shock)", "number", "log return", -5, 5, default=0.0)

#: The input tables, in workbook order (Correlations is a matrix and handled apart).
TABLES: dict[str, Table] = {t.name: t for t in (SECTORS, PROJECTS, FINANCING, CONSTRAINTS, RISK_EVENTS)}
INPUT_SHEETS = ("Scenario", "Sectors", "Projects", "Financing", "Constraints", "Correlations", "Risk events")
RESULT_SHEETS = ("Key figures", "Allocation", "Risk summary", "Distribution", "Stress tests", "Impact", "Charts",
                 "About")
FORMAT_VERSION = 1


def parse_bool(value: object) -> bool | None:
    """Read an Include cell: yes/no, true/false, 1/0, y/n. ``None`` when unreadable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "t", "1", "x", "on"):
        return True
    if text in ("no", "n", "false", "f", "0", "off"):
        return False
    return None


def state_code(value: str) -> str | None:
    """The two-letter code of a US state given by code or full name, else ``None``."""
    text = str(value).strip()
    if text.upper() in US_STATES:
        return text.upper()
    lowered = text.lower()
    for code, name in US_STATES.items():
        if name.lower() == lowered:
            return code
    return None
