r"""A vectorized k-nearest-neighbour recommender with Surprise's KNNBasic semantics.

User-based, the prediction for user :math:`u` and item :math:`i` is

.. math::

    \hat r_{ui} = \frac{\sum_{v \in N^k_i(u)} w_{uv}\, r_{vi}}{\sum_{v \in N^k_i(u)} w_{uv}}

where :math:`N^k_i(u)` holds the :math:`k` users most similar to :math:`u` *among those
who rated* :math:`i`, of which only those with a positive similarity vote, and
:math:`w_{uv} = \text{sim}(u, v)` (Surprise's KNNBasic) — or 1 (``weighting="equal"``)
or :math:`1/\text{rank}` (``weighting="rank"``, the article's vote). Item-based swaps
the roles of users and items. With fewer than ``min_k`` voters the prediction is
impossible and falls back to the global mean, flagged as such (the
:class:`~recsys_lab.models.base.Recommender` contract).

**Ties.** When several candidates share the similarity of the :math:`k`-th place, the
ones whose rating comes first in the training data are kept. This is exactly what
Surprise's ``heapq.nlargest`` does over its ``ir``/``ur`` lists, which follow the same
order, so both pick the same neighbours.

**Speed.** Surprise predicts one pair at a time in Python. Here the similarities come
from one compiled pass over the co-rated pairs (:mod:`recsys_lab.models.similarities`), and
each similarity becomes its rank in its row (small integers). Predictions are made for
one item (user-based) or one user (item-based) against every target at once:
:meth:`KNNRecommender._vote` does it in numpy (a partition of the ranks, then sums over
the candidates) and is the readable reference; :func:`_vote_kernel` does the same in
numba (``cache=True``, no fastmath) for whole lists of rows, the rows spread over the
cores: the :math:`k`-th smallest rank of every target is found bit by bit (one
vectorized counting pass per bit), then one pass in training order sums the votes.

**Order of summation.** A floating-point sum depends on the order of its terms, so
both paths add the votes in one fixed order: one candidate after another in training
order (Surprise's ``yr[y]``). They give the same bits, hence the same top-N lists, ties
included (tested on MovieLens-100k). Surprise adds the same neighbours in
``heapq.nlargest``'s order, by decreasing similarity, so most of our estimates differ
from its own in the last bits (a few 1e-15); adding in that order would take a sort of
every target's voters in the compiled pass.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable

import numba
import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys_lab._validation import check_choice, check_positive_int
from recsys_lab.models.base import Interactions, Recommender
from recsys_lab.models.similarities import SIMILARITIES, _check, sparse_similarities

WEIGHTINGS = ("similarity", "equal", "rank")


@numba.njit(cache=True, parallel=True)
def _dense_ranks(sim: np.ndarray, ranks: np.ndarray) -> None:  # pragma: no cover - compiled
    """Fill ``ranks`` with the dense ranks of each row of ``sim``, rows in parallel."""
    for x in numba.prange(sim.shape[0]):
        row = sim[x]
        order = np.argsort(-row)  # any order among equal values: they share a rank
        rank = 0
        for j in range(len(order)):
            if j > 0 and row[order[j]] != row[order[j - 1]]:
                rank += 1
            ranks[x, order[j]] = rank


def similarity_ranks(sim: np.ndarray) -> np.ndarray:
    """Dense rank of each row's similarities: 0 for the largest, equal values share a rank.

    Selecting the ``k`` most similar candidates then works on small integers, which
    partition and compare several times faster than floats.

    >>> similarity_ranks(np.array([[1.0, 0.2, 0.5, 0.5]])).tolist()
    [[0, 2, 1, 1]]
    """
    dtype = np.int16 if sim.shape[1] < np.iinfo(np.int16).max else np.int32
    ranks = np.empty(sim.shape, dtype=dtype)
    _dense_ranks(np.asarray(sim, dtype=float), ranks)
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


@numba.njit(cache=True)
def _kth_smallest_ranks(
    ranks_t: np.ndarray, cands: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled; tested via _vote_kernel
    """Each target's ``k``-th smallest rank among the rows ``cands`` of ``ranks_t``.

    Found bit by bit, highest first: the largest ``tau`` with fewer than ``k`` ranks
    below it, one vectorized counting pass over the candidates per bit. Returns ``tau``
    and ``room``, how many of the ranks equal to ``tau`` still make the top ``k``.
    """
    n_t, dtype = ranks_t.shape[1], ranks_t.dtype
    tau, room = np.zeros(n_t, dtype), np.full(n_t, k, dtype)  # no rank is below 0
    trial, count = np.empty(n_t, dtype), np.empty(n_t, dtype)
    bit = 1
    while bit <= n_t:
        bit <<= 1
    while bit > 1:
        bit >>= 1
        for t in range(n_t):
            trial[t] = tau[t] | bit
        count[:] = 0
        for c in cands:
            ranks = ranks_t[c]
            for t in range(n_t):
                count[t] += ranks[t] < trial[t]
        for t in range(n_t):
            if count[t] < k:
                tau[t], room[t] = trial[t], k - count[t]
    return tau, room


@numba.njit(cache=True, parallel=True)
def _vote_kernel(
    ys: np.ndarray,
    ptr: np.ndarray,
    cand_x: np.ndarray,
    cand_r: np.ndarray,
    sim: np.ndarray,
    ranks_t: np.ndarray,
    n_positive: np.ndarray,
    k: int,
    min_k: int,
    equal_weights: bool,
) -> np.ndarray:  # pragma: no cover - compiled; tested equal to KNNRecommender._vote
    """Estimates ``ys × every target``, NaN where impossible, the ``ys`` in parallel.

    :meth:`KNNRecommender._vote` for each ``y``, bit for bit (both add the votes in
    training order). ``ptr, cand_x, cand_r``: each ``y``'s candidates and ratings in
    training order; ``ranks_t[x, target]``: similarity rank (0 = most similar);
    ``n_positive``: the ranks below it are positive similarities.
    """
    n_t, dtype = ranks_t.shape[1], ranks_t.dtype
    out = np.empty((len(ys), n_t))
    for row in numba.prange(len(ys)):
        lo, hi = ptr[ys[row]], ptr[ys[row] + 1]
        # voters: ranks below tau, then the first `room` equal to tau in training order
        if hi - lo > k:
            tau, room = _kth_smallest_ranks(ranks_t, cand_x[lo:hi], k)
        else:  # at most k candidates: all of them
            tau, room = np.full(n_t, n_t, dtype), np.zeros(n_t, dtype)
        taken, votes = np.zeros(n_t, dtype), np.zeros(n_t, dtype)
        num, den = np.zeros(n_t), np.zeros(n_t)
        for j in range(lo, hi):
            ranks, sims, rating = ranks_t[cand_x[j]], sim[cand_x[j]], cand_r[j]
            for t in range(n_t):
                tie = ranks[t] == tau[t]
                vote = (ranks[t] < tau[t]) | (tie & (taken[t] < room[t]))
                vote &= ranks[t] < n_positive[t]  # as Surprise: top k, then sim > 0
                taken[t] += tie
                weight = (1.0 if equal_weights else sims[t]) * vote
                num[t] += weight * rating
                den[t] += weight
                votes[t] += vote
        for t in range(n_t):
            out[row, t] = num[t] / den[t] if votes[t] >= min_k else np.nan
    return out


class KNNRecommender(Recommender):
    """k-nearest-neighbour collaborative filtering on the common :class:`Recommender` API.

    Parameters
    ----------
    k : int, default 40
        The most neighbours that vote.
    similarity : {"msd", "cosine", "pearson"}, default "msd"
        See :mod:`recsys_lab.models.similarities`.
    user_based : bool, default True
        Neighbours are users (True) or items (False).
    min_k : int, default 1
        Fewer positive-similarity voters than this: the prediction is impossible and
        falls back to the global mean (flagged), as Surprise's KNNBasic.
    min_support : int, default 1
        Pairs with fewer co-rated values have similarity 0.
    shrinkage : float, default 0
        Similarity × n / (n + shrinkage).
    weighting : {"similarity", "equal", "rank"}, default "similarity"
        How the voters' ratings are weighted (Surprise: "similarity").
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown users/items: the global mean, flagged (Surprise), or a ValueError.

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
        handle_unknown: str = "fallback",
    ) -> None:
        self.k = k
        self.similarity = similarity
        self.user_based = user_based
        self.min_k = min_k
        self.min_support = min_support
        self.shrinkage = shrinkage
        self.weighting = weighting
        self.handle_unknown = handle_unknown

    # ------------------------------------------------------------------ fit
    def _fit(self, data: Interactions) -> None:
        """Similarities, their ranks and each target's candidates in training order."""
        check_positive_int(self.k, "k")
        check_positive_int(self.min_k, "min_k")
        _check(self.similarity, self.min_support, self.shrinkage)
        check_choice(self.similarity, "similarity", SIMILARITIES)
        check_choice(self.weighting, "weighting", WEIGHTINGS)
        if not isinstance(self.user_based, bool | np.bool_):
            raise TypeError(f"user_based must be True or False, got {self.user_based!r}.")
        u_codes, i_codes, r = data.user_codes, data.item_codes, data.values
        x, y = (u_codes, i_codes) if self.user_based else (i_codes, u_codes)
        n_x, n_y = data.shape if self.user_based else data.shape[::-1]
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

    # ------------------------------------------------------------- scoring
    def _vote(self, xs: np.ndarray | None, y: int) -> np.ndarray:
        """Estimates for targets ``xs`` (None: all) and one ``y``; NaN if impossible.

        The votes are added in training order, as :func:`_vote_kernel` adds them.
        """
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
        # the terms of Σ w r and Σ w side by side: candidates × 2 × targets
        terms = np.empty((len(cands), 2, W.shape[1]))
        np.multiply(W, values[:, None], out=terms[:, 0])
        terms[:, 1] = W
        # numpy sums this slowest axis one candidate after another (pairwise summation is
        # for the fastest axis only): training order, as _vote_kernel. A matrix product
        # would add in BLAS's order, which moves the last bits.
        num, den = terms.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = num / den
        return np.where(np.count_nonzero(voters, axis=0) < self.min_k, np.nan, est)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        """Estimates (users × items), NaN where impossible.

        The compiled kernel, unless the weights are ranks (numpy's :meth:`_vote`) or a
        few users are wanted from a user-based model (one small vote per item).
        """
        n_items = len(self.items_)
        if self.weighting == "rank" or (self.user_based and 4 * len(u) < len(self.users_)):
            est = np.empty((len(u), n_items))
            for y in range(n_items if self.user_based else len(u)):
                if self.user_based:
                    est[:, y] = self._vote(u, y)
                else:
                    est[y] = self._vote(None, u[y])
            return est
        ys = np.arange(n_items) if self.user_based else np.asarray(u, dtype=np.intp)
        est = _vote_kernel(
            ys, self._cand_ptr, self._cand_x, self._cand_r, self.sim_, self._ranks_t,
            self._n_positive, self.k, self.min_k, self.weighting == "equal",
        )  # fmt: skip
        return est[:, u].T if self.user_based else est

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        """Pairs grouped by their ``y`` (item if user-based), one vote per group."""
        x, y = (u, i) if self.user_based else (i, u)
        est = np.empty(len(u))
        order = np.argsort(y, kind="stable")
        bounds = np.flatnonzero(np.diff(y[order])) + 1
        for group in np.split(order, bounds):
            est[group] = self._vote(x[group], y[group[0]])
        return est

    def predict(  # type: ignore[override]
        self,
        users: Iterable[Hashable],
        items: Iterable[Hashable],
        with_impossible: bool | None = None,
    ) -> np.ndarray | pd.DataFrame:
        """One estimate per (user, item) pair (see :meth:`predict_details` for the flags).

        ``with_impossible`` is deprecated (0.2): use :meth:`predict_details`, whose
        column ``fallback`` is the old ``impossible``.
        """
        if with_impossible is None:
            return super().predict(users, items)
        warnings.warn(
            "predict(..., with_impossible=True) is deprecated and will be removed in 0.3: "
            "use predict_details(users, items); its column 'fallback' was 'impossible'.",
            DeprecationWarning,
            stacklevel=2,
        )
        out = self.predict_details(users, items)
        if not with_impossible:
            return out["estimate"].to_numpy()
        return out.rename(columns={"fallback": "impossible"})

    def explain(self, user: Hashable, item: Hashable) -> pd.DataFrame:
        """The candidates behind one prediction: similarity, rating, vote and weight share.

        Columns ``neighbour, similarity, rating, votes, weight, share``, sorted by
        similarity (ties in training order); ``votes`` marks the ones in
        :math:`N^k` with a positive similarity.
        """
        self._check_fitted()
        u = self.users_.get_indexer(pd.Index([user]))[0]
        i = self.items_.get_indexer(pd.Index([item]))[0]
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
