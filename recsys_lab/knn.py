r"""A vectorized k-nearest-neighbour recommender with Surprise's KNNBasic semantics.

User-based, the prediction for user :math:`u` and item :math:`i` is

.. math::

    \hat r_{ui} = \frac{\sum_{v \in N^k_i(u)} w_{uv}\, r_{vi}}{\sum_{v \in N^k_i(u)} w_{uv}}

where :math:`N^k_i(u)` holds the :math:`k` users most similar to :math:`u` *among those
who rated* :math:`i`, of which only those with a positive similarity vote, and
:math:`w_{uv} = \text{sim}(u, v)` (Surprise's KNNBasic) — or 1 (``weighting="equal"``)
or :math:`1/\text{rank}` (``weighting="rank"``, the article's vote). Item-based swaps
the roles of users and items. With fewer than ``min_k`` voters the prediction is
impossible and falls back to the global mean, flagged as such.

**Ties.** When several candidates share the similarity of the :math:`k`-th place, the
ones whose rating comes first in the training data are kept. This is exactly what
Surprise's ``heapq.nlargest`` does over its ``ir``/``ur`` lists, which follow the same
order, so both pick the same neighbours.

**Speed.** Surprise predicts one pair at a time in Python; here the similarities come
from sparse matrix products (:mod:`recsys_lab.similarities`) and predictions are made
for all users at once, one item (user-based) or one user (item-based) at a time.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys_lab._validation import check_choice, check_positive_int, check_ratings, known_codes
from recsys_lab.similarities import SIMILARITIES, _check, sparse_similarities

WEIGHTINGS = ("similarity", "equal", "rank")


def similarity_ranks(sim: np.ndarray) -> np.ndarray:
    """Dense rank of each row's similarities: 0 for the largest, equal values share a rank.

    Selecting the ``k`` most similar candidates then works on small integers, which
    numpy partitions several times faster than floats.

    >>> similarity_ranks(np.array([[1.0, 0.2, 0.5, 0.5]])).tolist()
    [[0, 2, 1, 1]]
    """
    order = np.argsort(-sim, axis=1, kind="stable")
    ordered = np.take_along_axis(sim, order, axis=1)
    dense = np.zeros(sim.shape, dtype=np.int32)
    np.cumsum(ordered[:, 1:] != ordered[:, :-1], axis=1, out=dense[:, 1:])
    dtype = np.int16 if sim.shape[1] < np.iinfo(np.int16).max else np.int32
    ranks = np.empty(sim.shape, dtype=dtype)
    np.put_along_axis(ranks, order, dense.astype(dtype), axis=1)
    return ranks


def top_k_voters(ranks: np.ndarray, k: int) -> np.ndarray:
    """Mask of each column's ``k`` best candidates, given their similarity ranks.

    ``ranks`` is candidates (in training order) × targets, smaller = more similar,
    equal = equally similar. Ties at the ``k``-th place keep the topmost
    candidates, as Surprise's ``heapq.nlargest`` does.

    >>> top_k_voters(np.array([[1], [0], [1], [1]]), 2).ravel().tolist()
    [True, True, False, False]
    """
    if ranks.shape[0] <= k:
        return np.ones(ranks.shape, dtype=bool)
    # the k-th smallest rank of each target; partitioning contiguous rows is fastest
    part = np.partition(np.ascontiguousarray(ranks.T), k - 1, axis=1)
    kth = part[:, k - 1]
    top = ranks <= kth
    tie = np.flatnonzero(part[:, k:].min(axis=1) == kth)  # more than k at or above kth
    if tie.size:
        sub, at = ranks[:, tie], kth[tie]
        above, tied = sub < at, sub == at
        room = k - above.sum(axis=0)
        top[:, tie] = above | (tied & (np.cumsum(tied, axis=0) <= room))
    return top


class KNNRecommender:
    """k-nearest-neighbour collaborative filtering (scikit-learn style).

    Parameters
    ----------
    k : int, default 40
        The most neighbours that vote.
    similarity : {"msd", "cosine", "pearson"}, default "msd"
        See :mod:`recsys_lab.similarities`.
    user_based : bool, default True
        Neighbours are users (True) or items (False).
    min_k : int, default 1
        Fewer positive-similarity voters than this: impossible, global mean.
    min_support : int, default 1
        Pairs with fewer co-rated values have similarity 0.
    shrinkage : float, default 0
        Similarity × n / (n + shrinkage).
    weighting : {"similarity", "equal", "rank"}, default "similarity"
        How the voters' ratings are weighted (Surprise: "similarity").

    Attributes
    ----------
    users_, items_ : Index
        Known users and items, in order of first appearance.
    sim_ : ndarray
        Similarities between users (user-based) or items.
    global_mean_ : float

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": ["a", "b", "a", "b", "a"],
    ...                         "rating": [5.0, 3.0, 4.0, 3.0, 5.0]})
    >>> model = KNNRecommender(k=2).fit(ratings)
    >>> model.predict([3], ["b"]).round(4).tolist()
    [3.0]
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
    ) -> None:
        self.k = k
        self.similarity = similarity
        self.user_based = user_based
        self.min_k = min_k
        self.min_support = min_support
        self.shrinkage = shrinkage
        self.weighting = weighting

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"KNNRecommender({params})"

    def get_params(self) -> dict[str, object]:
        """The constructor's parameters, as scikit-learn's ``get_params``."""
        names = ("k", "similarity", "user_based", "min_k", "min_support", "shrinkage")
        return {name: getattr(self, name) for name in (*names, "weighting")}

    # ------------------------------------------------------------------ fit
    def fit(self, ratings: pd.DataFrame) -> KNNRecommender:
        """Learn similarities from a DataFrame with columns ``user, item, rating``.

        Duplicate (user, item) pairs, missing or non-numeric ratings raise a
        ``ValueError``/``TypeError``; the DataFrame is not modified.
        """
        check_positive_int(self.k, "k")
        check_positive_int(self.min_k, "min_k")
        _check(self.similarity, self.min_support, self.shrinkage)
        check_choice(self.similarity, "similarity", SIMILARITIES)
        check_choice(self.weighting, "weighting", WEIGHTINGS)
        if not isinstance(self.user_based, bool | np.bool_):
            raise TypeError(f"user_based must be True or False, got {self.user_based!r}.")
        df = check_ratings(ratings)
        u_codes, self.users_ = pd.factorize(df["user"])
        i_codes, self.items_ = pd.factorize(df["item"])
        r = df["rating"].to_numpy(dtype=float)
        self.global_mean_ = float(r.mean())
        shape = (len(self.users_), len(self.items_))
        self.seen_ = sp.csr_matrix((np.ones_like(r), (u_codes, i_codes)), shape=shape)
        x, y = (u_codes, i_codes) if self.user_based else (i_codes, u_codes)
        n_x, n_y = shape if self.user_based else shape[::-1]
        X = sp.csr_matrix((r, (x, y)), shape=(n_x, n_y))
        self.sim_ = sparse_similarities(X, self.similarity, self.min_support, self.shrinkage)
        ranks = similarity_ranks(self.sim_)
        # rank r of row x is positive iff r < the number of distinct positive values in x
        self._n_positive = np.where(self.sim_ > 0, ranks + 1, 0).max(axis=1).astype(ranks.dtype)
        self._ranks_t = np.ascontiguousarray(ranks.T)  # [candidate, target]
        # For each y, its raters x in the order of the training data (Surprise's yr[y]).
        order = np.argsort(y, kind="stable")
        self._cand_x, self._cand_r = x[order], r[order]
        self._cand_ptr = np.concatenate([[0], np.cumsum(np.bincount(y, minlength=n_y))])
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "sim_"):
            raise RuntimeError("This KNNRecommender is not fitted yet: call fit(ratings) first.")

    # ------------------------------------------------------------- scoring
    def _vote(self, xs: np.ndarray | None, y: int) -> tuple[np.ndarray, np.ndarray]:
        """Estimates and numbers of voters for targets ``xs`` (None: all) and one ``y``."""
        lo, hi = self._cand_ptr[y], self._cand_ptr[y + 1]
        cands, values = self._cand_x[lo:hi], self._cand_r[lo:hi]
        # candidates × targets: contiguous rows of the rank and similarity matrices
        R = self._ranks_t[cands] if xs is None else self._ranks_t[cands][:, xs]
        positive = self._n_positive if xs is None else self._n_positive[xs]
        voters = top_k_voters(R, self.k) & (positive > R)  # as Surprise: top k, then sim > 0
        if self.weighting == "similarity":
            W = self.sim_[cands] if xs is None else self.sim_[cands][:, xs]  # a fresh copy
            np.multiply(W, voters, out=W)
        elif self.weighting == "equal":
            W = voters.astype(float)
        else:  # rank among the voters: 1, 1/2, 1/3, ... (ties keep training order)
            order = np.argsort(np.where(voters, R, np.iinfo(R.dtype).max), axis=0, kind="stable")
            rank = np.empty_like(order)
            np.put_along_axis(rank, order, np.arange(1, R.shape[0] + 1)[:, None], axis=0)
            W = np.where(voters, 1.0 / rank, 0.0)
        n_voters = np.count_nonzero(voters, axis=0)
        num, den = np.vstack([values, np.ones_like(values)]) @ W
        with np.errstate(invalid="ignore", divide="ignore"):
            est = num / den
        impossible = n_voters < self.min_k
        return np.where(impossible, self.global_mean_, est), n_voters

    def _score_all(self, user_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Estimates (users × items) and the impossible mask for the given users."""
        n_items = len(self.items_)
        est = np.empty((len(user_codes), n_items))
        voters = np.empty((len(user_codes), n_items), dtype=int)
        if self.user_based:
            every = len(user_codes) == len(self.users_) and (np.diff(user_codes) == 1).all()
            targets = None if every else user_codes
            for item in range(n_items):
                est[:, item], voters[:, item] = self._vote(targets, item)
        else:
            for row, user in enumerate(user_codes):
                est[row], voters[row] = self._vote(None, user)
        return est, voters < self.min_k

    def _codes(self, labels: Iterable[Hashable], index: pd.Index) -> np.ndarray:
        return index.get_indexer(pd.Index(list(labels)))

    def predict(
        self, users: Iterable[Hashable], items: Iterable[Hashable], with_impossible: bool = False
    ) -> np.ndarray | pd.DataFrame:
        """Predict the rating of each (user, item) pair.

        Unknown users or items, and pairs with fewer than ``min_k`` voters, get the
        global mean, as in Surprise. ``with_impossible=True`` returns a DataFrame
        ``user, item, estimate, impossible`` that flags them.
        """
        self._check_fitted()
        users, items = list(users), list(items)
        if len(users) != len(items):
            raise ValueError(f"users and items differ in length: {len(users)} vs {len(items)}.")
        u = self._codes(users, self.users_)
        i = self._codes(items, self.items_)
        x, y = (u, i) if self.user_based else (i, u)
        est = np.full(len(users), self.global_mean_)
        impossible = np.ones(len(users), dtype=bool)
        known = np.flatnonzero((u >= 0) & (i >= 0))
        order = known[np.argsort(y[known], kind="stable")]
        bounds = np.flatnonzero(np.diff(y[order])) + 1
        for group in np.split(order, bounds) if order.size else []:
            est[group], n_voters = self._vote(x[group], y[group[0]])
            impossible[group] = n_voters < self.min_k
        if with_impossible:
            return pd.DataFrame(
                {"user": users, "item": items, "estimate": est, "impossible": impossible}
            )
        return est

    def recommend(self, users: Iterable[Hashable] | None = None, n: int = 10) -> pd.DataFrame:
        """Top-``n`` unseen items for each user, best first.

        Returns a DataFrame ``user, item, score, rank``. Impossible predictions
        score the global mean (Surprise's fallback) and are flagged in column
        ``impossible``; equal scores keep the items' training order.
        """
        self._check_fitted()
        n = check_positive_int(n, "n")
        wanted = list(self.users_) if users is None else list(users)
        codes = known_codes(
            wanted,
            self.users_,
            "user",
            "recommend() needs users seen in fit. For newcomers use a cold-start strategy "
            "(popularity, content).",
        )
        est, impossible = self._score_all(codes)
        est[self.seen_[codes].toarray() > 0] = -np.inf
        n = min(n, est.shape[1])
        top = np.argsort(-est, axis=1, kind="stable")[:, :n]
        scores = np.take_along_axis(est, top, axis=1)
        keep = np.isfinite(scores)
        rows = np.repeat(np.arange(len(codes)), n).reshape(-1, n)
        return pd.DataFrame(
            {
                "user": self.users_[codes][rows[keep]],
                "item": self.items_[top[keep]],
                "score": scores[keep],
                "rank": np.tile(np.arange(1, n + 1), (len(codes), 1))[keep],
                "impossible": np.take_along_axis(impossible, top, axis=1)[keep],
            }
        )

    def explain(self, user: Hashable, item: Hashable) -> pd.DataFrame:
        """The candidates behind one prediction: similarity, rating, vote and weight share.

        Columns ``neighbour, similarity, rating, votes, weight, share``, sorted by
        similarity (ties in training order); ``votes`` marks the ones in
        :math:`N^k` with a positive similarity.
        """
        self._check_fitted()
        u = self._codes([user], self.users_)[0]
        i = self._codes([item], self.items_)[0]
        if u < 0 or i < 0:
            what = f"user {user!r}" if u < 0 else f"item {item!r}"
            raise ValueError(f"Unknown {what}: it was not in the training ratings.")
        x, y = (u, i) if self.user_based else (i, u)
        labels = self.users_ if self.user_based else self.items_
        lo, hi = self._cand_ptr[y], self._cand_ptr[y + 1]
        cands, values = self._cand_x[lo:hi], self._cand_r[lo:hi]
        S = self.sim_[x, cands]
        voters = top_k_voters(self._ranks_t[cands, x][:, None], self.k)[:, 0] & (S > 0)
        table = pd.DataFrame(
            {"neighbour": labels[cands], "similarity": S, "rating": values, "votes": voters}
        ).sort_values("similarity", ascending=False, kind="stable")
        rank = np.cumsum(table["votes"].to_numpy())
        weight = {"similarity": table["similarity"], "equal": 1.0, "rank": 1.0 / rank}
        table["weight"] = np.where(table["votes"], weight[self.weighting], 0.0)
        total = table["weight"].sum()
        table["share"] = table["weight"] / total if total > 0 else 0.0
        return table.reset_index(drop=True)

    def reason(self, user: Hashable, item: Hashable, n: int = 3) -> str:
        """A one-line explanation of a recommendation, from :meth:`explain`.

        >>> ratings = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "a"],
        ...                         "rating": [5.0, 4.0, 5.0]})
        >>> KNNRecommender().fit(ratings).reason(2, "b")
        'Recommended because the user with the most similar taste (1: similarity 1.00) rated it 4.'
        """
        n = check_positive_int(n, "n")
        voters = self.explain(user, item).query("votes").head(n)
        if voters.empty:
            return "No similar neighbour rated it: the score is the global mean."
        who = "user" if self.user_based else "item"
        similar = (
            f"the {who} with the most similar taste"
            if len(voters) == 1
            else f"the {len(voters)} {who}s with the most similar taste"
        )
        names = ", ".join(
            f"{r.neighbour}: similarity {r.similarity:.2f}" for r in voters.itertuples()
        )
        if self.user_based:
            rated = ", ".join(f"{r:g}" for r in voters["rating"])
            return f"Recommended because {similar} ({names}) rated it {rated}."
        liked = ", ".join(f"{r.neighbour} ({r.rating:g})" for r in voters.itertuples())
        return f"Recommended because it is similar to items you rated: {liked}."
