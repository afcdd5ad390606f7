r"""Item-item cosine on binary interactions: the neighbourhood baseline for implicit data.

Every interaction counts as 1, whatever its strength. Two items are similar when the
same users interacted with both:

.. math::

    s_{ij} = \frac{|U_i \cap U_j|}{\sqrt{|U_i|\,|U_j|}}, \qquad s_{ii} = 0,

(the cosine of the items' binary user vectors; :math:`U_i` = the users of item
:math:`i`). With ``k`` set, each item keeps only its ``k`` most similar items (the rest
of its row is zeroed) — the item-based top-N model of Deshpande & Karypis. A user's
score for item :math:`i` sums the similarities from the items they know:

.. math:: \text{score}_{ui} = \sum_{j \in I_u} s^{(k)}_{ji} .

This is what ``implicit``'s ``CosineRecommender(K=k + 1)`` computes (its ``K`` counts the
item itself as its own nearest neighbour).

Reference: M. Deshpande and G. Karypis, "Item-based top-N recommendation algorithms",
ACM TOIS 22(1), 2004.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recsys_lab._validation import check_positive_int
from recsys_lab.models.base import Interactions, top_n
from recsys_lab.models.interaction_base import ItemToItemRecommender, check_strengths


def cosine_neighbours(X: sp.spmatrix, k: int | None = None) -> np.ndarray:
    """Item × item cosine of the binary columns of ``X``, zero diagonal, top ``k`` per row.

    Ties at the ``k``-th place keep the items that come first.

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1]]))
    >>> cosine_neighbours(X).round(3).tolist()  # 2 shared users / sqrt(3 * 2)
    [[0.0, 0.816, 0.816], [0.816, 0.0, 0.5], [0.816, 0.5, 0.0]]
    >>> cosine_neighbours(X, k=1).round(3).tolist()
    [[0.0, 0.816, 0.0], [0.816, 0.0, 0.0], [0.816, 0.0, 0.0]]
    """
    binary = sp.csr_matrix(X, dtype=float, copy=True)
    binary.data[:] = 1.0
    norms = np.sqrt(np.asarray(binary.sum(axis=0)).ravel())
    S = np.asarray((binary.T @ binary).toarray()) / np.outer(norms, norms)
    np.fill_diagonal(S, 0.0)
    if k is not None and k < len(S) - 1:
        candidates = S.copy()
        np.fill_diagonal(candidates, -np.inf)  # an item is not its own neighbour
        rows, cols, _, _ = top_n(candidates, k)
        keep = np.zeros(S.shape, dtype=bool)
        keep[rows, cols] = True
        S = np.where(keep, S, 0.0)
    return S


class ItemCosine(ItemToItemRecommender):
    """Item-item cosine on binary interactions (see the module docstring).

    Parameters
    ----------
    k : int, optional
        Neighbours kept per item; default: all.
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown users/items score 0 (flagged), or raise a ValueError.

    Attributes
    ----------
    weights_ : ndarray, shape (n_items, n_items)
        The similarities :math:`s^{(k)}`.

    Examples
    --------
    >>> import pandas as pd
    >>> clicks = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": ["a", "b", "a", "c", "a"]})
    >>> ItemCosine().fit(clicks).recommend(users=[3], n=2)["item"].tolist()
    ['b', 'c']
    """

    def __init__(self, k: int | None = None, handle_unknown: str = "fallback") -> None:
        self.k = k
        self.handle_unknown = handle_unknown

    def _fit(self, data: Interactions) -> None:
        k = None if self.k is None else check_positive_int(self.k, "k")
        check_strengths(data.values)
        self.weights_ = cosine_neighbours(self.seen_, k)

    def _history(self, u: np.ndarray) -> sp.csr_matrix:
        rows = self.seen_[u].copy()
        rows.data[:] = 1.0  # binary interactions
        return rows
