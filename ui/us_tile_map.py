"""A US state tile grid map: one equal square per state (and DC), coloured by a value.

Tile maps show small and large states alike, which suits "where does the money go"
better than a geographic map where Rhode Island disappears. Pure matplotlib (no Qt):
:func:`draw_tile_map` draws on any Axes, so the docs can use it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

#: (row, column) of each state's tile; row 0 at the top.
TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (0, 10),
    "VT": (1, 9), "NH": (1, 10),
    "WA": (2, 0), "ID": (2, 1), "MT": (2, 2), "ND": (2, 3), "MN": (2, 4), "IL": (2, 5), "WI": (2, 6),
    "MI": (2, 7), "NY": (2, 8), "RI": (2, 9), "MA": (2, 10),
    "OR": (3, 0), "NV": (3, 1), "WY": (3, 2), "SD": (3, 3), "IA": (3, 4), "IN": (3, 5), "OH": (3, 6),
    "PA": (3, 7), "NJ": (3, 8), "CT": (3, 9),
    "CA": (4, 0), "UT": (4, 1), "CO": (4, 2), "NE": (4, 3), "MO": (4, 4), "KY": (4, 5), "WV": (4, 6),
    "VA": (4, 7), "MD": (4, 8), "DE": (4, 9),
    "AZ": (5, 1), "NM": (5, 2), "KS": (5, 3), "AR": (5, 4), "TN": (5, 5), "NC": (5, 6), "SC": (5, 7),
    "DC": (5, 8),
    "OK": (6, 3), "LA": (6, 4), "MS": (6, 5), "AL": (6, 6), "GA": (6, 7),
    "HI": (7, 0), "TX": (7, 3), "FL": (7, 8),
}


def draw_tile_map(ax: Axes, values: Mapping[str, float], *, title: str = "", unit: str = "",
                  fmt: Callable[[float], str] | None = None, cmap: str = "Blues") -> list[str]:
    """Colour each state's tile by ``values[code]`` (two-letter codes); returns codes with no tile.

    States without a value are drawn pale grey; each tile shows its code and, when it has
    one, its value formatted by ``fmt``. A colour bar labelled ``unit`` explains the shades.
    """
    fmt = fmt or (lambda v: f"{v:,.0f}")
    known = {str(k).upper(): float(v) for k, v in values.items() if str(k).upper() in TILES}
    unknown = sorted(str(k) for k in values if str(k).upper() not in TILES)
    positive = [v for v in known.values() if np.isfinite(v) and v > 0]
    vmax = max(positive) if positive else 1.0
    norm = mpl.colors.Normalize(vmin=0.0, vmax=vmax)
    colormap = mpl.colormaps[cmap]
    for code, (row, col) in TILES.items():
        value = known.get(code)
        has = value is not None and np.isfinite(value) and value > 0
        face = colormap(0.15 + 0.85 * norm(value)) if has else "#f0f0f0"
        ax.add_patch(Rectangle((col, -row), 0.92, 0.92, facecolor=face, edgecolor="white", linewidth=1.0))
        dark = has and norm(value) > 0.55
        colour = "white" if dark else "#333333"
        ax.text(col + 0.46, -row + (0.66 if has else 0.46), code, ha="center", va="center", fontsize=9,
                fontweight="bold", color=colour)
        if has:
            ax.text(col + 0.46, -row + 0.25, fmt(value), ha="center", va="center", fontsize=9, color=colour)
    ax.set_xlim(-0.2, 11.2)
    ax.set_ylim(-7.2, 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(vmin=0.0, vmax=vmax),
                                     cmap=mpl.colors.LinearSegmentedColormap.from_list(
                                         "tiles", [colormap(0.15), colormap(1.0)]))
    bar = ax.figure.colorbar(mappable, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02, shrink=0.6)
    if unit:
        bar.set_label(unit)
    return unknown
