"""Small plotting helpers so that notebook cells stay one line long.

Every function draws on a matplotlib ``Axes`` (a new one if none is given) and
returns it; none calls ``plt.show()``, which the notebook does.

>>> from recsys_lab.data import load_sales
>>> ax = matrix_heatmap(load_sales(), highlight=[("Alyssa", "Staples")])
>>> [t.get_text() for t in ax.texts][:4]  # Alyssa's row; Staples is unknown
['$500k', '$400k', '$400k', '?']
>>> ax.patches[0].get_xy()  # the red frame around (Alyssa, Staples)
(2.5, -0.5)
>>> plt.close(ax.figure)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

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
    colorbar: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Draw a users × items matrix with its values written in the cells.

    Unknown cells are grey and show ``?``; cells in ``highlight`` get a red frame.
    The axes are labelled ``xlabel`` and ``ylabel`` (by default the names of
    ``R``'s columns and index, if set); ``colorbar`` (e.g. ``"bookings (USD)"``)
    adds a colour bar with that label.
    """
    M = check_matrix(R)
    ax = ax or plt.subplots(figsize=(1.3 * M.shape[1] + 2, 0.55 * M.shape[0] + 1))[1]
    values = M.to_numpy()
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto")
    ax.set_facecolor("#dddddd")
    ax.set_xticks(range(M.shape[1]), [str(c) for c in M.columns])
    ax.set_yticks(range(M.shape[0]), [str(r) for r in M.index])
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(xlabel if xlabel is not None else str(R.columns.name or ""))
    ax.set_ylabel(ylabel if ylabel is not None else str(R.index.name or ""))
    finite = values[np.isfinite(values)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (r, c), v in np.ndenumerate(values):
        dark = np.isfinite(v) and v > mid
        ax.text(c, r, fmt(v), ha="center", va="center", color="white" if dark else "black")
    for user, item in highlight:
        r, c = check_label(user, M.index, "user"), check_label(item, M.columns, "item")
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red", lw=2.5))
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, label=colorbar)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt(x)))
    if title:
        ax.set_title(title)
    return ax


def distance_bars(
    distances: pd.Series,
    ax: Axes | None = None,
    fmt: Callable[[float], str] = thousands,
    title: str | None = None,
    highlight: int = 0,
    xlabel: str = "distance",
) -> Axes:
    """Horizontal bars of distances, nearest on top; the first ``highlight`` bars coloured.

    Every bar ends in a dot and carries its value, so a distance of 0 — a bar of
    no length — still shows. Unknown (NaN) distances are listed last as ``?``.

    >>> ax = distance_bars(pd.Series({"Mike": 0.0, "Brandon": 200_000.0}), highlight=1)
    >>> [t.get_text() for t in ax.texts]
    ['  $0k', '  $200k']
    >>> plt.close(ax.figure)
    """
    d = distances.sort_values(kind="stable")
    ax = ax or plt.subplots(figsize=(6, 0.45 * len(d) + 1))[1]
    colours = ["tab:orange" if i < highlight else "tab:blue" for i in range(len(d))]
    values = d.to_numpy(dtype=float)
    shown = np.nan_to_num(values, nan=0.0)
    ax.barh([str(i) for i in d.index], shown, color=colours)
    ax.scatter(shown, range(len(d)), color=colours, marker="o", s=30, zorder=3, clip_on=False)
    ax.invert_yaxis()
    for y, v in enumerate(values):
        ax.text(np.nan_to_num(v), y, "  " + fmt(v), va="center")
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, 1.3 * shown.max() if shown.max() > 0 else 1.0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt(x)))
    if highlight:
        ax.legend(
            handles=[plt.Rectangle((0, 0), 1, 1, color="tab:orange")],
            labels=[f"the {highlight} nearest"],
            loc="upper right",
            fontsize="small",
        )
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
    ax.legend(loc="center", fontsize="small")  # the middle of the smallest ball is empty
    ax.set_xlabel("difference on the first shared client")
    ax.set_ylabel("difference on the second shared client")
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


