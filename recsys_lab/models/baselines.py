"""Non-personalized baselines every recommender must beat: popularity and random.

Both meet the common :class:`~recsys_lab.models.base.Recommender` contract; they need
no rating column (a present one is ignored: popularity counts users, not stars).
"""

from __future__ import annotations

import numpy as np

from recsys_lab.models.base import Interactions, Recommender


class PopularityRecommender(Recommender):
    r"""Recommend the items most users interacted with (ties: first seen first).

    The score of an item is :math:`|\{u : (u, i) \text{ observed}\}|`, its number of
    users; ``predict`` returns it for any pair (0 for an unknown item, flagged).

    Parameters
    ----------
    handle_unknown : {"fallback", "error"}, default "fallback"

    Examples
    --------
    >>> import pandas as pd
    >>> ratings = pd.DataFrame({"user": [1, 2, 2], "item": ["a", "a", "b"]})
    >>> PopularityRecommender().fit(ratings).recommend(users=[1], n=1)["item"].tolist()
    ['b']
    """

    _rating = "optional"

    def __init__(self, handle_unknown: str = "fallback") -> None:
        self.handle_unknown = handle_unknown

    def _fit(self, data: Interactions) -> None:
        self.scores_ = self.item_popularity_.astype(float)

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return self.scores_[i]

    def _fallback_estimate(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return np.where(i >= 0, self.scores_[np.maximum(i, 0)], 0.0)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.scores_, (len(u), len(self.scores_))).copy()


class RandomRecommender(Recommender):
    """Recommend unseen items in a random order, drawn anew for each user.

    Scores are uniform on [0, 1). Seeded: the same ``random_state`` and users give the
    same lists on every call.

    Parameters
    ----------
    random_state : int or numpy Generator, default 0
    handle_unknown : {"fallback", "error"}, default "fallback"

    Examples
    --------
    >>> import pandas as pd
    >>> ratings = pd.DataFrame({"user": [1, 2], "item": ["a", "b"]})
    >>> len(RandomRecommender(random_state=0).fit(ratings).recommend(n=1))
    2
    """

    _rating = "optional"

    def __init__(
        self, random_state: int | np.random.Generator = 0, handle_unknown: str = "fallback"
    ) -> None:
        self.random_state = random_state
        self.handle_unknown = handle_unknown

    def _fit(self, data: Interactions) -> None:
        pass

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return np.random.default_rng(self.random_state).random(len(u))

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return np.random.default_rng(self.random_state).random((len(u), len(self.items_)))
