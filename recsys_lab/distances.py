r"""Distances between two users (or items) over the values both of them have.

The salesperson article measures how far Brandon is from Alyssa by looking only
at the clients *both* have bookings with, and adding up the differences. This
module generalises that idea. For two rows :math:`a` and :math:`b` of a user ×
item matrix with unknown entries, let :math:`S` be the set of co-rated columns
(both known) and :math:`n = |S|` the *overlap*:

=============  ===============================================================
metric         distance over :math:`S`
=============  ===============================================================
``sum_abs``    :math:`\sum_{j\in S} |a_j - b_j|` (the article's "distance")
``manhattan``  :math:`\frac{1}{n}\sum_{j\in S} |a_j - b_j|` (mean absolute)
``euclidean``  :math:`\sqrt{\sum_{j\in S} (a_j - b_j)^2}`
``chebyshev``  :math:`\max_{j\in S} |a_j - b_j|` (supremum norm; alias ``supremum``)
``minkowski``  :math:`\left(\sum_{j\in S} |a_j - b_j|^p\right)^{1/p}`, :math:`p > 0`
=============  ===============================================================

With fewer than ``min_overlap`` co-rated values the distance is ``NaN``
("unknown"). Note the overlap pitfall: with ``min_overlap=0`` two rows that
share nothing have ``sum_abs`` distance 0 — an empty sum — and look like
perfect neighbours although they know nothing about each other.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from recsys_lab._validation import (
    as_pair,
    check_choice,
    check_label,
    check_matrix,
    check_positive_int,
)

METRICS: tuple[str, ...] = (
    "sum_abs",
    "manhattan",
    "euclidean",
    "chebyshev",
    "supremum",
    "minkowski",
)

_NEEDS_P = "metric='minkowski' needs an exponent p > 0, e.g. p=3."


def check_metric(metric: str, p: float | None) -> tuple[str, float | None]:
    """Validate a metric name and its exponent; resolve the alias ``supremum``.

    Parameters
    ----------
    metric : str
        One of :data:`METRICS`.
    p : float or None
        The Minkowski exponent: required (finite, > 0) for ``"minkowski"``,
        ``None`` for every other metric.

    Returns
    -------
    tuple of (str, float or None)
        The canonical metric name and ``p``.

    Examples
    --------
    >>> check_metric("supremum", None)
    ('chebyshev', None)
    >>> check_metric("minkowski", None)
    Traceback (most recent call last):
    ...
    ValueError: metric='minkowski' needs an exponent p > 0, e.g. p=3.
    """
    metric = check_choice(metric, "metric", METRICS)
    if metric == "supremum":
        metric = "chebyshev"
    if metric == "minkowski":
        if p is None:
            raise ValueError(_NEEDS_P)
        if not np.isfinite(p) or p <= 0:
            raise ValueError(f"p must be a finite number > 0, got {p}.")
    elif p is not None:
        raise ValueError(f"p is only used by metric='minkowski', not by {metric!r}.")
    return metric, p


def aggregate(
    abs_diff: np.ndarray, metric: str, p: float | None, min_overlap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise distance of a matrix of absolute differences (NaN = not co-rated).

    The numpy core of every function here: ``abs_diff[j]`` holds :math:`|a - b_j|`
    for one pair of rows. Returns ``(distance, overlap)``, one entry per row.

    >>> aggregate(np.array([[0.0, 2.0, np.nan]]), "euclidean", None, 1)
    (array([2.]), array([2]))
    """
    known = ~np.isnan(abs_diff)
    overlap = known.sum(axis=1)
    d = np.where(known, abs_diff, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "sum_abs":
            dist = d.sum(axis=1)
        elif metric == "manhattan":
            dist = d.sum(axis=1) / overlap  # NaN when nothing is shared
        elif metric == "euclidean":
            dist = np.sqrt((d**2).sum(axis=1))
        elif metric == "chebyshev":
            dist = d.max(axis=1, initial=0.0)
        else:  # minkowski
            if p is None:
                raise ValueError(_NEEDS_P)
            dist = (d**p).sum(axis=1) ** (1.0 / p)
    dist = np.where(overlap < min_overlap, np.nan, dist).astype(float)
    return dist, overlap


def corated_distance(
    a: pd.Series | np.ndarray | list[float],
    b: pd.Series | np.ndarray | list[float],
    metric: str = "sum_abs",
    p: float | None = None,
    min_overlap: int = 1,
) -> float:
    """Distance between two rows over the positions where both are known.

    Parameters
    ----------
    a, b : Series or array-like of float
        Two users' values (NaN = unknown). Two Series are aligned on their
        index; anything else is compared position by position.
    metric : {"sum_abs", "manhattan", "euclidean", "chebyshev", "supremum", "minkowski"}
        See the module docstring for the formulas.
    p : float, optional
        The Minkowski exponent (only with ``metric="minkowski"``), ``p > 0``.
    min_overlap : int, default 1
        Fewer co-rated values than this gives NaN. ``0`` exposes the overlap
        pitfall: rows with nothing in common are at distance 0.

    Returns
    -------
    float
        The distance, or NaN when the overlap is too small.

    Examples
    --------
    The article's Alyssa and Brandon (in $1000s; they share Google and ExxonMobil):

    >>> corated_distance([500, 400, 400, None], [500, None, 200, 300])
    200.0
    >>> corated_distance([500, 400, 400, None], [500, None, 200, 300], metric="manhattan")
    100.0
    """
    metric, p = check_metric(metric, p)
    min_overlap = check_positive_int(min_overlap, "min_overlap", minimum=0)
    x, y = as_pair(a, b)
    if np.isinf(x).any() or np.isinf(y).any():
        raise ValueError("a and b contain infinite values; use NaN for unknown entries.")
    dist, _ = aggregate(np.abs(x - y)[None, :], metric, p, min_overlap)
    return float(dist[0])


def distances_to(
    R: pd.DataFrame,
    user: Hashable,
    metric: str = "sum_abs",
    p: float | None = None,
    min_overlap: int = 1,
) -> pd.DataFrame:
    """Distance from one row of ``R`` to every other row, in one vectorized pass.

    Parameters
    ----------
    R : DataFrame
        Users (rows) × items (columns), NaN where unknown.
    user : label
        The row to measure from.
    metric, p, min_overlap
        As in :func:`corated_distance`.

    Returns
    -------
    DataFrame
        Indexed like ``R`` without ``user``, with columns ``distance`` (NaN when
        the overlap is below ``min_overlap``) and ``overlap`` (co-rated count).

    Examples
    --------
    >>> from recsys_lab.datasets import load_sales
    >>> distances_to(load_sales(), "Alyssa").loc[["Brandon", "Mike"], "distance"].tolist()
    [200000.0, 0.0]
    """
    metric, p = check_metric(metric, p)
    min_overlap = check_positive_int(min_overlap, "min_overlap", minimum=0)
    M = check_matrix(R)
    row = check_label(user, M.index, "user")
    values = M.to_numpy()
    others = np.arange(len(M)) != row
    dist, overlap = aggregate(np.abs(values[others] - values[row]), metric, p, min_overlap)
    return pd.DataFrame({"distance": dist, "overlap": overlap}, index=M.index[others])


def pairwise_distances(
    R: pd.DataFrame,
    metric: str = "sum_abs",
    p: float | None = None,
    min_overlap: int = 1,
    user_based: bool = True,
    block: int = 64,
) -> pd.DataFrame:
    """Distances between all pairs of rows (``user_based=True``) or columns of ``R``.

    Vectorized in blocks of ``block`` rows (memory ``block × n × m`` floats), so it
    scales to a few thousand users without a Python double loop. The diagonal is 0.

    Examples
    --------
    >>> from recsys_lab.datasets import load_sales
    >>> D = pairwise_distances(load_sales())
    >>> D.loc["Alyssa", ["Brandon", "Mike"]].tolist()
    [200000.0, 0.0]
    """
    metric, p = check_metric(metric, p)
    min_overlap = check_positive_int(min_overlap, "min_overlap", minimum=0)
    block = check_positive_int(block, "block")
    M = check_matrix(R)
    if not user_based:
        M = M.T
    X = M.to_numpy()
    n = len(X)
    out = np.empty((n, n))
    for start in range(0, n, block):
        diff = np.abs(X[start : start + block, None, :] - X[None, :, :])
        rows = diff.shape[0]
        dist, _ = aggregate(diff.reshape(rows * n, -1), metric, p, min_overlap)
        out[start : start + rows] = dist.reshape(rows, n)
    np.fill_diagonal(out, 0.0)
    return pd.DataFrame(out, index=M.index, columns=M.index)
