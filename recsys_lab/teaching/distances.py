r"""Distances between two users (or items) over the values both of them have.

The salesperson article measures how far Brandon is from Alyssa by looking only
at the clients *both* have bookings with, and adding up the differences. This
module generalises that idea. For two rows :math:`a` and :math:`b` of a user ×
item matrix with unknown entries, let :math:`S` be the set of co-rated columns
(both known), :math:`n = |S|` the *overlap* and :math:`\delta_j = |a_j - b_j|`:

=============  ==================================================================
metric         distance over :math:`S`
=============  ==================================================================
``sum_abs``    :math:`\sum_{j\in S} \delta_j` (the article's "distance"; the
               Manhattan or L1 norm, Minkowski with :math:`p = 1`; alias
               ``manhattan``)
``euclidean``  :math:`\sqrt{\sum_{j\in S} \delta_j^2}` (L2, :math:`p = 2`)
``minkowski``  :math:`\left(\sum_{j\in S} \delta_j^p\right)^{1/p}`, :math:`p > 0`
``chebyshev``  :math:`\max_{j\in S} \delta_j` (the supremum or L∞ norm, the
               limit :math:`p \to \infty`; alias ``supremum``)
``mean_abs``   :math:`\frac1n \sum_{j\in S} \delta_j`: ``sum_abs`` normalised by
               overlap
=============  ==================================================================

**Normalised by overlap** (``normalize=True``): a sum over :math:`S` grows with
the number of shared values, so two rows that share little look close. The
normalised distance averages inside the root instead,

.. math:: d_p^{\text{norm}} = \left(\frac1n \sum_{j\in S} \delta_j^p\right)^{1/p}
          = n^{-1/p}\, d_p ,

the *power mean* of the gaps: the mean absolute gap for :math:`p = 1`
(``mean_abs``), the root mean squared gap :math:`\sqrt{\text{MSD}}` for
:math:`p = 2`, where :math:`\text{MSD} = \frac1n \sum_{j\in S} \delta_j^2` is
the mean squared difference behind Surprise's ``msd`` similarity
(:mod:`recsys_lab.models.similarities`). The maximum does not grow with :math:`n`,
so ``chebyshev`` is the same either way.

With fewer than ``min_overlap`` co-rated values the distance is ``NaN``
("unknown"). Note the overlap pitfall: with ``min_overlap=0`` two rows that
share nothing have raw distance 0 — an empty sum — and look like perfect
neighbours although they know nothing about each other; normalised, an empty
overlap gives ``NaN``.

*Changed in 0.2*: ``"manhattan"`` used to be the mean absolute gap; it is now the
Manhattan (L1) norm, the sum, as everywhere else, and the mean is ``"mean_abs"``.
Until 0.3, ``metric="manhattan"`` warns (``DeprecationWarning``).

Reference: M. M. Deza and E. Deza, *Encyclopedia of Distances*, Springer, 2009
(Minkowski norms and power means).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Hashable

import numpy as np
import pandas as pd
import scipy.sparse as sp

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
    "mean_abs",
    "euclidean",
    "chebyshev",
    "supremum",
    "minkowski",
)
"""Accepted ``metric`` names (``manhattan`` and ``supremum`` are aliases)."""

ALIASES: dict[str, str] = {"manhattan": "sum_abs", "supremum": "chebyshev"}
"""Other names of the same distance."""

_EXPONENT = {"sum_abs": 1.0, "mean_abs": 1.0, "euclidean": 2.0}
_NEEDS_P = "metric='minkowski' needs an exponent p > 0, e.g. p=3."
_MAX_LEVELS = 12  # pairwise_distances counts gaps level by level up to this many values
_MANHATTAN_CHANGED = (
    "metric='manhattan' is now the Manhattan (L1) distance, the SUM of absolute differences "
    "over co-rated values, like 'sum_abs'. Until recsys-lab 0.2 it was their MEAN, which is "
    "now metric='mean_abs' (or normalize=True). Write 'sum_abs' or 'mean_abs' to silence this "
    "warning; it goes away in 0.3."
)


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside recsys_lab."""
    frame = sys._getframe(1)  # the function that warns
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("recsys_lab"):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def check_metric(metric: str, p: float | None) -> tuple[str, float | None]:
    """Validate a metric name and its exponent; resolve the aliases.

    Parameters
    ----------
    metric : str
        One of :data:`METRICS`. ``"supremum"`` becomes ``"chebyshev"`` and
        ``"manhattan"`` becomes ``"sum_abs"`` (with a ``DeprecationWarning`` until
        0.3, because ``"manhattan"`` meant the mean before 0.2).
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
    if metric == "manhattan":
        warnings.warn(_MANHATTAN_CHANGED, DeprecationWarning, stacklevel=_caller_stacklevel())
    metric = ALIASES.get(metric, metric)
    if metric == "minkowski":
        if p is None:
            raise ValueError(_NEEDS_P)
        if not np.isfinite(p) or p <= 0:
            raise ValueError(f"p must be a finite number > 0, got {p}.")
    elif p is not None:
        raise ValueError(f"p is only used by metric='minkowski', not by {metric!r}.")
    return metric, p


def _exponent(metric: str, p: float | None) -> float:
    """The Minkowski exponent of a canonical metric name (``inf`` for chebyshev)."""
    if metric == "chebyshev":
        return np.inf
    if metric == "minkowski":
        if p is None:
            raise ValueError(_NEEDS_P)
        return float(p)
    return _EXPONENT[metric]


def _finish(
    power_sum: np.ndarray,
    largest: np.ndarray,
    overlap: np.ndarray,
    metric: str,
    p: float | None,
    min_overlap: int,
    normalize: bool,
) -> np.ndarray:
    r"""The distance from :math:`\sum_S \delta^p`, :math:`\max_S \delta` and :math:`n`."""
    q = _exponent(metric, p)
    normalize = normalize or metric == "mean_abs"
    with np.errstate(invalid="ignore", divide="ignore"):
        if np.isinf(q):
            dist = largest.astype(float)
        else:
            dist = (power_sum / overlap if normalize else power_sum) ** (1.0 / q)
        if normalize:
            dist = np.where(overlap == 0, np.nan, dist)  # the mean of nothing is unknown
    return np.where(overlap < min_overlap, np.nan, dist).astype(float)


def aggregate(
    abs_diff: np.ndarray,
    metric: str,
    p: float | None,
    min_overlap: int,
    normalize: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise distance of a matrix of absolute differences (NaN = not co-rated).

    The numpy core of every function here: ``abs_diff[j]`` holds :math:`|a - b_j|`
    for one pair of rows; ``metric`` is a canonical name (see :func:`check_metric`).
    Returns ``(distance, overlap)``, one entry per row.

    >>> aggregate(np.array([[0.0, 2.0, np.nan]]), "euclidean", None, 1)
    (array([2.]), array([2]))
    >>> aggregate(np.array([[0.0, 2.0, np.nan]]), "euclidean", None, 1, normalize=True)[0]
    array([1.41421356])
    """
    known = ~np.isnan(abs_diff)
    overlap = known.sum(axis=1)
    d = np.where(known, abs_diff, 0.0)
    q = _exponent(metric, p)
    power_sum = np.zeros(len(d)) if np.isinf(q) else (d if q == 1 else d**q).sum(axis=1)
    largest = d.max(axis=1, initial=0.0)
    dist = _finish(power_sum, largest, overlap, metric, p, min_overlap, normalize)
    return dist, overlap


