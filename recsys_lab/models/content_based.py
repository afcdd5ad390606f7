r"""Content-based recommendation: items like the ones the user already touched.

Each item :math:`i` has an attribute vector :math:`f_i` (genres, category, brand, price
band …), scaled to unit length. A user's profile is the mean of the vectors of the items
in their history :math:`H_u`, and an item's score is its cosine-like match with it:

.. math::

    \text{profile}_u = \frac{1}{|H_u|} \sum_{i \in H_u} w_{ui}\, \frac{f_i}{\|f_i\|},
    \qquad \text{score}(u, j) = \frac{f_j}{\|f_j\|}^\top \text{profile}_u

with weights :math:`w_{ui} = 1`, or the centred rating :math:`r_{ui} - \bar r` when
``centered=True`` (liked items pull, disliked ones push). It needs no other user, so it
works for a newcomer after one interaction and for a brand-new item at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab.models.base import Interactions, Recommender


def unit_rows(item_features: pd.DataFrame) -> pd.DataFrame:
    """Item attribute rows scaled to unit length; all-zero rows are an error.

    >>> unit_rows(pd.DataFrame({"x": [3.0], "y": [4.0]}, index=["a"])).values.tolist()
    [[0.6, 0.8]]
    """
    if not isinstance(item_features, pd.DataFrame):
        raise TypeError("item_features must be a DataFrame indexed by item, one column a feature.")
    if not all(pd.api.types.is_numeric_dtype(t) for t in item_features.dtypes):
        raise TypeError(
            "item_features must be numeric (see recsys_lab.evaluation.metrics.item_features)."
        )
    norms = np.linalg.norm(item_features.to_numpy(float), axis=1)
    empty = item_features.index[~(norms > 0)]
    if len(empty):
        raise ValueError(f"item(s) {list(empty[:5])} have no attributes (all-zero features).")
    return item_features.div(norms, axis=0)


class ContentBasedRecommender(Recommender):
    """Rank items by the match of their attributes with the user's profile.

    Parameters
    ----------
    item_features : DataFrame
        Indexed by item, numeric columns (e.g. one-hot genres). Every item in the
        training data needs a row; items with a row but no interactions can be
        recommended too (new items).
    centered : bool, default False
        Weight each history item by the user's rating minus the global mean.
    handle_unknown : {"fallback", "error"}, default "fallback"

    Examples
    --------
    >>> f = pd.DataFrame({"x": [1.0, 1.0, 0.0], "y": [0.0, 0.1, 1.0]}, index=["a", "b", "c"])
    >>> ratings = pd.DataFrame({"user": [1, 2], "item": ["a", "c"]})
    >>> ContentBasedRecommender(f).fit(ratings).recommend(users=[1], n=1)["item"].tolist()
    ['b']
    """

    _rating = "optional"

    def __init__(
        self, item_features: pd.DataFrame, centered: bool = False, handle_unknown: str = "fallback"
    ) -> None:
        self.item_features = item_features
        self.centered = centered
        self.handle_unknown = handle_unknown

    def _fit(self, data: Interactions) -> None:
        unit = unit_rows(self.item_features)
        missing = data.items.difference(unit.index)
        if len(missing):
            raise ValueError(
                f"item(s) {list(missing[:5])} have interactions but no row in item_features; "
                f"add their attributes (or drop their interactions)."
            )
        # the catalogue: trained items first (their codes), then attribute-only new items
        new = unit.index.difference(data.items, sort=False)
        self.items_ = data.items.append(new)
        self.item_popularity_ = np.concatenate([self.item_popularity_, np.zeros(len(new))])
        self.seen_.resize((len(data.users), len(self.items_)))
        self.features_ = unit.loc[self.items_].to_numpy(float)
        w = data.values - self.global_mean_ if self.centered else np.ones(len(data.values))
        n_users = len(data.users)
        profile = np.zeros((n_users, self.features_.shape[1]))
        np.add.at(profile, data.user_codes, w[:, None] * self.features_[data.item_codes])
        self.profiles_ = profile / np.bincount(data.user_codes, minlength=n_users)[:, None]

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return np.einsum("nf,nf->n", self.profiles_[u], self.features_[i])

    def _fallback_estimate(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return np.zeros(len(u))

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return self.profiles_[u] @ self.features_.T
