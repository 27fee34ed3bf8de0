"""The what-if results' names and definitions: one sentence each, read by the app's tooltips,
the CLI's help and ``docs/whatif.md`` (which gives the full definitions and the methods).

Each entry is ``key -> (label, unit, definition)`` in the results vocabulary's units
(``"USD m"``, ``"fraction"``, ``"rate"``, or ``"input"``: the unit of the input moved).
``{npv}`` in a label or definition is the measure, named with the scenario's discount rate
(``workbench.figures.npv_label``: "NPV at 5 %"); :func:`label` and :func:`definition` fill it in.
"""

from __future__ import annotations

INPUT_UNIT = "input"
#: The measure's name where no scenario (no discount rate) is at hand.
GENERIC_NPV = "NPV at the discount rate"

WHATIF_FIGURES: dict[str, tuple[str, str, str]] = {
    "switching_value": (
        "Switching value", INPUT_UNIT,
        "The value of one input, the others as in the scenario, at which the chosen criterion reaches its "
        "threshold (expected {npv} = 0 unless chosen otherwise): the crossing nearest the scenario's value within "
        "the input's valid range, found on common random numbers."),
    "switching_value_se": (
        "Monte Carlo standard error of the switching value", INPUT_UNIT,
        "The statistic's standard error at the switching value divided by the slope of the criterion there "
        "(delta method); the 95 % band is the value plus or minus 1.96 of them."),
    "no_crossing": (
        "None within the range", INPUT_UNIT,
        "The criterion stays on one side of its threshold at every value tried across the input's valid range."),
    "allocation_switch": (
        "Value at which the allocation changes", INPUT_UNIT,
        "The nearest value of the input at which the re-fitted allocation moves any project by more than 1 % of "
        "the programme or funds a different set of projects (bisection, no Monte Carlo error)."),
    "goal_seek_answer": (
        "Goal-seek answer", INPUT_UNIT,
        "The smallest (or largest) value of one input at which a statistic meets its target (for example "
        "P({npv} below zero) at or below 10 %), the boundary nearest the scenario's value, with its Monte Carlo "
        "standard error by the delta method; 'cannot be reached' when the target holds nowhere in the valid "
        "range."),
    "max_regret": (
        "Largest regret of expected {npv}", "USD m",
        "Over the baseline and each named stress test: the best expected {npv} any allocation meeting every "
        "limit gets in that stress, minus this allocation's expected {npv} in it; the largest of these (fitting "
        "sample)."),
    "worst_stress_pnl": (
        "Worst stress's expected {npv}", "USD m",
        "The lowest expected {npv} of the allocation over the baseline and the named stress tests (fitting sample, "
        "the same draws in every stress)."),
    "stress_cvar": (
        "CVaR in a stress", "USD m",
        "Minus the mean {npv} of the allocation over the worst (1 - confidence) share of the trials, with "
        "that stress's events forced (fitting sample)."),
    "sobol_first_order": (
        "First-order Sobol index", "fraction",
        "The share of the statistic's variance, as every tornado input varies uniformly over the tornado's range, "
        "explained by this input (or group) alone (Saltelli 2010 pick-freeze estimator, bootstrap 95 % interval)."),
    "sobol_total": (
        "Total Sobol index", "fraction",
        "The share of the statistic's variance that would remain unexplained if every input but this one (or "
        "this group) were known: its effect alone and through interactions (Jansen estimator)."),
    "rank_differs": (
        "Ranking differs from the tornado", "",
        "The input's rank by total Sobol index is not its rank by tornado swing: moving it one at a time and "
        "varying everything together order it differently."),
}


def definition(key: str, npv: str = GENERIC_NPV) -> str:
    """The one-sentence definition, naming the measure ``npv`` ("NPV at 5 %")."""
    return WHATIF_FIGURES[key][2].format(npv=npv)


def label(key: str, npv: str = GENERIC_NPV) -> str:
    """The label, naming the measure ``npv`` ("Largest regret of expected NPV at 5 %")."""
    return WHATIF_FIGURES[key][0].format(npv=npv)


__all__ = ["GENERIC_NPV", "INPUT_UNIT", "WHATIF_FIGURES", "definition", "label"]