def corated_distance(
    a: pd.Series | np.ndarray | list[float],
    b: pd.Series | np.ndarray | list[float],
    metric: str = "sum_abs",
    p: float | None = None,
    min_overlap: int = 1,
    normalize: bool = False,
) -> float:
    r"""Distance between two rows over the positions where both are known.

    Parameters
    ----------
    a, b : Series or array-like of float
        Two users' values (NaN = unknown). Two Series are aligned on their
        index; anything else is compared position by position.
    metric : str, default "sum_abs"
        One of :data:`METRICS`: ``"sum_abs"`` (alias ``"manhattan"``),
        ``"mean_abs"``, ``"euclidean"``, ``"chebyshev"`` (alias ``"supremum"``),
        ``"minkowski"``; see the module docstring for the formulas.
    p : float, optional
        The Minkowski exponent (only with ``metric="minkowski"``), ``p > 0``.
    min_overlap : int, default 1
        Fewer co-rated values than this gives NaN. ``0`` exposes the overlap
        pitfall: rows with nothing in common are at (raw) distance 0.
    normalize : bool, default False
        Normalise by overlap: :math:`(\frac1n \sum_S \delta^p)^{1/p}` instead of
        :math:`(\sum_S \delta^p)^{1/p}` (no change for ``chebyshev``).

    Returns
    -------
    float
        The distance, or NaN when the overlap is too small.

    Examples
    --------
    The article's Alyssa and Brandon (in $1000s; they share Google and ExxonMobil):

    >>> corated_distance([500, 400, 400, None], [500, None, 200, 300])
    200.0
    >>> corated_distance([500, 400, 400, None], [500, None, 200, 300], metric="mean_abs")
    100.0
    >>> a, b = [500, 400, 400, None], [500, None, 200, 300]
    >>> corated_distance(a, b, "euclidean", normalize=True)  # the root of (0² + 200²) / 2
    141.4213562373095
    """
    metric, p = check_metric(metric, p)
    min_overlap = check_positive_int(min_overlap, "min_overlap", minimum=0)
    x, y = as_pair(a, b)
    if np.isinf(x).any() or np.isinf(y).any():
        raise ValueError("a and b contain infinite values; use NaN for unknown entries.")
    dist, _ = aggregate(np.abs(x - y)[None, :], metric, p, min_overlap, bool(normalize))
    return float(dist[0])