def dot_intervals(
    table: pd.DataFrame,
    value: str,
    low: str,
    high: str,
    label: str,
    hue: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
) -> Axes:
    """Estimates with their intervals: a dot at ``value``, a line from ``low`` to ``high``.

    One row of the y axis per distinct ``label`` (in table order); with ``hue``, the
    rows of each label are drawn side by side in one colour per hue value. For
    comparisons whose differences are small next to their values, where a bar from
    0 would hide them.

    >>> t = pd.DataFrame({"model": ["a", "b"], "rmse": [1.0, 0.9], "lo": [0.95, 0.85],
    ...                   "hi": [1.05, 0.95]})
    >>> ax = dot_intervals(t, "rmse", "lo", "hi", label="model")
    >>> [tick.get_text() for tick in ax.get_yticklabels()]
    ['a', 'b']
    >>> plt.close(ax.figure)
    """
    ax = ax or plt.subplots(figsize=(6.5, 0.5 * table[label].nunique() + 1.5))[1]
    labels = list(dict.fromkeys(table[label]))
    groups = [(None, table)] if hue is None else list(table.groupby(hue, sort=False))
    width = 0.6 / len(groups)
    for g, (name, part) in enumerate(groups):
        y = np.array([labels.index(v) for v in part[label]]) + (g - (len(groups) - 1) / 2) * width
        ax.errorbar(
            part[value],
            y,
            xerr=[part[value] - part[low], part[high] - part[value]],
            fmt="o",
            capsize=3,
            label=None if name is None else str(name),
        )
    ax.set_yticks(range(len(labels)), [str(v) for v in labels])
    ax.invert_yaxis()
    ax.set_ylabel(label)
    ax.set_xlabel(xlabel or value)
    ax.grid(axis="x", alpha=0.3)
    if hue is not None:
        ax.legend(title=hue, fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def metric_bars(
    table: pd.DataFrame,
    metrics: Iterable[str],
    ncols: int = 4,
    title: str | None = None,
    *,
    low: pd.DataFrame | None = None,
    high: pd.DataFrame | None = None,
    ylabels: Mapping[str, str] | None = None,
    lower_is_better: Iterable[str] = (),
    titles: Mapping[str, str] | None = None,
) -> plt.Figure:
    """Small multiples: one bar chart per metric (rows of ``table``), one bar per model.

    ``low`` and ``high`` (same shape as ``table``, e.g. ``Evaluation.table("low")``)
    draw each bar's interval; ``ylabels`` names each metric's unit and ``titles`` gives
    panels a readable name (default: the metric's); the metrics in ``lower_is_better``
    say so in their panel's title. Bars start at 0.

    >>> t = pd.DataFrame({"a": [0.2, 3.0], "b": [0.1, 4.0]}, index=["ndcg", "novelty"])
    >>> fig = metric_bars(t, ["ndcg", "novelty"], low=t - 0.05, high=t + 0.05,
    ...                   ylabels={"novelty": "bits"}, lower_is_better=["ndcg"])
    >>> [ax.get_title() for ax in fig.axes[:2]], fig.axes[1].get_ylabel()
    (['ndcg (lower is better)', 'novelty'], 'bits')
    >>> plt.close(fig)
    """
    names = list(metrics)
    lower = set(lower_is_better)
    labels = dict(ylabels or {})
    names_shown = dict(titles or {})
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.7 * nrows), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, name in zip(axes.ravel(), names, strict=False):
        values = table.loc[name].astype(float)
        error = None
        if low is not None and high is not None:
            below = (values - low.loc[name].astype(float)).clip(lower=0)
            above = (high.loc[name].astype(float) - values).clip(lower=0)
            error = np.vstack([below.fillna(0).to_numpy(), above.fillna(0).to_numpy()])
        bar_colours = [colours[j % len(colours)] for j in range(len(values))]
        ax.bar(range(len(values)), values.to_numpy(), color=bar_colours, yerr=error, capsize=3)
        ax.set_xticks(range(len(values)), [str(c) for c in values.index], rotation=30, ha="right")
        shown = names_shown.get(name, name)
        ax.set_title(f"{shown} (lower is better)" if name in lower else shown, fontsize="medium")
        ax.set_ylabel(labels.get(name, name))
        ax.set_ylim(bottom=0)
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def tradeoff(
    points: pd.DataFrame,
    x: str,
    y: str,
    label: str,
    ax: Axes | None = None,
    *,
    intervals: Mapping[str, tuple[str, str]] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    label_name: str | None = None,
) -> Axes:
    """A curve of ``y`` against ``x`` with each point annotated by ``label``.

    ``intervals`` maps ``x`` and/or ``y`` to the two columns holding each point's
    interval, drawn as error bars; the y axis starts at 0. Annotations read
    ``<label_name> = <value>`` (default: the column's name), at three heights in turn
    so that close points stay readable.

    >>> pts = pd.DataFrame({"lam": [1.0, 0.5], "div": [0.7, 0.9], "p": [0.08, 0.07],
    ...                     "p_low": [0.07, 0.06], "p_high": [0.09, 0.08]})
    >>> ax = tradeoff(pts, "div", "p", "lam", intervals={"p": ("p_low", "p_high")})
    >>> [t.get_text() for t in ax.texts], float(ax.get_ylim()[0])
    (['lam = 1', 'lam = 0.5'], 0.0)
    >>> plt.close(ax.figure)
    """
    ax = ax or plt.subplots(figsize=(7, 4.2))[1]
    spans = dict(intervals or {})

    def error(column: str) -> np.ndarray | None:
        if column not in spans:
            return None
        lo, hi = spans[column]
        centre = points[column].to_numpy(float)
        return np.vstack([centre - points[lo].to_numpy(float), points[hi].to_numpy(float) - centre])

    ax.errorbar(points[x], points[y], xerr=error(x), yerr=error(y), marker="o", capsize=3)
    for j, (px, py, name) in enumerate(zip(points[x], points[y], points[label], strict=True)):
        ax.annotate(
            f"{label_name or label} = {name:g}",
            (px, py),
            textcoords="offset points",
            xytext=((4, 8), (4, -14), (4, 20))[j % 3],
            fontsize="small",
        )
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.1)  # from 0, with room for the labels on top
    if title:
        ax.set_title(title)
    return ax


