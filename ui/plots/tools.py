"""Small drawing helpers shared by the plot modules (pure matplotlib)."""

from __future__ import annotations

import functools
import re
import textwrap
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator

from ui.plots.style import GAIN, MIN_PT, briefing_rc, fmt_money, fmt_number, money_formatter, money_unit

F = TypeVar("F", bound=Callable[..., Any])

#: Bars shown per breakdown before the rest are summed into "Other".
TOP_N = 12
#: The gid of value labels beside bars: :func:`fit_figure` widens their axes until they fit inside.
BAR_LABEL = "bar-label"
#: A bar label takes at most this share of its axes' width (its font shrinks, down to MIN_PT, to fit).
LABEL_SHARE = 0.55
#: Category labels on a y axis take at most this share of the figure's width; longer ones are wrapped.
TICK_LABEL_SHARE = 0.42


#: Four-panel views (summary, allocation, contributions, impact) draw a 2 x 2 grid from this canvas width (inches,
#: 100 logical pixels each); on a narrower canvas (a laptop screen) the panels go one above the other, each at the
#: full width, and the view scrolls: readable plots rather than four stamps.
GRID_FROM_IN = 9.0
#: Height (logical pixels) a panel needs for its bars, ticks and labels at 9 pt.
PANEL_PX = 300
#: Room (logical pixels) for a figure's title above its panels.
TITLE_PX = 60


def four_panels(fig: Figure) -> list[Axes]:
    """Four axes: a 2 x 2 grid on a wide canvas, four rows on a narrow one (see :data:`GRID_FROM_IN`)."""
    if fig.get_size_inches()[0] >= GRID_FROM_IN:
        return list(fig.subplots(2, 2).flat)
    return list(fig.subplots(4, 1))


def note(fig_or_ax: Figure | Axes, text: str) -> Axes:
    """A sentence in place of a plot that has nothing to show."""
    ax = fig_or_ax.add_subplot() if isinstance(fig_or_ax, Figure) else fig_or_ax
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=11, color="#555555",
            transform=ax.transAxes)
    return ax


def top_items(values: Mapping[str, float], n: int = TOP_N) -> tuple[list[str], np.ndarray]:
    """Labels and values, largest magnitude first; beyond ``n`` the rest is summed as "Other (k)"."""
    items = sorted(((str(k), float(v)) for k, v in values.items()), key=lambda kv: -abs(kv[1]))
    if len(items) > n:
        rest = items[n - 1:]
        items = [*items[: n - 1], (f"Other ({len(rest)})", sum(v for _, v in rest))]
    return [k for k, _ in items], np.array([v for _, v in items], dtype=float)


def label_signed_bars(ax: Axes, y, values, unit: str, divisor: float) -> None:
    """Write each horizontal bar's amount beside its end, outside the bar whatever its sign."""
    for yi, v in zip(y, values, strict=True):
        ax.annotate(fmt_money(v, unit), (v / divisor, yi), xytext=(4 if v >= 0 else -4, 0),
                    textcoords="offset points", ha="left" if v >= 0 else "right", va="center", fontsize="small",
                    gid=BAR_LABEL)


def bar_breakdown(ax: Axes, values: Mapping[str, float], *, title: str, total: float | None = None,
                  colour: str | None = None, unit: tuple[float, str] | None = None, share_of: str = "") -> None:
    """Horizontal bars of amounts in USD m, largest on top, labelled with the amount and its share of ``total``."""
    labels, vals = top_items({k: v for k, v in values.items() if abs(v) > 0})
    if not labels:
        note(ax, f"{title}: nothing to show")
        ax.set_title(title)
        return
    divisor, unit_label = unit or money_unit(vals)
    y = np.arange(len(labels))
    ax.barh(y, vals / divisor, color=colour or GAIN, height=0.7, label=title)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(money_formatter(divisor))
    ax.set_xlabel(unit_label)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    scaled = vals / divisor
    right = max(float(np.max(scaled)), 0.0)
    left = min(float(np.min(scaled)), 0.0)
    span = (right - left) or 1.0
    for yi, v in zip(y, vals):
        share = f" ({fmt_number(100 * v / total)} %{' of ' + share_of if share_of else ''})" if total else ""
        ax.annotate(fmt_money(v, unit_label) + share, (max(v / divisor, 0.0), yi), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize="small", gid=BAR_LABEL)
    if left < 0:
        ax.axvline(0, color="#7f7f7f", linewidth=0.8)
    ax.set_xlim(left - (0.05 * span if left < 0 else 0), right + span * 0.05)


