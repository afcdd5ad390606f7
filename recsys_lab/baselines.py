"""Non-personalized baselines every recommender must beat: popularity and random.

Both follow :class:`recsys_lab.neighbors.KNNRecommender`'s interface:
``fit(ratings)`` returns the model, ``recommend(users, n)`` returns
``user, item, score, rank`` without the items a user has already seen.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int, check_ratings


class _Baseline:
    def fit(self, ratings: pd.DataFrame) -> _Baseline:
        """Learn the catalog, what each user has seen and each item's score."""
        df = check_ratings(ratings, columns=("user", "item"))
        self.items_ = pd.Index(pd.unique(df["item"].to_numpy()))
        self.seen_ = df.groupby("user")["item"].agg(set).to_dict()
        self.scores_ = self._scores(df)
        return self

    def _scores(self, df: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def _user_scores(self, rng: np.random.Generator) -> np.ndarray:
        """The scores one user's list is ranked by (the same for all, unless overridden)."""
        return self.scores_

    def recommend(self, users: Iterable[Hashable] | None = None, n: int = 10) -> pd.DataFrame:
        """Top-``n`` unseen items per user; users unknown at fit get the plain top-``n``."""
        if not hasattr(self, "scores_"):
            raise RuntimeError(f"This {type(self).__name__} is not fitted yet: call fit first.")
        n = check_positive_int(n, "n")
        wanted = list(self.seen_) if users is None else list(users)
        rng = np.random.default_rng(getattr(self, "random_state", 0))
        frames = []
        for user in wanted:
            scores = self._user_scores(rng)
            order = np.argsort(-scores, kind="stable")
            ranked = self.items_[order]
            seen = self.seen_.get(user, set())
            keep = [j for j, item in enumerate(ranked) if item not in seen][:n]
            frames.append(
                pd.DataFrame(
                    {
                        "user": user,
                        "item": ranked[keep],
                        "score": scores[order][keep],
                        "rank": np.arange(1, len(keep) + 1),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


class PopularityRecommender(_Baseline):
    """Recommend the items most users interacted with (ties: first seen first).

    >>> ratings = pd.DataFrame({"user": [1, 2, 2], "item": ["a", "a", "b"]})
    >>> PopularityRecommender().fit(ratings).recommend(users=[1], n=1)["item"].tolist()
    ['b']
    """

    def _scores(self, df: pd.DataFrame) -> np.ndarray:
        counts = df.groupby("item")["user"].nunique()
        return counts.reindex(self.items_).to_numpy(float)


class RandomRecommender(_Baseline):
    """Recommend unseen items in a random order, drawn anew for each user.

    Seeded: the same ``random_state`` and users give the same lists.

    >>> ratings = pd.DataFrame({"user": [1, 2], "item": ["a", "b"]})
    >>> len(RandomRecommender(random_state=0).fit(ratings).recommend(n=1))
    2
    """

    def __init__(self, random_state: int = 0) -> None:
        self.random_state = random_state

    def _scores(self, df: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(self.items_))

    def _user_scores(self, rng: np.random.Generator) -> np.ndarray:
        return rng.random(len(self.items_))
