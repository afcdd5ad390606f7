r"""Re-ranking a candidate list to trade a little accuracy for diversity.

Maximal marginal relevance (Carbonell & Goldstein, 1998) builds each user's list
greedily. With relevance :math:`\text{rel}_i` (the model's scores, min–max scaled to
[0, 1] per user) and the items already chosen :math:`S`, the next item is

.. math::

    \arg\max_{i \notin S} \; \lambda\, \text{rel}_i - (1 - \lambda) \max_{j \in S} \cos(f_i, f_j)

:math:`\lambda = 1` keeps the model's order; smaller :math:`\lambda` penalises items
similar to those already listed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab._lists import as_lists
from recsys_lab._validation import check_positive_int


def mmr(
    candidates: pd.DataFrame, item_features: pd.DataFrame, lam: float = 0.5, n: int = 10
) -> pd.DataFrame:
    """Re-rank each user's candidates by maximal marginal relevance.

    Parameters
    ----------
    candidates : DataFrame
        ``user, item, score`` — e.g. a model's top 50 per user.
    item_features : DataFrame
        Numeric features indexed by item (see :func:`recsys_lab.evaluation.metrics.item_features`).
    lam : float in [0, 1]
        Weight of relevance against novelty with respect to the list so far.
    n : int
        Length of the re-ranked lists.

    Returns
    -------
    DataFrame
        ``user, item, score, rank`` (``score`` is the model's original score).

    Examples
    --------
    >>> cands = pd.DataFrame({"user": 1, "item": ["a", "b", "c"], "score": [3.0, 2.9, 1.0]})
    >>> feats = pd.DataFrame({"x": [1.0, 1.0, 0.0], "y": [0.0, 0.1, 1.0]}, index=list("abc"))
    >>> mmr(cands, feats, lam=1.0, n=2)["item"].tolist()  # the model's order
    ['a', 'b']
    >>> mmr(cands, feats, lam=0.3, n=2)["item"].tolist()  # b is too much like a
    ['a', 'c']
    """
    if not 0 <= lam <= 1:
        raise ValueError(f"lam must be between 0 and 1, got {lam}.")
    n = check_positive_int(n, "n")
    if "score" not in candidates.columns:
        raise ValueError("candidates need a score column (the model's relevance).")
    lists = as_lists(candidates)
    missing = lists.items[np.unique(lists.codes[lists.mask])].difference(item_features.index)
    if len(missing):
        raise ValueError(
            f"item(s) {list(missing[:5])} have no features; add them to item_features."
        )
    score = candidates.set_index(["user", "item"])["score"]
    users = np.repeat(lists.users.to_numpy(), lists.codes.shape[1])
    items = lists.items.to_numpy()[np.maximum(lists.codes, 0)].ravel()
    rel = score.reindex(pd.MultiIndex.from_arrays([users, items])).to_numpy(float)
    rel = np.where(lists.mask.ravel(), rel, np.nan).reshape(lists.codes.shape)
    lo, hi = np.nanmin(rel, axis=1, keepdims=True), np.nanmax(rel, axis=1, keepdims=True)
    rel = np.where(hi > lo, (rel - lo) / np.where(hi > lo, hi - lo, 1.0), 1.0)
    F = item_features.reindex(lists.items).to_numpy(float)
    norms = np.linalg.norm(F, axis=1, keepdims=True)
    X = np.where(norms > 0, F / np.where(norms > 0, norms, 1.0), 0.0)[np.maximum(lists.codes, 0)]
    sims = np.einsum("ucd,uvd->ucv", X, X)
    n_users, width = lists.codes.shape
    rows = np.arange(n_users)
    available = lists.mask.copy()
    max_sim = np.zeros((n_users, width))
    chosen = np.full((n_users, min(n, width)), -1)
    for step in range(chosen.shape[1]):
        gain = lam * rel - (1 - lam) * max_sim if step else rel.copy()
        gain = np.where(available, gain, -np.inf)
        pick = gain.argmax(axis=1)  # ties: the model's order
        ok = available[rows, pick]
        chosen[ok, step] = pick[ok]
        available[rows[ok], pick[ok]] = False
        max_sim[ok] = np.maximum(max_sim[ok], sims[rows[ok], pick[ok]])
    keep = chosen >= 0
    picked_codes = np.take_along_axis(lists.codes, np.maximum(chosen, 0), axis=1)
    out = pd.DataFrame(
        {
            "user": np.repeat(lists.users.to_numpy(), chosen.shape[1])[keep.ravel()],
            "item": lists.items.to_numpy()[picked_codes[keep]],
            "rank": np.tile(np.arange(1, chosen.shape[1] + 1), n_users)[keep.ravel()],
        }
    )
    out.insert(
        2, "score", score.reindex(pd.MultiIndex.from_frame(out[["user", "item"]])).to_numpy()
    )
    return out