def distances_to(
    R: pd.DataFrame,
    user: Hashable,
    metric: str = "sum_abs",
    p: float | None = None,
    min_overlap: int = 1,
    normalize: bool = False,
) -> pd.DataFrame:
    """Distance from one row of ``R`` to every other row, in one vectorized pass.

    Parameters
    ----------
    R : DataFrame
        Users (rows) × items (columns), NaN where unknown.
    user : label
        The row to measure from.
    metric, p, min_overlap, normalize
        As in :func:`corated_distance`.

    Returns
    -------
    DataFrame
        Indexed like ``R`` without ``user``, with columns ``distance`` (NaN when
        the overlap is below ``min_overlap``) and ``overlap`` (co-rated count).

    Examples
    --------
    >>> from recsys_lab.data import load_sales
    >>> distances_to(load_sales(), "Alyssa").loc[["Brandon", "Mike"], "distance"].tolist()
    [200000.0, 0.0]
    """
    metric, p = check_metric(metric, p)
    min_overlap = check_positive_int(min_overlap, "min_overlap", minimum=0)
    M = check_matrix(R)
    row = check_label(user, M.index, "user")
    values = M.to_numpy()
    others = np.arange(len(M)) != row
    dist, overlap = aggregate(
        np.abs(values[others] - values[row]), metric, p, min_overlap, bool(normalize)
    )
    return pd.DataFrame({"distance": dist, "overlap": overlap}, index=M.index[others])


