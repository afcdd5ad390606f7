r"""Retrieve, then rank: a fast model proposes candidates, a gradient-boosted model orders them.

Recommenders in production work in two stages (the survey's "recall + rank"):

1. **Retrieval.** A cheap model that can score every item — here any recommender, by
   default :class:`~recsys_lab.models.ImplicitALS` — keeps each user's :math:`N` best
   unseen items, the *candidates*. Its recall@N, the share of a user's held-out items
   among them, caps everything after it: an item that is not retrieved is never shown.
2. **Ranking.** A richer model scores only those :math:`N` items, from features of the
   user, the item and the pair that the retriever cannot use, and orders them.

The ranker must learn from interactions the retriever did not see, or it only learns
that the retriever fits its own training data. :class:`TwoStageRecommender` therefore
holds out ``label_size`` of each user's interactions
(:func:`~recsys_lab.data.splits.per_user_split`), fits the retriever on the rest, labels
each candidate :math:`y = 1` if it is among the user's held-out items (else 0) and fits
a classifier of :math:`P(y = 1 \mid \text{features})`. Then it refits the retriever on everything;
``recommend`` orders each user's candidates by the classifier's probability.

**Features** (:func:`candidate_features`), from the interactions the retriever was fitted
on. Those that grow with the amount of data are made scale-free — a rank, a share, a
ratio to a mean — because the classifier is trained with a retriever fitted on less data
than the one it serves with:

==========================  ====================================================================
``retriever_rank``          the candidate's rank :math:`r` in the retriever's list (1 = best)
``retriever_score``         its score standardised over the user's candidates,
                            :math:`(s - \bar s_u) / \mathrm{sd}_u`
``<name>_rank``             its rank among the user's candidates by a second model's score
``item_popularity``         :math:`n_i / \sum_j n_j`: the item's share of all interactions
``user_activity``           :math:`n_u / \bar n`: the user's interactions over the mean user's
``tag_match``               :math:`\cos(t_i, \sum_{j \in I_u} t_j)`: the item's tags (genres,
                            category) against the tags of the user's history
``<column>``                an item's or a user's numeric attribute (e.g. year, age)
``<column>_gap``            an item attribute minus its mean over the user's history
==========================  ====================================================================

The default ranker is scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
(gradient-boosted trees; Friedman 2001; Ke et al. 2017), constrained to be decreasing in
every rank feature, so that what the other features cannot explain keeps the retriever's
order. A pointwise classifier pools all users, and users differ in how many held-out
items they have: with ``balance=True`` each user with a held-out candidate weighs the
same, its positives and its negatives half each, so that the classifier learns what
separates items within a user rather than which users have more positives.

References: P. Covington, J. Adams and E. Sargin, "Deep Neural Networks for YouTube
Recommendations", RecSys 2016 (candidate generation, then ranking). J. H. Friedman,
"Greedy function approximation: a gradient boosting machine", Annals of Statistics, 2001.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier

from recsys_lab._validation import check_positive_int, check_ratings, check_share
from recsys_lab.data.splits import per_user_split
from recsys_lab.models.base import Interactions, Recommender
from recsys_lab.models.implicit_als import ImplicitALS
from recsys_lab.models.interaction_base import InteractionRecommender

RANK = "retriever_rank"


def _side_table(frame: pd.DataFrame | None, key: str, tags: str | None = None) -> pd.DataFrame:
    """``frame`` indexed by ``key``, numeric columns as float (and ``tags`` kept as text)."""
    if frame is None:
        return pd.DataFrame(index=pd.Index([], name=key))
    if not isinstance(frame, pd.DataFrame) or key not in frame.columns:
        raise ValueError(
            f"the {key}s table must be a DataFrame with a {key!r} column (and numeric "
            f"attributes), got {type(frame).__name__}"
            f"{'' if not isinstance(frame, pd.DataFrame) else ' without it'}."
        )
    if frame[key].duplicated().any():
        first = frame.loc[frame[key].duplicated(), key].iloc[0]
        raise ValueError(f"the {key}s table lists {key} {first!r} more than once; keep one row.")
    if tags is not None and tags not in frame.columns:
        raise ValueError(f"tags={tags!r} is not a column of the {key}s table.")
    others = [c for c in frame.columns if c not in (key, tags)]
    text = [c for c in others if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:
        raise ValueError(
            f"the {key}s table has non-numeric column(s) {text}: the ranker reads numbers. "
            f"Pass only the {key} id, numeric attributes"
            f"{' and the tags column' if key == 'item' else ''}, e.g. "
            f"table[[{key!r}, ...]]; turn categories into numbers with pd.get_dummies."
        )
    table = frame.set_index(key)[others].astype("float64")
    if tags is not None:
        table[tags] = frame.set_index(key)[tags].fillna("").astype(str)
    return table


def _rank_within_user(values: np.ndarray, user_codes: np.ndarray) -> np.ndarray:
    """Rank of each value among its user's values, 1 = largest (ties share the best rank)."""
    return pd.Series(values).groupby(user_codes).rank(ascending=False, method="min").to_numpy()