def group_bars(
    table: pd.DataFrame,
    ylabel: str,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each model's mean per user group, side by side, with each mean's interval.

    ``table`` has columns ``model, group, mean, low, high`` (as
    :func:`recsys_lab.evaluation.metrics.fairness.group_comparison` returns). Bars start at 0.

    >>> t = pd.DataFrame({"model": ["a", "a", "b", "b"], "group": ["F", "M", "F", "M"],
    ...                   "mean": [0.2, 0.3, 0.1, 0.1], "low": [0.1, 0.2, 0.0, 0.05],
    ...                   "high": [0.3, 0.4, 0.2, 0.15]})
    >>> ax = group_bars(t, "NDCG@10")
    >>> len(ax.patches), [t.get_text() for t in ax.get_legend().get_texts()]
    (4, ['F', 'M'])
    >>> plt.close(ax.figure)
    """
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    models = list(pd.unique(table["model"]))
    groups = list(pd.unique(table["group"]))
    width = 0.8 / len(groups)
    for j, group in enumerate(groups):
        rows = table[table["group"] == group].set_index("model").reindex(models)
        mean = rows["mean"].to_numpy(float)
        error = np.vstack([mean - rows["low"].to_numpy(float), rows["high"].to_numpy(float) - mean])
        x = np.arange(len(models)) - 0.4 + width * (j + 0.5)
        ax.bar(x, mean, width, yerr=np.nan_to_num(error), capsize=2, label=str(group))
    ax.set_xticks(range(len(models)), [str(m) for m in models])
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
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


def interval_curves(
    table: pd.DataFrame,
    x: str,
    y: str,
    hue: str,
    low: str = "low",
    high: str = "high",
    baselines: pd.DataFrame | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """One line of ``y`` against ``x`` per ``hue``, with interval bars, and baseline bands.

    ``low``/``high`` are the interval's ends (e.g. a bootstrap interval). Each row of
    ``baselines`` (columns ``name, value, low, high``) is a horizontal line with its
    interval shaded, so that every curve can be read against it. Lines are nudged
    sideways a little so that their bars do not hide each other; ``x`` is drawn on a
    log scale when it spans a factor of 4 or more (e.g. k = 10 … 80).

    >>> t = pd.DataFrame({"k": [10, 20, 10, 20], "w": list("aabb"), "rmse": [1.0, 0.9, 1.1, 1.0],
    ...                   "low": [0.9, 0.8, 1.0, 0.9], "high": [1.1, 1.0, 1.2, 1.1]})
    >>> base = pd.DataFrame({"name": ["mean"], "value": [1.2], "low": [1.1], "high": [1.3]})
    >>> ax = interval_curves(t, "k", "rmse", "w", baselines=base)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['mean', 'a', 'b']
    >>> plt.close(ax.figure)
    """
    for column in (x, y, hue, low, high):
        check_label(column, table.columns, "column")
    ax = ax or plt.subplots(figsize=(9, 4), layout="constrained")[1]
    groups = list(table.groupby(hue, sort=False))
    xs = table[x].to_numpy(float)
    log = xs.min() > 0 and xs.max() / xs.min() >= 4
    for j, (name, group) in enumerate(groups):
        g = group.sort_values(x)
        nudge = (j - (len(groups) - 1) / 2) * 0.03
        gx = g[x].to_numpy(float) * (10**nudge if log else 1) + (0 if log else nudge)
        err = np.vstack([g[y] - g[low], g[high] - g[y]])
        ax.errorbar(gx, g[y], yerr=err, marker="o", capsize=3, label=str(name))
    styles = ["--", ":", "-."]
    for j, row in enumerate((baselines if baselines is not None else pd.DataFrame()).itertuples()):
        colour = "0.35"
        ax.axhline(row.value, color=colour, ls=styles[j % len(styles)], lw=1.4, label=str(row.name))
        ax.axhspan(row.low, row.high, color=colour, alpha=0.15, lw=0)
    if log:
        ax.set_xscale("log")
        ticks = np.unique(xs)
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the data
    if title:
        ax.set_title(title)
    return ax


def interval_bars(
    table: pd.DataFrame,
    value: str = "value",
    low: str = "low",
    high: str = "high",
    baseline: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """One bar per row (labelled by the index) with its interval; a baseline row as a line.

    The row named ``baseline`` is drawn as a dashed horizontal line with its interval
    shaded instead of a bar, so that every bar is read against it. The axis starts at 0.

    >>> t = pd.DataFrame({"value": [0.1, 0.2], "low": [0.05, 0.15], "high": [0.15, 0.25]},
    ...                  index=["knn", "popularity"])
    >>> ax = interval_bars(t, baseline="popularity")
    >>> [t.get_text() for t in ax.get_xticklabels()], float(ax.get_ylim()[0])  # one bar
    (['knn'], 0.0)
    >>> plt.close(ax.figure)
    """
    for column in (value, low, high):
        check_label(column, table.columns, "column")
    ax = ax or plt.subplots(figsize=(6.5, 3.5))[1]
    bars = table.drop(index=baseline) if baseline is not None else table
    err = np.vstack([bars[value] - bars[low], bars[high] - bars[value]])
    positions = np.arange(len(bars))
    ax.bar(positions, bars[value], yerr=err, capsize=4, color="tab:blue", alpha=0.8)
    ax.set_xticks(positions, [str(name) for name in bars.index])
    if baseline is not None:
        row = table.loc[baseline]
        ax.axhline(row[value], color="0.3", ls="--", lw=1.2, label=str(baseline))
        ax.axhspan(row[low], row[high], color="0.3", alpha=0.15, lw=0)
        ax.legend(fontsize="small")
    ax.set_ylim(bottom=0)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def interval_plot(
    table: pd.DataFrame,
    x: str,
    hue: str | None = None,
    value: str = "value",
    low: str = "low",
    high: str = "high",
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    reference: float | None = None,
) -> Axes:
    """Estimates as points with interval bars: one group per ``x``, one colour per ``hue``.

    ``table`` is tidy: a row per estimate with its ``value`` and interval ``low``,
    ``high`` (e.g. ``evaluate(...).summary`` for one metric). Points of the same ``x``
    are spread sideways so that their bars do not overlap. The y axis starts at 0 for
    non-negative data; ``reference`` draws a dashed horizontal line (e.g. 0 for
    differences).

    >>> t = pd.DataFrame({"model": ["a", "b"], "value": [0.2, 0.3], "low": [0.1, 0.25],
    ...                   "high": [0.3, 0.35]})
    >>> ax = interval_plot(t, x="model")
    >>> [label.get_text() for label in ax.get_xticklabels()], float(ax.get_ylim()[0])
    (['a', 'b'], 0.0)
    >>> plt.close(ax.figure)
    """
    for column in [x, value, low, high, *([hue] if hue else [])]:
        if column not in table.columns:
            raise ValueError(f"table has no column {column!r}; it has {list(table.columns)}.")
    ax = ax or plt.subplots(figsize=(6.5, 3.8))[1]
    groups = list(pd.unique(table[x]))
    hues = list(pd.unique(table[hue])) if hue else [None]
    width = 0.6 / max(len(hues), 1)
    for j, name in enumerate(hues):
        part = table if hue is None else table[table[hue] == name]
        pos = np.array([groups.index(g) for g in part[x]]) + (j - (len(hues) - 1) / 2) * width
        mid = part[value].to_numpy(float)
        err = np.vstack([mid - part[low].to_numpy(float), part[high].to_numpy(float) - mid])
        ax.errorbar(pos, mid, yerr=err, fmt="o", capsize=4, label=None if hue is None else name)
    ax.set_xticks(range(len(groups)), [str(g) for g in groups])
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel or value)
    if reference is not None:
        ax.axhline(reference, color="grey", ls="--", lw=1)
    if (table[low] >= 0).all():
        ax.set_ylim(bottom=0)
    if hue is not None:
        ax.legend(title=hue, fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def per_user_histogram(
    values: pd.DataFrame,
    intervals: dict[Hashable, tuple[float, float]] | None = None,
    bins: int = 20,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str = "per-user value",
) -> Axes:
    """Histograms of a per-user metric, one outline per column, with each mean marked.

    ``values`` has users as rows and models as columns (``Evaluation.by_user``); the
    dashed line is a column's mean and the shaded band its interval from ``intervals``
    (column → (low, high)), if given.

    >>> values = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.0, 0.0, 0.25]})
    >>> ax = per_user_histogram(values, intervals={"a": (0.1, 0.9)}, bins=4)
    >>> ax.get_ylabel(), [round(float(line.get_xdata()[0]), 3) for line in ax.lines]  # means
    ('users', [0.5, 0.083])
    >>> plt.close(ax.figure)
    """
    if not isinstance(values, pd.DataFrame) or values.empty:
        raise TypeError("values must be a non-empty DataFrame: users × models.")
    ax = ax or plt.subplots(figsize=(6.5, 3.8))[1]
    finite = values.to_numpy(float)
    edges = np.linspace(np.nanmin(finite), np.nanmax(finite), bins + 1)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, name in enumerate(values.columns):
        colour = colours[j % len(colours)]
        column = values[name].dropna()
        ax.hist(column, bins=edges.tolist(), histtype="step", lw=1.8, color=colour, label=str(name))
        ax.axvline(column.mean(), color=colour, ls="--", lw=1.2)
        if intervals and name in intervals:
            ax.axvspan(*intervals[name], color=colour, alpha=0.25)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("users")
    ax.legend(fontsize="small", title="dashed: mean; band: interval")
    if title:
        ax.set_title(title)
    return ax


def power_curve(
    n: Iterable[int],
    power: Iterable[float],
    resampled: pd.DataFrame | None = None,
    target: float = 0.8,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    r"""Power against the number of users: a curve, and resampled checks with 95 % bars.

    ``resampled`` (optional) has columns ``n``, ``power`` and ``n_repeats``; each point
    gets the normal-approximation bar :math:`\pm 1.96\sqrt{p(1-p)/R}`.

    >>> checks = pd.DataFrame({"n": [100], "power": [0.5], "n_repeats": [400]})
    >>> ax = power_curve([50, 100, 200], [0.3, 0.5, 0.8], checks)
    >>> [float(y) for y in ax.get_ylim()], ax.get_xlabel()
    ([0.0, 1.02], 'users in the test set')
    >>> plt.close(ax.figure)
    """
    ax = ax or plt.subplots(figsize=(6.5, 3.8))[1]
    ax.plot(list(n), list(power), label="paired t-test, formula")
    if resampled is not None:
        p = resampled["power"].to_numpy(float)
        half = 1.96 * np.sqrt(p * (1 - p) / resampled["n_repeats"].to_numpy(float))
        ax.errorbar(
            resampled["n"], p, yerr=half, fmt="o", capsize=4, label="resampled users (95 % bars)"
        )
    ax.axhline(target, color="grey", ls="--", lw=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("users in the test set")
    ax.set_ylabel("power (chance to detect)")
    ax.legend(fontsize="small", loc="lower right")
    if title:
        ax.set_title(title)
    return ax
