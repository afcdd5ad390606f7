r"""Popularity within the user's segment: the simplest personalised cold-start list.

For a user :math:`u` in segment :math:`s(u)` the score of item :math:`i` is the number
of users of that segment who interacted with it,

.. math:: \text{score}(u, i) = |\{v : s(v) = s(u),\ (v, i) \text{ observed}\}|,

so a newcomer whose segment is known (from a sign-up form, a region, a demographic)
gets a list on their very first visit, before any interaction.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from recsys_lab.models.base import Interactions, Recommender


class SegmentPopularityRecommender(Recommender):
    """Recommend what is popular among users of the same segment.

    Parameters
    ----------
    user_segments : DataFrame
        One row per user: columns ``user`` and ``column``. Users who are not in it, or
        whose segment had no interactions in training, get overall popularity (flagged).
        Users unseen in ``fit`` but listed here get their segment's list, unflagged:
        that is the point of the strategy.
    column : str, default "segment"
        The column of ``user_segments`` that names the segment (e.g. ``"region"``).
    handle_unknown : {"fallback", "error"}, default "fallback"

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 2, 3], "item": ["a", "b", "b"]})
    >>> segments = pd.DataFrame({"user": [1, 2, 3, 4], "segment": ["x", "y", "y", "x"]})
    >>> model = SegmentPopularityRecommender(segments).fit(ratings)
    >>> model.recommend(users=[4], n=1)[["item", "fallback"]].values.tolist()
    [['a', False]]
    """

    _rating = "optional"

    def __init__(
        self, user_segments: pd.DataFrame, column: str = "segment", handle_unknown: str = "fallback"
    ) -> None:
        self.user_segments = user_segments
        self.column = column
        self.handle_unknown = handle_unknown

    def _segment_of(self, users: pd.Index | list[Hashable]) -> np.ndarray:
        """Each user's segment code (-1: no segment, or one without interactions)."""
        found = self.segments_.get_indexer(
            pd.Index(self._lookup_segment.reindex(pd.Index(users)).to_numpy())
        )
        return np.asarray(found)

    def _fit(self, data: Interactions) -> None:
        seg = self.user_segments
        if not isinstance(seg, pd.DataFrame) or not {"user", self.column} <= set(seg.columns):
            raise ValueError(
                f"user_segments must be a DataFrame with columns 'user' and {self.column!r}."
            )
        if seg["user"].duplicated().any():
            dup = seg.loc[seg["user"].duplicated(), "user"].tolist()[0]
            raise ValueError(f"user_segments lists user {dup!r} twice; keep one row per user.")
        self._lookup_segment = seg.set_index("user")[self.column]
        user_seg = self._lookup_segment.reindex(data.users).to_numpy()
        codes, segments = pd.factorize(user_seg[data.user_codes])  # NaN → -1
        self.segments_ = pd.Index(segments)
        counts = np.zeros((len(self.segments_) + 1, len(data.items)))
        np.add.at(counts, (codes, data.item_codes), 1.0)  # row -1 collects unsegmented users
        self.segment_scores_ = counts[:-1]
        self._user_row = self._segment_of(data.users)

    def _rows(self, segment_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores = np.where(
            segment_codes[:, None] >= 0,
            self.segment_scores_[np.maximum(segment_codes, 0)],
            self.item_popularity_[None, :],
        )
        return scores, np.broadcast_to((segment_codes < 0)[:, None], scores.shape)

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        seg = self._user_row[u]
        return np.where(seg >= 0, self.segment_scores_[np.maximum(seg, 0), i], np.nan)

    def _fallback_estimate(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return np.where(i >= 0, self.item_popularity_[np.maximum(i, 0)], 0.0)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        scores, flags = self._rows(self._user_row[u])
        return np.where(flags, np.nan, scores)

    def _cold_scores(self, users: list[Hashable]) -> tuple[np.ndarray, np.ndarray]:
        return self._rows(self._segment_of(users))
