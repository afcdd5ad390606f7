r"""The one contract every recommender in :mod:`recsys_lab.models` meets.

A recommender is a scikit-learn estimator (so ``get_params``, ``set_params``,
``sklearn.base.clone`` and pickling work) with three verbs:

* ``fit(ratings)`` — learn from a DataFrame with columns ``user, item[, rating]``
  (one row per interaction; where a model needs no rating, a present ``rating`` is the
  interaction's strength and a missing one counts as 1). The frame is validated and
  never modified; ``fit`` returns the model.
* ``predict(users, items)`` — one estimate per (user, item) pair, as an array;
  :meth:`Recommender.predict_details` gives the same as a frame that marks fallbacks.
* ``recommend(users=None, n=10)`` — each user's ``n`` best items they have not
  interacted with, as a frame ``user, item, score, rank, fallback``.

**Unknown ids and impossible predictions.** A user or item absent from the training
data, or a pair the algorithm cannot score (e.g. a KNN pair with too few neighbours),
is handled by ``handle_unknown``:

* ``"fallback"`` (the default) answers with the model's own baseline — for predictions
  the global mean, plus whatever the model knows (the user's or the item's bias for a
  factorization, as Surprise's SVD); for lists, the most popular unseen items — and
  flags those rows ``fallback=True``;
* ``"error"`` raises a ``ValueError`` naming the unknown ids.

The default is ``"fallback"`` because evaluation on real data always meets ids
the training split never saw (a new item, a user whose every rating fell in the
test fold): dropping those pairs would flatter the model, and Surprise — whose
published tables the suite reproduces — scores them with its default prediction
too. The flag keeps the fallback visible, so it is never silent.

**Ties.** Equal scores keep the items' order of first appearance in the training
data, for every recommender (what Surprise does).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from recsys_lab._validation import check_choice, check_positive_int, check_ratings

HANDLE_UNKNOWN = ("error", "fallback")


@dataclass(frozen=True)
class Interactions:
    """Training data coded as integers: the shared encoder of every recommender.

    Attributes
    ----------
    users, items : Index
        The ids, in order of first appearance; codes are positions in them.
    user_codes, item_codes : ndarray of int
        One entry per interaction, in the order of the input frame.
    values : ndarray of float
        The rating, or the interaction's strength (1 where the frame has no rating).

    Examples
    --------
    >>> df = pd.DataFrame({"user": ["b", "a", "b"], "item": [7, 7, 9]})
    >>> data = Interactions.from_frame(df, rating="optional")
    >>> data.users.tolist(), data.item_codes.tolist(), data.values.tolist()
    (['b', 'a'], [0, 0, 1], [1.0, 1.0, 1.0])
    """

    users: pd.Index
    items: pd.Index
    user_codes: np.ndarray
    item_codes: np.ndarray
    values: np.ndarray

    @classmethod
    def from_frame(cls, ratings: object, rating: str = "required") -> Interactions:
        """Validate ``ratings`` and code it; ``rating`` is ``"required"`` or ``"optional"``."""
        has_rating = isinstance(ratings, pd.DataFrame) and "rating" in ratings.columns
        columns = ("user", "item", "rating") if rating == "required" or has_rating else None
        df = check_ratings(ratings, columns or ("user", "item"))
        u, users = pd.factorize(df["user"])
        i, items = pd.factorize(df["item"])
        values = df["rating"].to_numpy(float) if columns else np.ones(len(df))
        return cls(pd.Index(users), pd.Index(items), u, i, values)

    @property
    def shape(self) -> tuple[int, int]:
        """(number of users, number of items)."""
        return len(self.users), len(self.items)

    def matrix(self) -> sp.csr_matrix:
        """The users × items matrix of values (CSR)."""
        return sp.csr_matrix((self.values, (self.user_codes, self.item_codes)), shape=self.shape)


def top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``n`` largest finite scores, best first, ties in column order.

    A partition finds each row's ``n``-th largest score; only the few columns at or
    above it are sorted, so this costs about one pass over ``scores``. Columns scored
    ``-inf`` (e.g. already seen) are never returned.

    Returns
    -------
    rows, columns, values, ranks : ndarray
        Flat arrays, grouped by row, rank 1 first.

    Examples
    --------
    >>> rows, cols, vals, ranks = top_n(np.array([[1.0, 3.0, 3.0, -np.inf]]), 3)
    >>> cols.tolist(), ranks.tolist()
    ([1, 2, 0], [1, 2, 3])
    """
    m, k = scores.shape
    n = min(n, k)
    empty = np.array([], dtype=int)
    if m == 0 or n == 0:
        return empty, empty, np.array([], dtype=float), empty
    kth = -np.partition(-scores, n - 1, axis=1)[:, n - 1]  # each row's n-th largest
    rows, cols = np.nonzero(scores >= kth[:, None])
    vals = scores[rows, cols]
    order = np.lexsort((cols, -vals, rows))  # by row, then score down, then column
    rows, cols, vals = rows[order], cols[order], vals[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = (rank < n) & np.isfinite(vals)
    return rows[keep], cols[keep], vals[keep], rank[keep] + 1


class Recommender(BaseEstimator):
    """Base class of every recommender: validation, coding, fallbacks and top-N.

    A subclass stores its parameters in ``__init__`` (and does nothing else there),
    and implements

    * ``_fit(data)`` — learn from an :class:`Interactions`;
    * ``_predict_known(u, i)`` — estimates for pairs of known user and item codes,
      ``NaN`` where the algorithm cannot predict;
    * ``_scores(u)`` — a users × items matrix of ranking scores (``NaN`` likewise);

    and may override ``_fallback_estimate(u, i)`` (codes, ``-1`` when unknown).

    Attributes set by ``fit``: ``users_``, ``items_`` (ids in order of first
    appearance), ``seen_`` (users × items CSR of interactions), ``global_mean_`` and
    ``item_popularity_`` (number of users per item, the fallback ranking).
    """

    #: "required" for rating-prediction models, "optional" for interaction models.
    _rating: str = "required"
    handle_unknown: str

    # ------------------------------------------------------------------ fit
    def fit(self, ratings: pd.DataFrame, **fit_params: Any) -> Recommender:
        """Learn from a frame ``user, item[, rating]``; returns the fitted model.

        Raises a ``TypeError``/``ValueError`` naming the problem for a non-frame,
        missing columns, an empty frame, missing ids or ratings and duplicate
        (user, item) pairs. The frame is not modified.
        """
        check_choice(self.handle_unknown, "handle_unknown", HANDLE_UNKNOWN)
        data = Interactions.from_frame(ratings, rating=self._rating)
        self.users_, self.items_ = data.users, data.items
        self.global_mean_ = float(data.values.mean())
        self.seen_ = data.matrix()
        self.item_popularity_ = np.bincount(data.item_codes, minlength=len(data.items))
        self._fit(data, **fit_params)
        return self

    def _fit(self, data: Interactions) -> None:
        raise NotImplementedError

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _scores(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _fallback_estimate(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        """The baseline answer for pairs that cannot be predicted: the global mean."""
        return np.full(len(u), self.global_mean_)

    def _cold_scores(self, users: list[Hashable]) -> tuple[np.ndarray, np.ndarray]:
        """Scores for users unseen in ``fit`` and whether each is a fallback.

        By default the popularity ranking, every row flagged; a cold-start strategy
        overrides this (e.g. popularity within the newcomer's known segment).
        """
        shape = (len(users), len(self.items_))
        return np.broadcast_to(self.item_popularity_, shape), np.ones(shape, dtype=bool)

    def _check_fitted(self) -> None:
        if not hasattr(self, "seen_"):
            raise RuntimeError(
                f"This {type(self).__name__} is not fitted yet: call fit(ratings) first."
            )

    def _lookup(self, labels: list[Hashable], index: pd.Index, kind: str) -> np.ndarray:
        """Codes of ``labels`` (-1 when unknown); raises under ``handle_unknown="error"``."""
        codes = np.asarray(index.get_indexer(pd.Index(labels)), dtype=np.intp)
        if self.handle_unknown == "error" and (codes < 0).any():
            unknown = [x for x, c in zip(labels, codes, strict=True) if c < 0]
            raise ValueError(
                f"Unknown {kind}(s) {unknown[:5]}{' …' if len(unknown) > 5 else ''} "
                f"({len(unknown)} in all): they were not in the training data. Refit with "
                f"their interactions, or set handle_unknown='fallback' to answer with the "
                f"model's baseline (flagged)."
            )
        return codes

    # -------------------------------------------------------------- predict
    def predict_details(self, users: Iterable[Hashable], items: Iterable[Hashable]) -> pd.DataFrame:
        """Estimates as a frame ``user, item, estimate, fallback``.

        ``fallback`` marks the pairs answered by the model's baseline: an unknown user
        or item, or a pair the algorithm could not score.
        """
        self._check_fitted()
        users, items = list(users), list(items)
        if len(users) != len(items):
            raise ValueError(f"users and items differ in length: {len(users)} vs {len(items)}.")
        u = self._lookup(users, self.users_, "user")
        i = self._lookup(items, self.items_, "item")
        known = (u >= 0) & (i >= 0)
        est = np.full(len(users), np.nan)
        if known.any():
            est[known] = self._predict_known(u[known], i[known])
        fallback = np.isnan(est)
        if fallback.any():
            est[fallback] = self._fallback_estimate(u[fallback], i[fallback])
        return pd.DataFrame({"user": users, "item": items, "estimate": est, "fallback": fallback})

    def predict(self, users: Iterable[Hashable], items: Iterable[Hashable]) -> np.ndarray:
        """One estimate per (user, item) pair; see :meth:`predict_details` for the flags."""
        return self.predict_details(users, items)["estimate"].to_numpy()

    # ------------------------------------------------------------ recommend
    def recommend(self, users: Iterable[Hashable] | None = None, n: int = 10) -> pd.DataFrame:
        """Top-``n`` items each user has not interacted with, best first.

        Parameters
        ----------
        users : iterable, optional
            Default: every user seen in ``fit``. Unknown users get the most popular
            items, or a cold-start strategy's list (``handle_unknown="fallback"``), or
            raise (``"error"``).
        n : int, default 10
            List length; shorter when a user has fewer unseen items.

        Returns
        -------
        DataFrame
            ``user, item, score, rank, fallback``: ``fallback`` marks items scored by
            the model's baseline rather than by the algorithm.
        """
        self._check_fitted()
        n = check_positive_int(n, "n")
        wanted = list(self.users_) if users is None else list(users)
        codes = self._lookup(wanted, self.users_, "user")
        known = np.flatnonzero(codes >= 0)
        scores = np.empty((len(wanted), len(self.items_)))
        flags = np.zeros(scores.shape, dtype=bool)
        if known.size:
            S = np.asarray(self._scores(codes[known]), dtype=float)
            impossible = np.isnan(S)
            if impossible.any():
                r, c = np.nonzero(impossible)
                S[r, c] = self._fallback_estimate(codes[known][r], c)
            S[self.seen_[codes[known]].nonzero()] = -np.inf
            scores[known], flags[known] = S, impossible
        unknown = np.flatnonzero(codes < 0)
        if unknown.size:
            scores[unknown], flags[unknown] = self._cold_scores([wanted[j] for j in unknown])
        rows, cols, vals, rank = top_n(scores, n)
        return pd.DataFrame(
            {
                "user": pd.Index(wanted)[rows],
                "item": self.items_[cols],
                "score": vals,
                "rank": rank,
                "fallback": flags[rows, cols],
            }
        )