# ---------------------------------------------------------------------------- fitting text to the figure
def _layout(fig: Figure) -> object | None:
    """Run the figure's layout engine (no pixels drawn) and return a renderer to measure text with."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
        try:
            fig.draw_without_rendering()
            get = getattr(fig.canvas, "get_renderer", None)
            return get() if callable(get) else fig._get_renderer()
        except (AttributeError, RuntimeError, ValueError):  # a canvas that cannot measure: leave the figure be
            return None


#: A title that needs less shrinking than this to fit on one line is shrunk; a longer one is wrapped first.
SHRINK_RATHER_THAN_WRAP = 0.82


def _unbreakable(text: str) -> str:
    """``text`` on one line, with no-break spaces inside amounts and percentages ("USD 97.9 bn", "42 %")."""
    flat = re.sub(r"\s+", " ", text).strip()
    flat = re.sub(r"(USD|JPY) (?=\S)", "\\1\u00a0", flat)
    return re.sub(r" (?=(bn|m|%|k)(\s|$|[),.;:]))", "\u00a0", flat)


def _wrap_to(text_artist: Text, renderer: object, width_px: float, min_pt: float, vertical: bool = False) -> bool:
    """Make ``text_artist`` at most ``width_px`` wide (tall when ``vertical``, for a y axis label): shrink it a
    little, or wrap it at spaces into lines of even length (never inside an amount) and shrink it down to
    ``min_pt``, then wrap it into more lines. True when it changed."""
    def width() -> float:
        ext = text_artist.get_window_extent(renderer)
        return float(ext.height if vertical else ext.width)

    def shrink() -> bool:
        for _ in range(3):  # text width is not quite proportional to the font size: a few steps
            size = float(text_artist.get_fontsize())
            if width() <= width_px:
                return True
            if size <= min_pt:
                return False
            text_artist.set_fontsize(max(min_pt, 0.98 * size * width_px / width()))
        return width() <= width_px

    text = text_artist.get_text()
    if not text or not text_artist.get_visible() or width_px <= 0 or width() <= width_px:
        return False
    if width_px / width() >= SHRINK_RATHER_THAN_WRAP and shrink():
        return True
    flat = _unbreakable(text)
    text_artist.set_text(flat.replace("\u00a0", " "))
    one_line = width()
    for n in range(2, 7):
        lines = textwrap.wrap(flat, max(8, int(1.1 * len(flat) / n)), break_on_hyphens=False,
                              break_long_words=False)
        if len(lines) < n and n > 2 and one_line / n > width_px:
            continue
        text_artist.set_text("\n".join(lines).replace("\u00a0", " "))
        if shrink():
            return True
    min_pt = MIN_PT  # a tiny canvas: smaller still rather than off the figure
    shrink()
    return True


def fit_figure(fig: Figure) -> None:
    """Keep a figure's text readable and inside it at its current size.

    The value labels beside bars (gid :data:`BAR_LABEL`) stay out of the layout engine's way and their axes' x
    range is widened just enough for them to end inside (their font shrinks first if one label alone would take
    more than :data:`LABEL_SHARE` of the axes). Then the suptitle and axes titles wider than the figure or their
    grid cell are shrunk (down to :data:`MIN_PT`), then wrapped at spaces.
    """
    labelled = [ax for ax in fig.axes if any(t.get_gid() == BAR_LABEL for t in ax.texts)]
    titled = [ax for ax in fig.axes if ax.get_title() or ax.get_xlabel() or ax.get_ylabel()]
    suptitle = getattr(fig, "_suptitle", None)
    if not labelled and not titled and suptitle is None:
        return
    for ax in labelled:
        for t in ax.texts:
            if t.get_gid() == BAR_LABEL:
                t.set_in_layout(False)
    renderer = _layout(fig)
    if renderer is None:
        return
    changed = suptitle is not None and _wrap_to(suptitle, renderer, 0.96 * fig.bbox.width, MIN_PT)
    changed |= any([_wrap_category_labels(ax, renderer, TICK_LABEL_SHARE * fig.bbox.width) for ax in fig.axes])
    if changed:  # the axes move: measure again
        renderer = _layout(fig)
        if renderer is None:
            return
    changed = False
    for ax in titled:
        changed |= _wrap_to(ax.title, renderer, _cell_width(fig, ax), MIN_PT)
        changed |= _wrap_to(ax.xaxis.label, renderer, _cell_width(fig, ax), MIN_PT)
        changed |= _wrap_to(ax.yaxis.label, renderer, max(ax.bbox.height, 40.0), MIN_PT, vertical=True)
    changed |= any([_fit_labels(ax, renderer) for ax in labelled])
    if changed and labelled:  # the new layout moves the axes a little: check the bar labels once more
        renderer = _layout(fig)
        if renderer is not None:
            for ax in labelled:
                _fit_labels(ax, renderer)
    # The figure's own draw runs the layout engine once more.


def _wrap_category_labels(ax: Axes, renderer: object, width_px: float) -> bool:
    """Wrap the fixed (category) labels of ``ax``'s y axis that are wider than ``width_px``; True if any was."""
    if not isinstance(ax.yaxis.get_major_locator(), FixedLocator) or not ax.yaxis.get_tick_params().get(
            "labelleft", True):
        return False
    labels = ax.get_yticklabels()
    widths = [t.get_window_extent(renderer).width for t in labels if t.get_text()]
    if not widths or max(widths) <= width_px:
        return False
    wrapped = []
    for t in labels:
        text, w = t.get_text(), t.get_window_extent(renderer).width
        if w > width_px and " " in text:
            chars = max(8, int(len(text) * width_px / w))
            head, sep, tail = text.rpartition(" (")
            if sep and len(head) <= chars and len(tail) + 1 <= chars:  # the bracket on its own line reads best
                text = f"{head}\n({tail}"
            else:
                text = "\n".join(textwrap.wrap(text, chars, break_on_hyphens=False, break_long_words=False))
        wrapped.append(text)
    ax.set_yticks(ax.get_yticks(), wrapped, fontsize=labels[0].get_fontsize())
    return True


