r"""Ranking metrics at a cut-off :math:`k`, averaged over the users in the truth.

For user :math:`u` with relevant set :math:`T_u` and list :math:`L_u` (top :math:`k`),
:math:`\text{rel}_r = 1` when the item at rank :math:`r` is relevant:

===================  =====================================================================
metric               per user
===================  =====================================================================
precision@k          :math:`|L_u \cap T_u| / k`
recall@k             :math:`|L_u \cap T_u| / |T_u|`
F1@k                 harmonic mean of the two (0 when both are 0)
hit rate@k           1 if :math:`|L_u \cap T_u| > 0` else 0
MRR                  :math:`1 / r^*`, :math:`r^*` the rank of the first relevant item (0 if none)
AP@k (→ MAP@k)       :math:`\frac{1}{\min(|T_u|, k)} \sum_{r \le k} \text{P@}r \cdot \text{rel}_r`
NDCG@k               :math:`\text{DCG}/\text{IDCG}` with
                     :math:`\text{DCG} = \sum_{r \le k} g_r / \log_2(r + 1)`; binary gain
                     :math:`g_r = \text{rel}_r`, or graded: the truth's ``rating``
===================  =====================================================================

Users with a truth but no list score 0; users with a list but no truth are not
evaluated (they have nothing to find). A list shorter than :math:`k` still
divides precision by :math:`k`: missing slots are misses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab._lists import Recs, Truth, align
from recsys_lab._validation import check_positive_int

RANKING = ("precision", "recall", "f1", "hit_rate", "mrr", "map", "ndcg")


def per_user(recs: Recs, truth: Truth, k: int = 10, graded: bool = False) -> pd.DataFrame:
    """Every ranking metric for every user in ``truth``: one row per user.

    Examples
    --------
    >>> recs = {"ann": ["a", "b", "c"], "bob": ["c", "d"]}
    >>> truth = {"ann": ["b"], "bob": ["x"]}
    >>> per_user(recs, truth, k=3)[["precision", "recall", "mrr"]].round(3).values.tolist()
    [[0.333, 1.0, 0.5], [0.0, 0.0, 0.0]]
    """
    k = check_positive_int(k, "k")
    lists, gains, table = align(recs, truth, k)
    rel = gains > 0
    n_rel = np.bincount(table["u"], minlength=len(lists.users))
    hits = rel.sum(axis=1)
    precision = hits / k
    recall = hits / n_rel
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(hits > 0, 2 * precision * recall / (precision + recall), 0.0)
    ranks = np.arange(1, rel.shape[1] + 1)
    first = np.where(rel.any(axis=1), rel.argmax(axis=1) + 1, 0)
    mrr = np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0)
    precision_at_r = np.cumsum(rel, axis=1) / ranks
    ap = (precision_at_r * rel).sum(axis=1) / np.minimum(n_rel, k)
    discount = 1.0 / np.log2(ranks + 1)
    g = gains if graded else rel.astype(float)
    dcg = (g * discount).sum(axis=1)
    ideal = _ideal_gains(table, len(lists.users), k, graded)
    idcg = (ideal * (1.0 / np.log2(np.arange(1, k + 1) + 1))).sum(axis=1)
    ndcg = np.where(idcg > 0, dcg / np.where(idcg > 0, idcg, 1.0), 0.0)
    return pd.DataFrame(
        {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "hit_rate": (hits > 0).astype(float),
            "mrr": mrr,
            "map": ap,
            "ndcg": ndcg,
        },
        index=pd.Index(lists.users, name="user"),
    )


def _ideal_gains(table: pd.DataFrame, n_users: int, k: int, graded: bool) -> np.ndarray:
    """Each user's best possible top-k gains, sorted (users × k)."""
    gains = table["gain"].to_numpy(float) if graded else np.ones(len(table))
    order = np.lexsort((-gains, table["u"].to_numpy()))
    u = table["u"].to_numpy()[order]
    pos = pd.Series(u).groupby(u).cumcount().to_numpy()
    ideal = np.zeros((n_users, k))
    keep = pos < k
    ideal[u[keep], pos[keep]] = gains[order][keep]
    return ideal


def precision_at_k(recs: Recs, truth: Truth, k: int = 10) -> float:
    """Mean over users of hits in the top ``k`` / ``k``.

    >>> precision_at_k({"ann": ["a", "b"]}, {"ann": ["b", "z"]}, k=2)
    0.5
    """
    return float(per_user(recs, truth, k)["precision"].mean())


def recall_at_k(recs: Recs, truth: Truth, k: int = 10) -> float:
    """Mean over users of hits in the top ``k`` / number of relevant items.

    >>> recall_at_k({"ann": ["a", "b"]}, {"ann": ["b", "z"]}, k=2)
    0.5
    """
    return float(per_user(recs, truth, k)["recall"].mean())


def f1_at_k(recs: Recs, truth: Truth, k: int = 10) -> float:
    """Mean over users of the harmonic mean of precision@k and recall@k.

    >>> f1_at_k({"ann": ["a", "b"]}, {"ann": ["b"]}, k=2)  # P = 1/2, R = 1
    0.6666666666666666
    """
    return float(per_user(recs, truth, k)["f1"].mean())


def hit_rate_at_k(recs: Recs, truth: Truth, k: int = 10) -> float:
    """Share of users with at least one relevant item in their top ``k``.

    >>> hit_rate_at_k({"ann": ["a"], "bob": ["b"]}, {"ann": ["a"], "bob": ["z"]}, k=1)
    0.5
    """
    return float(per_user(recs, truth, k)["hit_rate"].mean())


def mrr(recs: Recs, truth: Truth, k: int = 10) -> float:
    """Mean reciprocal rank of the first relevant item in the top ``k`` (0 if none).

    >>> mrr({"ann": ["a", "b", "c"]}, {"ann": ["c"]}, k=3)
    0.3333333333333333
    """
    return float(per_user(recs, truth, k)["mrr"].mean())


def map_at_k(recs: Recs, truth: Truth, k: int = 10) -> float:
    """Mean average precision at ``k``; AP divides by ``min(relevant, k)``.

    >>> map_at_k({"ann": ["a", "b", "c"]}, {"ann": ["a", "c"]}, k=3)  # (1 + 2/3) / 2
    0.8333333333333333
    """
    return float(per_user(recs, truth, k)["map"].mean())


def ndcg_at_k(recs: Recs, truth: Truth, k: int = 10, graded: bool = False) -> float:
    """Normalized discounted cumulative gain at ``k``, binary or graded (truth's rating).

    >>> round(ndcg_at_k({"ann": ["a", "b"]}, {"ann": ["b"]}, k=2), 4)  # (1/log2 3) / 1
    0.6309
    """
    return float(per_user(recs, truth, k, graded=graded)["ndcg"].mean())
