r"""Nearest-neighbour prediction on a user × item matrix: the article's recipe.

"To predict the value for a pair (object1, object2), we find several objects
similar to object1, look at the available values for object2 among all of the
candidate objects, and compute a weighted similarity score."

For user :math:`u` and item :math:`i`: take the users who have a value for
:math:`i`, sort them by their distance to :math:`u` (see
:mod:`recsys_lab.distances`), keep the :math:`k` nearest :math:`N_k(u, i)`, and
vote (see :mod:`recsys_lab.voting`):

.. math:: \hat r_{ui} = \frac{\sum_{v \in N_k(u,i)} w_v\, r_{vi}}{\sum_{v \in N_k(u,i)} w_v}

Ties in distance are broken by the order of the rows in ``R`` (a stable sort),
so results never depend on chance.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from recsys_lab import voting
from recsys_lab._validation import check_label, check_matrix, check_positive_int
from recsys_lab.distances import distances_to
from recsys_lab.models.knn import KNNRecommender

__all__ = ["KNNRecommender", "complete", "explain", "nearest", "predict"]


def nearest(
    R: pd.DataFrame,
    user: Hashable,
    k: int,
    metric: str = "sum_abs",
    item: Hashable | None = None,
    p: float | None = None,
    min_overlap: int = 1,
) -> pd.DataFrame:
    """The ``k`` users nearest to ``user``, optionally among those who know ``item``.

    Users whose overlap with ``user`` is below ``min_overlap`` have no distance
    and are never neighbours.

    Parameters
    ----------
    R : DataFrame
        Users × items, NaN where unknown.
    user : label
        Row of ``R`` to find neighbours for.
    k : int
        How many neighbours (fewer are returned if fewer qualify).
    metric, p, min_overlap
        See :func:`recsys_lab.distances.corated_distance`.
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
    >>> from recsys_lab.datasets import load_sales
    >>> nearest(load_sales(), "Alyssa", k=2, item="Staples")["neighbour"].tolist()
    ['Mike', 'Brandon']
    """
    k = check_positive_int(k, "k")
    M = check_matrix(R)
    d = distances_to(M, user, metric=metric, p=p, min_overlap=min_overlap)
    if item is not None:
        col = check_label(item, M.columns, "item")
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
    **weighting_params: float,
) -> pd.DataFrame:
    """The neighbours behind one prediction, with their weights and shares.

    Returns :func:`nearest` (with ``item``) plus ``weight`` and ``share``
    (weight / total weight). The prediction is ``(share * value).sum()``.

    Examples
    --------
    >>> from recsys_lab.datasets import load_sales
    >>> explain(load_sales(), "Alyssa", "Staples", weighting="rank")["share"].round(3).tolist()
    [0.667, 0.333]
    """
    nb = nearest(R, user, k, metric=metric, item=item, p=p, min_overlap=min_overlap)
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
    **weighting_params: float,
) -> float:
    """Predict ``R[user, item]`` by a weighted vote of the ``k`` nearest neighbours.

    ``user``'s own value for ``item`` (if any) is never used, so the same call
    serves leave-one-out evaluation.

    Parameters
    ----------
    R, user, item, k, metric, p, min_overlap
        As in :func:`nearest`.
    weighting : str, default "equal"
        A name from :data:`recsys_lab.voting.WEIGHTINGS`: ``"equal"``,
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

    >>> from recsys_lab.datasets import load_sales
    >>> sales = load_sales()
    >>> predict(sales, "Alyssa", "Staples", k=2)
    400000.0
    >>> round(predict(sales, "Alyssa", "Staples", k=2, weighting="rank"), 2)
    433333.33
    """
    nb = explain(R, user, item, k, metric, weighting, p, min_overlap, **weighting_params)
    return voting.weighted_vote(nb["value"], nb["weight"])


def complete(
    R: pd.DataFrame,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
    p: float | None = None,
    min_overlap: int = 1,
    **weighting_params: float,
) -> pd.DataFrame:
    """Fill every unknown cell of ``R`` with :func:`predict`; known cells are kept.

    A cell no neighbour can vote on stays NaN. ``R`` itself is not modified.

    Examples
    --------
    >>> from recsys_lab.datasets import load_sales
    >>> complete(load_sales()).loc["Alyssa", "Staples"]
    np.float64(400000.0)
    """
    M = check_matrix(R)
    voting.weights([], weighting, **weighting_params)  # reject a bad weighting up front
    out = M.copy()
    for row, col in zip(*np.nonzero(M.isna().to_numpy()), strict=True):
        nb = nearest(M, M.index[row], k, metric, M.columns[col], p, min_overlap)
        if not nb.empty:  # nobody to vote: the cell stays NaN, as documented
            w = voting.weights(nb["distance"], weighting, **weighting_params)
            out.iloc[row, col] = voting.weighted_vote(nb["value"], w)
    return out
