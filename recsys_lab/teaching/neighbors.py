r"""Nearest-neighbour prediction on a user × item matrix: the article's recipe.

"To predict the value for a pair (object1, object2), we find several objects
similar to object1, look at the available values for object2 among all of the
candidate objects, and compute a weighted similarity score."

For user :math:`u` and item :math:`i`: take the users who have a value for
:math:`i`, sort them by their distance to :math:`u` (see
:mod:`recsys_lab.teaching.distances`), keep the :math:`k` nearest :math:`N_k(u, i)`, and
vote (see :mod:`recsys_lab.teaching.voting`):

.. math:: \hat r_{ui} = \frac{\sum_{v \in N_k(u,i)} w_v\, r_{vi}}{\sum_{v \in N_k(u,i)} w_v}

Ties in distance are broken by the order of the rows in ``R`` (a stable sort),
so results never depend on chance. A user's own value for :math:`i`, if known,
is hidden (from the distances too), so predicting a known cell is its
leave-one-out prediction.

:func:`predict`, :func:`explain` and :func:`nearest` answer one cell;
:func:`predict_from_distances` answers many cells at once from a precomputed
distance matrix (:func:`recsys_lab.teaching.distances.pairwise_distances`), with the same
neighbours and the same vote.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from recsys_lab._validation import check_label, check_matrix, check_positive_int, known_codes
from recsys_lab.models.knn import KNNRecommender
from recsys_lab.teaching import voting
from recsys_lab.teaching.distances import distances_to

__all__ = [
    "KNNRecommender",
    "complete",
    "explain",
    "nearest",
    "predict",
    "predict_from_distances",
]


def nearest(
    R: pd.DataFrame,
    user: Hashable,
    k: int,
    metric: str = "sum_abs",
    item: Hashable | None = None,
    p: float | None = None,
    min_overlap: int = 1,
    normalize: bool = False,
) -> pd.DataFrame:
    """The ``k`` users nearest to ``user``, optionally among those who know ``item``.

    Users whose overlap with ``user`` is below ``min_overlap`` have no distance
    and are never neighbours. With ``item``, ``user``'s own value for it (if
    known) is left out of the distances: the neighbours are those of a
    leave-one-out prediction.

    Parameters
    ----------
    R : DataFrame
        Users × items, NaN where unknown.
    user : label
        Row of ``R`` to find neighbours for.
    k : int
        How many neighbours (fewer are returned if fewer qualify).
    metric, p, min_overlap, normalize
        See :func:`recsys_lab.teaching.distances.corated_distance`.
    item : label, optional
        Only users with a known value for this column are candidates; their
        value is returned in column ``value``.

    Returns
    -------
    DataFrame
        Columns ``rank`` (1 = nearest), ``neighbour``, ``distance``, ``overlap``
        and, with ``item``, ``value``.

    Examples
    --------
    >>> from recsys_lab.data import load_sales
    >>> nearest(load_sales(), "Alyssa", k=2, item="Staples")["neighbour"].tolist()
    ['Mike', 'Brandon']
    """
    k = check_positive_int(k, "k")
    M = check_matrix(R)
    if item is not None:
        col = check_label(item, M.columns, "item")
        M.iloc[check_label(user, M.index, "user"), col] = np.nan  # M is a copy: hide it
    d = distances_to(M, user, metric=metric, p=p, min_overlap=min_overlap, normalize=normalize)
    if item is not None:
        d["value"] = M.loc[d.index].iloc[:, col]
        d = d[d["value"].notna()]
    d = d[d["distance"].notna()]
    d = d.sort_values("distance", kind="stable").head(k)
    out = d.rename_axis("neighbour").reset_index()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def explain(
    R: pd.DataFrame,
    user: Hashable,
    item: Hashable,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
    p: float | None = None,
    min_overlap: int = 1,
    normalize: bool = False,
    **weighting_params: float,
) -> pd.DataFrame:
    """The neighbours behind one prediction, with their weights and shares.

    Returns :func:`nearest` (with ``item``) plus ``weight`` and ``share``
    (weight / total weight). The prediction is ``(share * value).sum()``.

    Examples
    --------
    >>> from recsys_lab.data import load_sales
    >>> explain(load_sales(), "Alyssa", "Staples", weighting="rank")["share"].round(3).tolist()
    [0.667, 0.333]
    """
    nb = nearest(R, user, k, metric, item, p, min_overlap, normalize)
    if nb.empty:
        raise ValueError(
            f"No user with a value for {item!r} shares at least {min_overlap} item(s) "
            f"with {user!r}, so there is nobody to vote. Lower min_overlap or use a "
            f"cold-start fallback."
        )
    nb["weight"] = voting.weights(nb["distance"], weighting, **weighting_params)
    total = nb["weight"].sum()
    if total == 0:
        raise ValueError("Every neighbour got weight 0; choose another weighting.")
    nb["share"] = nb["weight"] / total
    return nb


def predict(
    R: pd.DataFrame,
    user: Hashable,
    item: Hashable,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
    p: float | None = None,
    min_overlap: int = 1,
    normalize: bool = False,
    **weighting_params: float,
) -> float:
    """Predict ``R[user, item]`` by a weighted vote of the ``k`` nearest neighbours.

    ``user``'s own value for ``item`` (if any) is never used, neither as a vote nor
    in the distances, so the same call serves leave-one-out evaluation.

    Parameters
    ----------
    R, user, item, k, metric, p, min_overlap, normalize
        As in :func:`nearest`.
    weighting : str, default "equal"
        A name from :data:`recsys_lab.teaching.voting.WEIGHTINGS`: ``"equal"``,
        ``"rank"`` (1, 1/2, 1/3, …), ``"inverse_distance"``, ``"gaussian"``,
        ``"softmax"``.
    **weighting_params
        Passed to the weight function (e.g. ``bandwidth=``, ``temperature=``).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When no user with a value for ``item`` shares enough items with ``user``.

    Examples
    --------
    The article's two votes for Alyssa and Staples:

    >>> from recsys_lab.data import load_sales
    >>> sales = load_sales()
    >>> predict(sales, "Alyssa", "Staples", k=2)
    400000.0
    >>> round(predict(sales, "Alyssa", "Staples", k=2, weighting="rank"), 2)
    433333.33
    """
    nb = explain(R, user, item, k, metric, weighting, p, min_overlap, normalize, **weighting_params)
    return voting.weighted_vote(nb["value"], nb["weight"])


def complete(
    R: pd.DataFrame,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
    p: float | None = None,
    min_overlap: int = 1,
    normalize: bool = False,
    **weighting_params: float,
) -> pd.DataFrame:
    """Fill every unknown cell of ``R`` with :func:`predict`; known cells are kept.

    A cell no neighbour can vote on stays NaN. ``R`` itself is not modified.

    Examples
    --------
    >>> from recsys_lab.data import load_sales
    >>> complete(load_sales()).loc["Alyssa", "Staples"]
    np.float64(400000.0)
    """
    M = check_matrix(R)
    voting.weights([], weighting, **weighting_params)  # reject a bad weighting up front
    out = M.copy()
    for row, col in zip(*np.nonzero(M.isna().to_numpy()), strict=True):
        nb = nearest(M, M.index[row], k, metric, M.columns[col], p, min_overlap, normalize)
        if not nb.empty:  # nobody to vote: the cell stays NaN, as documented
            w = voting.weights(nb["distance"], weighting, **weighting_params)
            out.iloc[row, col] = voting.weighted_vote(nb["value"], w)
    return out


def predict_from_distances(
    R: pd.DataFrame,
    D: pd.DataFrame,
    users: Iterable[Hashable],
    items: Iterable[Hashable],
    k: int | Sequence[int] = 2,
    weighting: str = "equal",
    **weighting_params: float,
) -> np.ndarray:
    r"""Predict many unknown cells at once, from a precomputed distance matrix.

    For each pair :math:`(u, i)`: the candidates are the users :math:`v \ne u` with
    a known :math:`r_{vi}` and a known distance :math:`D_{uv}`; the :math:`k`
    nearest (ties: row order of ``R``) vote as in :func:`predict`. With
    ``D = pairwise_distances(R, metric, ...)`` the result equals
    ``predict(R, u, i, k, metric, weighting, ...)`` for every pair (tested), with one
    small sort per item instead of one distance pass per pair — what a hold-out
    evaluation on thousands of ratings needs.

    Parameters
    ----------
    R : DataFrame
        Users × items, NaN where unknown (e.g. a training split).
    D : DataFrame
        Distances between the users of ``R``, same labels in the same order, NaN
        where unknown: :func:`recsys_lab.teaching.distances.pairwise_distances` of ``R``.
    users, items : iterables of labels
        The cells to predict, pairwise; each must be unknown in ``R`` (a known value
        would have entered ``D``: hold the cells out of ``R`` first).
    k : int or sequence of int, default 2
        How many neighbours vote. Several values (e.g. ``[10, 20, 40]`` to tune
        ``k``) share one sort of the candidates.
    weighting : str, default "equal"
        A name from :data:`recsys_lab.teaching.voting.WEIGHTINGS`; ``**weighting_params`` go
        with it.

    Returns
    -------
    ndarray
        One prediction per pair (one column per ``k`` if ``k`` is a sequence); NaN
        where nobody can vote.

    Examples
    --------
    >>> from recsys_lab.data import load_sales
    >>> from recsys_lab.teaching.distances import pairwise_distances
    >>> sales = load_sales()
    >>> D = pairwise_distances(sales)
    >>> predict_from_distances(sales, D, ["Alyssa", "Brandon"], ["Staples", "Capgemini"])
    array([400000., 250000.])
    >>> predict_from_distances(sales, D, ["Alyssa"], ["Staples"], k=[1, 2])
    array([[500000., 400000.]])
    """
    M = check_matrix(R)
    ks = [check_positive_int(v, "k") for v in (k if isinstance(k, Sequence) else [k])]
    if not ks:
        raise ValueError("k is empty: give one number of neighbours or several, e.g. [10, 20].")
    voting.weights([], weighting, **weighting_params)  # reject a bad weighting up front
    if not (isinstance(D, pd.DataFrame) and D.index.equals(M.index) and D.columns.equals(M.index)):
        raise ValueError(
            "D must hold the distances between the users of R, with R's row labels in the "
            "same order on both axes: D = distances.pairwise_distances(R, metric)."
        )
    users, items = list(users), list(items)
    if len(users) != len(items):
        raise ValueError(f"users and items must pair up: {len(users)} users, {len(items)} items.")
    rows = known_codes(users, M.index, "user", "they are not rows of R.")
    cols = known_codes(items, M.columns, "item", "they are not columns of R.")
    X, dist_all = M.to_numpy(), D.to_numpy(dtype=float)
    known = ~np.isnan(X[rows, cols])
    if known.any():
        first = (users[int(np.argmax(known))], items[int(np.argmax(known))])
        raise ValueError(
            f"{int(known.sum())} cell(s) to predict are known in R, e.g. {first}: their value "
            f"is already in D. Hold them out of R (a train/test split) before computing D, "
            f"or use predict() for one leave-one-out cell."
        )
    out = np.full((len(rows), len(ks)), np.nan)
    if len(rows) == 0:
        return out if isinstance(k, Sequence) else out[:, 0]
    by_item = np.argsort(cols, kind="stable")
    starts = np.flatnonzero(np.diff(cols[by_item], prepend=-1))
    for pairs in np.split(by_item, starts[1:]):  # the pairs of one item at a time
        c, r = cols[pairs[0]], rows[pairs]
        candidates = np.flatnonzero(~np.isnan(X[:, c]))  # everyone who knows the item
        dist = dist_all[np.ix_(r, candidates)]
        dist[np.isnan(dist) | (r[:, None] == candidates[None, :])] = np.inf
        order = np.argsort(dist, axis=1, kind="stable")[:, : max(ks)]  # ties: row order of R
        d, v = np.take_along_axis(dist, order, axis=1), X[candidates[order], c]
        for j, size in enumerate(ks):
            out[pairs, j] = _vote_rows(d[:, :size], v[:, :size], weighting, weighting_params)
    return out if isinstance(k, Sequence) else out[:, 0]


def _vote_rows(
    d: np.ndarray, v: np.ndarray, weighting: str, params: dict[str, float]
) -> np.ndarray:
    """The weighted vote of each row's neighbours (``d`` sorted, ``inf`` = no voter)."""
    voters = np.isfinite(d)  # a prefix of each row
    if weighting in voting.BY_POSITION:
        w = voting.weights(np.zeros(d.shape[1]), weighting, **params)[None, :] * voters
        total = w.sum(axis=1)
        with np.errstate(invalid="ignore"):
            return np.where(total > 0, (w * np.where(voters, v, 0.0)).sum(axis=1) / total, np.nan)
    out = np.full(len(d), np.nan)
    for j in np.flatnonzero(voters[:, 0]):
        w = voting.weights(d[j, voters[j]], weighting, **params)
        if w.sum() > 0:
            out[j] = voting.weighted_vote(v[j, voters[j]], w)
    return out