def _pairwise_blocked(
    X: np.ndarray, metric: str, p: float | None, min_overlap: int, normalize: bool, block: int
) -> np.ndarray:
    """All-pairs distances from the absolute differences, ``block`` rows at a time."""
    n = len(X)
    out = np.empty((n, n))
    for start in range(0, n, block):
        diff = np.abs(X[start : start + block, None, :] - X[None, :, :])
        rows = diff.shape[0]
        dist, _ = aggregate(diff.reshape(rows * n, -1), metric, p, min_overlap, normalize)
        out[start : start + rows] = dist.reshape(rows, n)
    return out


def _pairwise_by_levels(
    X: np.ndarray,
    levels: np.ndarray,
    metric: str,
    p: float | None,
    min_overlap: int,
    normalize: bool,
) -> np.ndarray:
    r"""All-pairs distances when the known values take few distinct levels (e.g. 1–5 stars).

    With one sparse indicator matrix :math:`I_r` per level :math:`r`, the product
    :math:`C_{rs} = I_r I_s^\top` counts, for every pair of rows, the co-rated
    columns where one has :math:`r` and the other :math:`s`. Every distance here is
    a function of these counts: :math:`\sum_S \delta^p = \sum_{r,s} C_{rs}|r-s|^p`,
    :math:`\max_S \delta = \max\{|r - s| : C_{rs} > 0\}`, :math:`n = \sum_{r,s} C_{rs}`.
    No :math:`n \times n \times m` array of differences is ever built.
    """
    n = len(X)
    q = _exponent(metric, p)
    indicators = [sp.csr_matrix(np.equal(X, level), dtype=float) for level in levels]
    # Sum over the pairs of levels r <= s only; adding the transpose at the end counts
    # (s, r) too. A same-level product is symmetric: half of it goes in, twice.
    overlap = np.zeros((n, n))
    power_sum = np.zeros((n, n))
    largest = np.zeros((n, n))
    for i, r in enumerate(levels):
        for j in range(i, len(levels)):
            counts = (indicators[i] @ indicators[j].T).toarray()
            if j == i:
                counts *= 0.5
            gap = float(levels[j]) - float(r)
            overlap += counts
            if np.isinf(q):
                largest[counts > 0] = np.maximum(largest[counts > 0], gap)
            elif gap > 0:
                power_sum += counts * gap**q
    overlap += overlap.T
    power_sum += power_sum.T
    largest = np.maximum(largest, largest.T)
    return _finish(power_sum, largest, overlap, metric, p, min_overlap, normalize)


def pairwise_distances(
    R: pd.DataFrame,
    metric: str = "sum_abs",
    p: float | None = None,
    min_overlap: int = 1,
    user_based: bool = True,
    block: int = 64,
    normalize: bool = False,
) -> pd.DataFrame:
    """Distances between all pairs of rows (``user_based=True``) or columns of ``R``.

    When the known values take at most 12 distinct levels (star ratings), every
    distance comes from counts of co-rated pairs per pair of levels — a few sparse
    matrix products (see ``_pairwise_by_levels``), about a second for
    MovieLens-100k's 943 users. Otherwise it is vectorized in blocks of ``block``
    rows (memory ``block × n × m`` floats). Both give the same numbers (tested).
    The diagonal is 0.

    Parameters
    ----------
    R : DataFrame
        Users × items, NaN where unknown.
    metric, p, min_overlap, normalize
        As in :func:`corated_distance`.
    user_based : bool, default True
        Rows (users) if True, columns (items) if False.
    block : int, default 64
        Rows per block of the general path.

    Returns
    -------
    DataFrame
        Square, indexed and labelled by the rows (or columns) of ``R``.

    Examples
    --------
    >>> from recsys_lab.data import load_sales
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
    levels = np.unique(X[~np.isnan(X)])
    if len(levels) <= _MAX_LEVELS:
        out = _pairwise_by_levels(X, levels, metric, p, min_overlap, bool(normalize))
    else:
        out = _pairwise_blocked(X, metric, p, min_overlap, bool(normalize), block)
    np.fill_diagonal(out, 0.0)
    return pd.DataFrame(out, index=M.index, columns=M.index)