def _cell_width(fig: Figure, ax: Axes) -> float:
    """Width (pixels) a title centred over ``ax`` may take without running into its neighbours or off the figure."""
    spec = ax.get_subplotspec()
    if spec is None:
        return fig.bbox.width
    ncols = spec.get_gridspec().ncols
    cols = spec.colspan
    left, right = fig.bbox.x0 + fig.bbox.width * cols.start / ncols, fig.bbox.x0 + fig.bbox.width * cols.stop / ncols
    centre = (ax.bbox.x0 + ax.bbox.x1) / 2
    return 2 * max(min(centre - left, right - centre), 0.5 * ax.bbox.width) - 8


def _bar_pitch(ax: Axes) -> float:
    """Distance (pixels) between neighbouring bars of ``ax`` (its y ticks); the axes' height for a single bar."""
    ticks = np.asarray(ax.get_yticks(), dtype=float)
    if ticks.size < 2:
        return float(ax.bbox.height)
    pixels = ax.transData.transform(np.column_stack([np.zeros_like(ticks), ticks]))[:, 1]
    return float(np.min(np.abs(np.diff(pixels))))


def _shorten_label(t: Text, renderer: object, width_px: float, pitch: float) -> None:
    """Make a bar label at most ``width_px`` wide: its share (the part in brackets) goes under the amount when two
    lines fit between the bars, then its font shrinks (down to :data:`MIN_PT`), and as a last resort the
    share is left out (the table beside the plot has it)."""
    def width() -> float:
        return float(t.get_window_extent(renderer).width)

    if width() <= width_px:
        return
    text = t.get_text()
    amount, sep, share = text.partition(" (")
    line = t.get_window_extent(renderer).height
    if sep and 2.1 * line <= pitch:
        t.set_text(f"{amount}\n({share}")
        if width() <= width_px:
            return
    if width() > width_px:
        t.set_fontsize(max(MIN_PT, float(t.get_fontsize()) * width_px / width()))
    if width() > width_px and sep:
        t.set_text(amount)


def _fit_labels(ax: Axes, renderer: object) -> bool:
    """Widen ``ax``'s x range so its bar labels end inside it; True when the range changed."""
    box = ax.bbox
    if box.width <= 1:
        return False
    texts = [t for t in ax.texts if t.get_gid() == BAR_LABEL and t.get_visible()]
    pitch = _bar_pitch(ax)
    for t in texts:
        _shorten_label(t, renderer, LABEL_SHARE * box.width, pitch)
    lo, hi = ax.get_xlim()
    new_lo, new_hi = lo, hi
    width = box.width
    for t in texts:
        ext = t.get_window_extent(renderer)
        anchor = ax.transData.transform(t.xy)[0]  # the bar's end, in pixels
        x = float(t.xy[0])
        if ext.x1 > box.x1 - 0.5:   # label to the right of its anchor: x's pixel + (ext.x1 - anchor) <= width
            room = width - (ext.x1 - anchor) - 6.0
            if room > 1.0:
                new_hi = max(new_hi, lo + (x - lo) * width / room)
        if ext.x0 < box.x0 + 0.5:   # label to the left
            room = width - (anchor - ext.x0) - 6.0
            if room > 1.0:
                new_lo = min(new_lo, hi - (hi - x) * width / room)
    if new_lo == lo and new_hi == hi:
        return False
    ax.set_xlim(new_lo, new_hi)
    return True


def briefing(fn: F) -> F:
    """Draw ``fn``'s figure (its first argument) under :data:`BRIEFING_RC`, fonts scaled to the figure's size;
    then the figure's long suptitle is wrapped and bar labels are kept inside their axes
    (:func:`fit_figure`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fig = args[0] if args else None
        with mpl.rc_context(briefing_rc(fig)):
            out = fn(*args, **kwargs)
            if fig is not None and hasattr(fig, "axes"):
                fit_figure(fig)
            return out

    return wrapper  # type: ignore[return-value]