def _pair_scores(model: Recommender, users: pd.Index, items: pd.Index) -> np.ndarray:
    """``model``'s ranking score of each (user, item) pair; NaN where it has none.

    Scores come from the model's users × items score matrix, one block of users at a time
    (cheaper than pair-by-pair predictions for item-to-item models).
    """
    u = model.users_.get_indexer(users)
    i = model.items_.get_indexer(items)
    out = np.full(len(users), np.nan)
    known = (u >= 0) & (i >= 0)
    rows = np.flatnonzero(known)
    blocks, where = np.unique(u[rows], return_inverse=True)
    for start in range(0, len(blocks), 2048):
        block = blocks[start : start + 2048]
        take = (where >= start) & (where < start + len(block))
        S = np.asarray(model._scores(block), dtype=float)
        out[rows[take]] = S[where[take] - start, i[rows[take]]]
    return out


def candidate_features(
    candidates: pd.DataFrame,
    interactions: pd.DataFrame,
    scorers: Mapping[str, Recommender] | None = None,
    items: pd.DataFrame | None = None,
    users: pd.DataFrame | None = None,
    tags: str | None = None,
) -> pd.DataFrame:
    r"""The ranker's features of each candidate (see the module docstring for each one).

    Parameters
    ----------
    candidates : DataFrame
        ``user, item, score, rank``: the retriever's lists (``recommend(n=N)``).
    interactions : DataFrame
        ``user, item[, rating]``: what the retriever was fitted on; popularity, activity
        and the users' histories come from it.
    scorers : mapping name → fitted recommender, optional
        Second models; each gives a feature ``<name>_rank``.
    items : DataFrame, optional
        ``item`` and numeric item attributes (and the ``tags`` column). Items missing from
        it get NaN attributes, which gradient-boosted trees handle.
    users : DataFrame, optional
        ``user`` and numeric user attributes.
    tags : str, optional
        A column of ``items`` holding ``"A|B"`` tags (genres, a category): gives
        ``tag_match``.

    Returns
    -------
    DataFrame
        One row per candidate, in the same order, one column per feature.

    Examples
    --------
    >>> seen = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "a"]})
    >>> cands = pd.DataFrame({"user": [2, 2], "item": ["b", "c"], "score": [0.9, 0.1],
    ...                       "rank": [1, 2]})
    >>> shop = pd.DataFrame({"item": ["a", "b", "c"], "genres": ["x", "x|y", "y"]})
    >>> f = candidate_features(cands, seen, items=shop, tags="genres")
    >>> f[["item_popularity", "user_activity", "tag_match"]].round(3).values.tolist()
    [[0.333, 0.667, 0.707], [0.0, 0.667, 0.0]]
    """
    check_ratings(candidates, ("user", "item"))
    missing = [c for c in ("score", "rank") if c not in candidates.columns]
    if missing:
        raise ValueError(
            f"candidates need the retriever's {' and '.join(missing)} column(s), as "
            f"recommend(users, n) returns them."
        )
    data = Interactions.from_frame(interactions, rating="optional")
    seen = sp.csr_matrix(data.matrix(), dtype=float, copy=True)
    seen.data[:] = 1.0
    cand_users = pd.Index(candidates["user"])
    u = data.users.get_indexer(cand_users)
    i = data.items.get_indexer(pd.Index(candidates["item"]))
    groups = pd.factorize(cand_users)[0]
    score = candidates["score"].to_numpy(float)
    grouped = pd.Series(score).groupby(groups)
    sd = grouped.transform("std", ddof=0).to_numpy()
    standard = (score - grouped.transform("mean").to_numpy()) / np.where(sd > 0, sd, 1.0)
    out: dict[str, np.ndarray] = {
        RANK: candidates["rank"].to_numpy(float),
        "retriever_score": standard,
    }
    for name, model in (scorers or {}).items():
        values = _pair_scores(model, cand_users, pd.Index(candidates["item"]))
        out[f"{name}_rank"] = _rank_within_user(values, groups)
    item_count = np.bincount(data.item_codes, minlength=len(data.items)).astype(float)
    user_count = np.bincount(data.user_codes, minlength=len(data.users)).astype(float)
    popularity = _gather(item_count / item_count.sum(), i)
    out["item_popularity"] = np.where(i >= 0, popularity, 0.0)  # nobody touched it
    out["user_activity"] = _gather(user_count / user_count.mean(), u)
    if tags is not None and items is None:
        raise ValueError(f"tags={tags!r} names a column of items, but no items table was given.")
    item_table = _side_table(items, "item", tags)
    history = item_table.reindex(data.items)  # the attributes of the items users know
    candidate = item_table.reindex(pd.Index(candidates["item"]))
    if tags is not None:
        onehot = item_table.pop(tags).str.get_dummies("|")
        out["tag_match"] = _tag_match(
            _gather_rows(np.asarray(seen @ onehot.reindex(data.items, fill_value=0)), u),
            onehot.reindex(pd.Index(candidates["item"]), fill_value=0).to_numpy(float),
        )
    for column in item_table.columns:
        values = history[column].to_numpy()
        known = ~np.isnan(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (seen @ np.where(known, values, 0.0)) / (seen @ known.astype(float))
        out[column] = candidate[column].to_numpy()
        out[f"{column}_gap"] = out[column] - _gather(mean, u)
    user_table = _side_table(users, "user").reindex(data.users)
    for column in user_table.columns:
        out[column] = _gather(user_table[column].to_numpy(), u)
    return pd.DataFrame(out, index=candidates.index)


def _gather(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]``, NaN where the code is -1 (an id the interactions do not have)."""
    return np.where(codes >= 0, values[np.maximum(codes, 0)], np.nan)


def _gather_rows(matrix: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``matrix[codes]``, rows of NaN where the code is -1."""
    return np.where((codes >= 0)[:, None], matrix[np.maximum(codes, 0)], np.nan)


def _tag_match(profiles: np.ndarray, tags: np.ndarray) -> np.ndarray:
    """Row-wise cosine of the users' tag profiles and the items' tags (0 if either is empty)."""
    denominator = np.linalg.norm(profiles, axis=1) * np.linalg.norm(tags, axis=1)
    with np.errstate(invalid="ignore"):
        return np.einsum("nt,nt->n", profiles, tags) / np.where(denominator > 0, denominator, 1.0)


def balanced_weights(users: np.ndarray, labels: np.ndarray) -> np.ndarray:
    r"""Sample weights under which every user's positives weigh 1/2 and negatives 1/2.

    A user with :math:`n^+` positive and :math:`n^-` negative candidates gives each positive
    :math:`1 / (2 n^+)` and each negative :math:`1 / (2 n^-)`; a user without a positive (or
    without a negative) has nothing to teach about ordering and gets weight 0.

    >>> balanced_weights(np.array([1, 1, 1, 2, 2]), np.array([1, 0, 0, 0, 0])).tolist()
    [0.5, 0.25, 0.25, 0.0, 0.0]
    """
    y = np.asarray(labels).astype(bool)
    codes = pd.factorize(np.asarray(users))[0]
    positives = np.bincount(codes, weights=y.astype(float))
    negatives = np.bincount(codes, weights=(~y).astype(float))
    usable = (positives > 0) & (negatives > 0)
    with np.errstate(divide="ignore"):
        share = np.where(y, 0.5 / positives[codes], 0.5 / negatives[codes])
    return np.where(usable[codes], share, 0.0)


class TwoStageRecommender(InteractionRecommender):
    r"""Retrieve ``n_candidates`` per user, re-rank them with a classifier (module docstring).

    Parameters
    ----------
    retriever : recommender, default ``ImplicitALS()``
        Proposes the candidates; cloned and fitted twice (on the part kept for it, then
        on everything).
    n_candidates : int, default 200
        :math:`N`, candidates per user. Lists are never longer.
    scorers : mapping name → recommender, optional
        Second models whose scores become features ``<name>_rank`` (cloned, fitted like
        the retriever).
    ranker : classifier, optional
        Any scikit-learn classifier with ``predict_proba``; default a
        ``HistGradientBoostingClassifier`` decreasing in every rank feature.
    items, users, tags
        Side information, as in :func:`candidate_features`.
    features : list of str, optional
        Keep only these features (e.g. for an ablation); default all.
    label_size : float, default 0.2
        Share of each user's interactions held out to label the candidates.
    balance : bool, default True
        Weigh users equally in the ranker's loss (:func:`balanced_weights`).
    random_state : int, default 0
        Seeds the held-out part and the default ranker.
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown users get the most popular items (flagged), or a ValueError. A pair outside
        the user's candidates has no second-stage score: ``predict`` answers 0, flagged.

    Attributes
    ----------
    retriever_, scorers_, ranker_
        Fitted; the retriever and scorers on all interactions.
    interactions_ : DataFrame
        What was fitted on; the features of ``recommend`` come from it.
    feature_names_ : list of str
    label_recall_ : float
        Stage 1's recall@N on the held-out labels: the share of held-out interactions
        among the candidates, averaged over users — the most stage 2 can find.
    positive_rate_ : float
        Share of the training candidates labelled 1.

    Examples
    --------
    >>> from recsys_lab.data import make_marketing
    >>> clicks = make_marketing(n_users=80, n_items=30, mean_ratings=8).ratings[["user", "item"]]
    >>> model = TwoStageRecommender(ImplicitALS(n_factors=4, reg=1.0), n_candidates=15)
    >>> recs = model.fit(clicks).recommend(n=5)
    >>> recs.groupby("user").size().max(), model.feature_names_[:2]
    (np.int64(5), ['retriever_rank', 'retriever_score'])
    """

    def __init__(
        self,
        retriever: Recommender | None = None,
        n_candidates: int = 200,
        scorers: Mapping[str, Recommender] | None = None,
        ranker: Any = None,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
        tags: str | None = None,
        features: list[str] | None = None,
        label_size: float = 0.2,
        balance: bool = True,
        random_state: int = 0,
        handle_unknown: str = "fallback",
    ) -> None:
        self.retriever = retriever
        self.n_candidates = n_candidates
        self.scorers = scorers
        self.ranker = ranker
        self.items = items
        self.users = users
        self.tags = tags
        self.features = features
        self.label_size = label_size
        self.balance = balance
        self.random_state = random_state
        self.handle_unknown = handle_unknown

    # ------------------------------------------------------------------ fit
    def fit(self, ratings: pd.DataFrame, **fit_params: Any) -> TwoStageRecommender:
        """Learn from ``user, item[, rating]`` interactions (see the class docstring)."""
        rated = isinstance(ratings, pd.DataFrame) and "rating" in ratings.columns
        self.interactions_ = check_ratings(ratings, ("user", "item", "rating")[: 2 + rated])
        super().fit(ratings, **fit_params)
        return self

    def _fit(self, data: Interactions) -> None:
        n_candidates = check_positive_int(self.n_candidates, "n_candidates")
        label_size = check_share(self.label_size, "label_size")
        retriever = ImplicitALS() if self.retriever is None else self.retriever
        for name, model in {"retriever": retriever, **dict(self.scorers or {})}.items():
            if not isinstance(model, Recommender):
                raise TypeError(
                    f"{name} must be a recsys_lab recommender (e.g. ImplicitALS()), got "
                    f"{type(model).__name__}."
                )
        if self.ranker is not None and not callable(getattr(self.ranker, "predict_proba", None)):
            raise TypeError(
                f"ranker must be a classifier with predict_proba, got {type(self.ranker).__name__}."
            )
        frame = self.interactions_
        kept, held_out = per_user_split(frame, label_size, random_state=self.random_state)
        stage_one = self._stage_one(retriever, kept)
        labelled = pd.unique(held_out["user"].to_numpy())
        candidates = stage_one[0].recommend(users=labelled, n=n_candidates)
        X = self._features(candidates, kept, stage_one[1])
        pairs = pd.MultiIndex.from_frame(candidates[["user", "item"]])
        y = pairs.isin(pd.MultiIndex.from_frame(held_out[["user", "item"]])).astype(int)
        if y.sum() == 0:
            raise ValueError(
                f"none of the {len(y)} training candidates is a held-out interaction, so the "
                f"ranker has no positive example: raise n_candidates or label_size, or use a "
                f"retriever that finds something."
            )
        weights = balanced_weights(candidates["user"].to_numpy(), y) if self.balance else None
        self.ranker_ = self._make_ranker(X.columns).fit(X, y, sample_weight=weights)
        hits = pd.Series(y).groupby(candidates["user"].to_numpy()).sum()
        relevant = held_out.groupby("user").size()
        self.label_recall_ = float((hits.reindex(relevant.index, fill_value=0) / relevant).mean())
        self.positive_rate_ = float(y.mean())
        self.feature_names_ = list(X.columns)
        self.retriever_, self.scorers_ = self._stage_one(retriever, frame)

    def _stage_one(
        self, retriever: Recommender, frame: pd.DataFrame
    ) -> tuple[Recommender, dict[str, Recommender]]:
        scorers = {name: clone(m).fit(frame) for name, m in (self.scorers or {}).items()}
        return clone(retriever).fit(frame), scorers

    def _features(
        self, candidates: pd.DataFrame, frame: pd.DataFrame, scorers: Mapping[str, Recommender]
    ) -> pd.DataFrame:
        X = candidate_features(candidates, frame, scorers, self.items, self.users, self.tags)
        if self.features is None:
            return X
        unknown = [f for f in self.features if f not in X.columns]
        if unknown or not self.features:
            raise ValueError(
                f"features must name some of the available features {list(X.columns)}; "
                f"unknown: {unknown}."
            )
        return X[list(self.features)]

    def _make_ranker(self, columns: pd.Index) -> Any:
        if self.ranker is not None:
            return clone(self.ranker)
        decreasing = {c: -1 for c in columns if c.endswith("_rank")}
        return HistGradientBoostingClassifier(
            monotonic_cst=decreasing or None, random_state=self.random_state
        )

    # -------------------------------------------------------------- scoring
    def candidates(self, users: list[Hashable] | None = None) -> pd.DataFrame:
        """Stage 1 alone: each user's ``n_candidates`` from the fitted retriever."""
        self._check_fitted()
        wanted = list(self.users_) if users is None else users
        return self.retriever_.recommend(users=wanted, n=self.n_candidates)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        r"""The ranker's probability for each user's candidates, -inf for other items.

        Equal probabilities keep the retriever's order: each is lowered by a negligible
        :math:`10^{-12} \times` its retriever rank.
        """
        candidates = self.candidates(list(self.users_[u]))
        X = self._features(candidates, self.interactions_, self.scorers_)
        proba = self.ranker_.predict_proba(X)[:, 1] - 1e-12 * candidates["rank"].to_numpy()
        rows = pd.Index(self.users_[u]).get_indexer(pd.Index(candidates["user"]))
        S = np.full((len(u), len(self.items_)), -np.inf)
        S[rows, self.items_.get_indexer(pd.Index(candidates["item"]))] = proba
        return S

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        users, where = np.unique(u, return_inverse=True)
        S = self._scores(users)[where, i]
        return np.where(np.isfinite(S), S, np.nan)  # outside the candidates: a fallback
