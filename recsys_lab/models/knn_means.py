r"""Mean-centred k-nearest neighbours: Surprise's ``KNNWithMeans`` on the common API.

Some people rate everything high, others everything low. Voting with raw ratings mixes
that habit into the prediction; voting with each neighbour's *deviation from their own
mean* removes it, and the target's own mean puts it back. User-based,

.. math::

    \hat r_{ui} = \mu_u + \frac{\sum_{v \in N^k_i(u)} w_{uv}\,(r_{vi} - \mu_v)}
                               {\sum_{v \in N^k_i(u)} w_{uv}}

with :math:`\mu_u` the mean of :math:`u`'s training ratings and :math:`N^k_i(u)`,
:math:`w_{uv}` exactly as in :class:`~recsys_lab.models.knn.KNNRecommender` (the
:math:`k` most similar raters of :math:`i`, similarities computed on the *raw* ratings,
only positive ones vote). Item-based swaps the roles: :math:`\mu_i` plus the similar
items' deviations from their means, in :math:`u`'s ratings.

With fewer than ``min_k`` voters the neighbours add nothing and the estimate is
:math:`\mu_u` (:math:`\mu_i` item-based) — the model's own answer, not a fallback, as in
Surprise. Predictions are clipped to the rating scale (Surprise's ``predict`` does the
same); lists rank on the unclipped estimate, so that top items are not tied at the top
of the scale.

Reference: Surprise 1.1 ``prediction_algorithms/knns.py`` (``KNNWithMeans``);
Herlocker et al., "An algorithmic framework for performing collaborative filtering",
SIGIR 1999 (deviation from mean).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from recsys_lab.models.base import Interactions
from recsys_lab.models.factorization import check_scale
from recsys_lab.models.knn import KNNRecommender


class KNNWithMeans(KNNRecommender):
    """k-nearest neighbours voting with deviations from each neighbour's mean rating.

    Parameters
    ----------
    k, similarity, user_based, min_k, min_support, shrinkage, weighting
        As in :class:`~recsys_lab.models.knn.KNNRecommender`.
    rating_scale : (low, high), optional
        Predictions are clipped to it; default: the training ratings' range.
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown users/items: the global mean, flagged (Surprise), or a ValueError.

    Attributes
    ----------
    means_ : ndarray
        Mean training rating of each user (user-based) or item, in the order of
        ``users_`` (``items_``).
    rating_scale_ : (float, float)

    Examples
    --------
    User 3 rates 1 point below average; user 1, their only neighbour, rated "b" 1 point
    above their own mean, so the prediction is user 3's mean plus 1:

    >>> ratings = pd.DataFrame({"user": [1, 1, 2, 2, 3, 3], "item": list("abab") + ["a", "c"],
    ...                         "rating": [4.0, 5.0, 2.0, 1.0, 3.0, 1.0]})
    >>> model = KNNWithMeans(k=1).fit(ratings)
    >>> float(model.means_[2]), model.predict([3], ["b"]).tolist()
    (2.0, [2.5])
    """

    def __init__(
        self,
        k: int = 40,
        similarity: str = "msd",
        user_based: bool = True,
        min_k: int = 1,
        min_support: int = 1,
        shrinkage: float = 0.0,
        weighting: str = "similarity",
        rating_scale: tuple[float, float] | None = None,
        handle_unknown: str = "fallback",
    ) -> None:
        super().__init__(
            k=k,
            similarity=similarity,
            user_based=user_based,
            min_k=min_k,
            min_support=min_support,
            shrinkage=shrinkage,
            weighting=weighting,
            handle_unknown=handle_unknown,
        )
        self.rating_scale = rating_scale

    def _fit(self, data: Interactions) -> None:
        """Similarities on the raw ratings; the neighbours then vote with deviations."""
        self.rating_scale_ = check_scale(data.values, self.rating_scale)
        super()._fit(data)
        x = data.user_codes if self.user_based else data.item_codes
        self.means_ = np.bincount(x, weights=data.values) / np.bincount(x)
        # every candidate's rating becomes its deviation from the candidate's own mean
        self._cand_r = self._cand_r - self.means_[self._cand_x]

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        x = u if self.user_based else i
        deviation = np.nan_to_num(super()._predict_known(u, i), nan=0.0)
        return np.clip(self.means_[x] + deviation, *self.rating_scale_)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        """Unclipped estimates (users × items), for ranking."""
        means = self.means_[u][:, None] if self.user_based else self.means_[None, :]
        return means + np.nan_to_num(super()._scores(u), nan=0.0)

    def explain(self, user: Hashable, item: Hashable) -> pd.DataFrame:
        """The candidates behind one prediction, with their means and deviations.

        Columns ``neighbour, similarity, rating, mean, deviation, votes, weight,
        share``: the prediction is the target's mean plus ``(share * deviation).sum()``.
        """
        table = super().explain(user, item).rename(columns={"rating": "deviation"})
        u = self.users_.get_indexer(pd.Index([user]))[0]
        i = self.items_.get_indexer(pd.Index([item]))[0]
        if self.user_based:
            codes = self.users_.get_indexer(pd.Index(table["neighbour"]))
            rating = self.seen_[codes, np.full(len(codes), i)]
        else:
            codes = self.items_.get_indexer(pd.Index(table["neighbour"]))
            rating = self.seen_[np.full(len(codes), u), codes]
        table.insert(2, "rating", np.asarray(rating).ravel())
        table.insert(3, "mean", self.means_[codes])
        return table
