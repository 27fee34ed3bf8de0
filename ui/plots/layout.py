"""Where a plot's legends go, and what "over the data" means, measured in display pixels.

A legend may sit inside its axes only where no data is drawn: bars, markers and the lines and
areas of the plot (sampled along their paths). :func:`place_legends` tries the axes' corners and
edges and keeps the first empty spot; when none is empty the legend moves outside the axes, to
the right, where the layout engine makes room for it. Legend text is never smaller than
:data:`ui.plots.style.MIN_PT`. The layout test uses :func:`legend_overlaps_data` for the same check.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, StepPatch
from matplotlib.transforms import Bbox

from ui.plots.style import MIN_PT

#: Spots tried inside the axes, in order, before the legend goes outside.
INSIDE_SPOTS = ("upper right", "upper left", "lower right", "lower left", "center right", "center left",
                "upper center", "lower center")
#: Points sampled along a line or an area's outline between two of its vertices.
_STEPS = 12


def _points(path_xy: np.ndarray) -> np.ndarray:
    """Points along a polyline in display coordinates (the vertices and points between them)."""
    xy = np.asarray(path_xy, dtype=float)
    xy = xy[np.isfinite(xy).all(axis=1)] if xy.ndim == 2 else np.empty((0, 2))
    if len(xy) < 2:
        return xy
    t = np.linspace(0.0, 1.0, _STEPS, endpoint=False)[None, :, None]
    seg = xy[:-1, None, :] + t * (xy[1:, None, :] - xy[:-1, None, :])
    return np.vstack([seg.reshape(-1, 2), xy[-1:]])


def _bins(patch: StepPatch) -> list[Bbox]:
    """The boxes of a step patch's bins in display coordinates (empty bins left out)."""
    values, edges, baseline = patch.get_data()
    values = np.asarray(values, dtype=float)
    edges = np.asarray(edges, dtype=float)
    base = np.zeros_like(values) if baseline is None else np.broadcast_to(np.asarray(baseline, dtype=float),
                                                                          values.shape)
    trans = patch.get_transform()
    lo = trans.transform(np.column_stack([edges[:-1], base]))
    hi = trans.transform(np.column_stack([edges[1:], values]))
    x0, x1 = np.minimum(lo[:, 0], hi[:, 0]), np.maximum(lo[:, 0], hi[:, 0])
    y0, y1 = np.minimum(lo[:, 1], hi[:, 1]), np.maximum(lo[:, 1], hi[:, 1])
    keep = np.isfinite(x0 + x1 + y0 + y1) & (x1 - x0 > 0.5) & (y1 - y0 > 0.5)
    return [Bbox([[a, b], [c, d]]) for a, b, c, d in zip(x0[keep], y0[keep], x1[keep], y1[keep], strict=True)]


def data_footprint(ax: Axes, renderer: object) -> tuple[list[Bbox], np.ndarray]:
    """The boxes of the bars and the sampled points of the lines, markers and areas drawn in ``ax``."""
    boxes: list[Bbox] = []
    points: list[np.ndarray] = []
    for patch in ax.patches:
        if isinstance(patch, StepPatch) and patch.get_visible():   # a histogram's outline: a box per bin
            boxes.extend(_bins(patch))
        elif isinstance(patch, Patch) and patch.get_visible():
            box = patch.get_window_extent(renderer)
            if box.width > 0.5 and box.height > 0.5:
                boxes.append(box)
    for line in ax.lines:
        if isinstance(line, Line2D) and line.get_visible() and line.get_label() != "_nolegend_grid":
            xy = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
            points.append(_points(xy) if line.get_linestyle() not in ("None", "", " ") else xy)
    for coll in ax.collections:
        if not isinstance(coll, Collection) or not coll.get_visible():
            continue
        offsets = coll.get_offsets()
        paths = coll.get_paths()
        if len(offsets) > 1 or not paths:   # markers
            points.append(coll.get_offset_transform().transform(np.asarray(offsets, dtype=float)))
        else:                               # areas (fill_between) and line collections
            trans = coll.get_transform()
            for path in paths:
                points.append(_points(trans.transform(path.vertices)))
    pts = np.vstack([p for p in points if len(p)]) if any(len(p) for p in points) else np.empty((0, 2))
    inside = ax.bbox
    if len(pts):
        keep = ((pts[:, 0] >= inside.x0) & (pts[:, 0] <= inside.x1) & (pts[:, 1] >= inside.y0)
                & (pts[:, 1] <= inside.y1))
        pts = pts[keep]
    return boxes, pts


def legend_overlaps_data(ax: Axes, legend: Legend, renderer: object, pad: float = 1.0) -> bool:
    """Whether ``legend`` covers any bar, marker, line or area drawn in ``ax``."""
    box = legend.get_window_extent(renderer).padded(-pad)
    boxes, pts = data_footprint(ax, renderer)
    if any(box.overlaps(b) for b in boxes):
        return True
    if len(pts):
        hit = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
        return bool(hit.any())
    return False


def readable_legend(legend: Legend) -> None:
    """Legend text at least :data:`MIN_PT`."""
    for t in legend.get_texts():
        if t.get_fontsize() < MIN_PT:
            t.set_fontsize(MIN_PT)
    title = legend.get_title()
    if title.get_text() and title.get_fontsize() < MIN_PT:
        title.set_fontsize(MIN_PT)


def place_legends(fig: Figure, renderer: object) -> bool:
    """Move every axes legend that covers data to an empty spot of its axes, else outside to the right;
    True when one moved (the layout must be measured again)."""
    moved = False
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        readable_legend(legend)
        if legend.get_bbox_to_anchor() is not None and getattr(legend, "_outside_axes", False):
            continue
        if not legend_overlaps_data(ax, legend, renderer):
            continue
        for spot in INSIDE_SPOTS:
            legend.set_loc(spot)
            if not legend_overlaps_data(ax, legend, renderer) and _inside(ax, legend, renderer):
                moved = True
                break
        else:
            legend.set_loc("upper left")
            legend.set_bbox_to_anchor((1.02, 1.0), transform=ax.transAxes)
            legend._outside_axes = True   # type: ignore[attr-defined]
            moved = True
    for legend in fig.legends:
        readable_legend(legend)
    return moved


def _inside(ax: Axes, legend: Legend, renderer: object) -> bool:
    box, frame = legend.get_window_extent(renderer), ax.bbox
    return box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1


def arrange_legends(fig: Figure, measure: Callable[[Figure], object | None], rounds: int = 3) -> None:
    """:func:`place_legends` until no legend moves (fonts and layout change sizes), at most ``rounds`` times;
    ``measure`` runs the layout engine and returns a renderer (``None`` when the figure cannot be measured)."""
    if not any(ax.get_legend() is not None for ax in fig.axes) and not fig.legends:
        return
    for legend in [*(ax.get_legend() for ax in fig.axes), *fig.legends]:
        if legend is not None:
            readable_legend(legend)
    for _ in range(rounds):
        renderer = measure(fig)
        if renderer is None or not place_legends(fig, renderer):
            return
