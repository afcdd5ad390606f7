"""Small plotting helpers so that notebook cells stay one line long.

Every function draws on a matplotlib ``Axes`` (a new one if none is given) and
returns it; none calls ``plt.show()``, which the notebook does.

>>> from recsys_lab.datasets import load_sales
>>> ax = matrix_heatmap(load_sales(), highlight=[("Alyssa", "Staples")])
>>> [t.get_text() for t in ax.texts][:4]  # Alyssa's row; Staples is unknown
['$500k', '$400k', '$400k', '?']
>>> ax.patches[0].get_xy()  # the red frame around (Alyssa, Staples)
(2.5, -0.5)
>>> plt.close(ax.figure)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from recsys_lab._validation import check_label, check_matrix


def thousands(x: float) -> str:
    """Format dollars as ``$500k``; NaN as ``?``.

    >>> thousands(433_333.3), thousands(float("nan"))
    ('$433k', '?')
    """
    return "?" if pd.isna(x) else f"${x / 1000:,.0f}k"


def matrix_heatmap(
    R: pd.DataFrame,
    ax: Axes | None = None,
    fmt: Callable[[float], str] = thousands,
    highlight: Iterable[tuple[Hashable, Hashable]] = (),
    title: str | None = None,
    cmap: str = "Blues",
) -> Axes:
    """Draw a users × items matrix with its values written in the cells.

    Unknown cells are grey and show ``?``; cells in ``highlight`` get a red frame.
    """
    M = check_matrix(R)
    ax = ax or plt.subplots(figsize=(1.3 * M.shape[1] + 2, 0.55 * M.shape[0] + 1))[1]
    values = M.to_numpy()
    ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto")
    ax.set_facecolor("#dddddd")
    ax.set_xticks(range(M.shape[1]), [str(c) for c in M.columns])
    ax.set_yticks(range(M.shape[0]), [str(r) for r in M.index])
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    finite = values[np.isfinite(values)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (r, c), v in np.ndenumerate(values):
        dark = np.isfinite(v) and v > mid
        ax.text(c, r, fmt(v), ha="center", va="center", color="white" if dark else "black")
    for user, item in highlight:
        r, c = check_label(user, M.index, "user"), check_label(item, M.columns, "item")
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red", lw=2.5))
    if title:
        ax.set_title(title)
    return ax


def distance_bars(
    distances: pd.Series,
    ax: Axes | None = None,
    fmt: Callable[[float], str] = thousands,
    title: str | None = None,
    highlight: int = 0,
) -> Axes:
    """Horizontal bars of distances, nearest on top; the first ``highlight`` bars coloured."""
    d = distances.sort_values(kind="stable")
    ax = ax or plt.subplots(figsize=(6, 0.45 * len(d) + 1))[1]
    colours = ["tab:orange" if i < highlight else "tab:blue" for i in range(len(d))]
    ax.barh([str(i) for i in d.index], d.to_numpy(), color=colours)
    ax.invert_yaxis()
    for y, v in enumerate(d.to_numpy()):
        ax.text(v, y, " " + fmt(v), va="center")
    ax.set_xlabel("distance")
    ax.margins(x=0.2)
    if title:
        ax.set_title(title)
    return ax


def unit_balls(ps: Iterable[float] = (1, 2, 3, np.inf), ax: Axes | None = None) -> Axes:
    r"""The unit balls :math:`\{x : \|x\|_p = 1\}` of Minkowski norms in two dimensions.

    p = 1 is a diamond (Manhattan), p = 2 a circle (Euclidean), p = ∞ a square
    (supremum): the larger p, the more the largest single difference dominates.
    """
    ax = ax or plt.subplots(figsize=(4.5, 4.5))[1]
    theta = np.linspace(0, 2 * np.pi, 721)
    direction = np.column_stack([np.cos(theta), np.sin(theta)])
    for p in ps:
        norm = (
            np.abs(direction).max(axis=1)
            if np.isinf(p)
            else ((np.abs(direction) ** p).sum(axis=1) ** (1 / p))
        )
        points = direction / norm[:, None]
        ax.plot(points[:, 0], points[:, 1], label="p = ∞" if np.isinf(p) else f"p = {p:g}")
    ax.set_aspect("equal")
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title("Points at distance 1 from the origin")
    return ax


def curves(
    table: pd.DataFrame,
    x: str,
    y: str,
    hue: str,
    ax: Axes | None = None,
    title: str | None = None,
    low: str | None = None,
    high: str | None = None,
    marker: str | None = "o",
) -> Axes:
    """One line of ``y`` against ``x`` per value of ``hue`` (e.g. RMSE vs k per weighting).

    With ``low`` and ``high`` (columns of ``table``), each line gets a shaded band
    between them — an interval or a spread over seeds.
    """
    if (low is None) != (high is None):
        raise ValueError("give both low and high (the band's columns), or neither.")
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    for name, group in table.groupby(hue, sort=False):
        g = group.sort_values(x)
        (line,) = ax.plot(g[x], g[y], marker=marker, label=str(name))
        if low is not None:
            ax.fill_between(g[x], g[low], g[high], color=line.get_color(), alpha=0.15, lw=0)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(title=hue, fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def metric_bars(
    table: pd.DataFrame, metrics: Iterable[str], ncols: int = 4, title: str | None = None
) -> plt.Figure:
    """Small multiples: one bar chart per metric (rows of ``table``), one bar per model."""
    names = list(metrics)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.4 * nrows), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, name in zip(axes.ravel(), names, strict=False):
        values = table.loc[name]
        ax.bar(range(len(values)), values.to_numpy(), color=colours[: len(values)])
        ax.set_xticks(range(len(values)), [str(c) for c in values.index], rotation=30, ha="right")
        ax.set_title(name, fontsize="medium")
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def tradeoff(points: pd.DataFrame, x: str, y: str, label: str, ax: Axes | None = None) -> Axes:
    """A curve of ``y`` against ``x`` with each point annotated by ``label``."""
    ax = ax or plt.subplots(figsize=(5.5, 3.8))[1]
    ax.plot(points[x], points[y], marker="o")
    for px, py, name in zip(points[x], points[y], points[label], strict=True):
        ax.annotate(
            f"{label} = {name:g}",
            (px, py),
            textcoords="offset points",
            xytext=(5, 5),
            fontsize="small",
        )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def factor_map(
    factors: np.ndarray,
    labels: Iterable[Hashable],
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Latent factors projected on their first two principal components, coloured by label."""
    X = np.asarray(factors, dtype=float)
    X = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    xy = X @ vt[:2].T
    labels = pd.Series(list(labels))
    ax = ax or plt.subplots(figsize=(6, 4.5))[1]
    for name in sorted(labels.unique(), key=str):
        mask = (labels == name).to_numpy()
        ax.scatter(xy[mask, 0], xy[mask, 1], s=14, label=str(name), alpha=0.8)
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.legend(fontsize="small", markerscale=1.5, ncol=2)
    if title:
        ax.set_title(title)
    return ax
