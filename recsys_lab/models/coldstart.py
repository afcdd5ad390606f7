r"""Cold-start strategies: what to recommend when a user (or an item) brings little history.

New users
    * :func:`popularity` — the most popular items overall, :func:`recent_popularity` over a
      recent window, :func:`segment_popularity` within the user's segment (or region),
      with segments from a sign-up form
      (:func:`recsys_lab.data.movielens.demographic_segments`);
    * :func:`content_based` — cosine between item attributes and a profile built from
      whatever the user touched, :math:`\text{profile} = \frac1{|H|}\sum_{i \in H} f_i`;
    * :func:`fold_in` — collaborative filtering as soon as there is one rating: keep a
      factorization's item factors fixed and solve the newcomer's ridge regression;
    * :func:`hybrid` — switch from content/popularity to collaborative filtering once the
      history reaches ``switch_at`` items, or blend them with weight
      :math:`w = n / (n + k_0)` on the collaborative scores;
    * :func:`elicitation_items` — which items to ask a newcomer to rate.

New items
    * :func:`similar_items` — known items nearest in attribute space, to borrow their
      audience; :func:`boost_new_items` — add an exploration bonus to new items' scores.

Every strategy returns a ranked list of item ids and never recommends what the user has
already touched. The strategies that serve whole user bases also exist as recommenders on
the common API: :class:`~recsys_lab.models.PopularityRecommender`,
:class:`~recsys_lab.models.SegmentPopularityRecommender` and
:class:`~recsys_lab.models.ContentBasedRecommender`. How to compare them on real
newcomers is :mod:`recsys_lab.evaluation.newcomers`, and the set of strategies the
cold-start notebook compares is :func:`recsys_lab.teaching.experiments.newcomer_strategies`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int, check_ratings
from recsys_lab.models.als_mf import ALSMatrixFactorization, fold_in_user
from recsys_lab.models.content_based import unit_rows


def rank_unseen(scores: pd.Series, n: int, exclude: Iterable[Hashable] = ()) -> list:
    """The ``n`` best-scored items, leaving out ``exclude`` (ties: index order).

    >>> rank_unseen(pd.Series({"a": 1.0, "b": 3.0, "c": 2.0}), 2, exclude=["b"])
    ['c', 'a']
    """
    n = check_positive_int(n, "n")
    keep = ~scores.index.isin(list(exclude))
    values = scores.to_numpy(dtype=float)[keep]
    order = np.argsort(-values, kind="stable")[:n]  # NaN (no score) sorts last
    return scores.index[keep][order].tolist()


def popularity(train: pd.DataFrame, n: int = 10, exclude: Iterable[Hashable] = ()) -> list:
    """The ``n`` items with the most distinct users (ties: first seen first).

    >>> popularity(pd.DataFrame({"user": [1, 2, 2], "item": ["a", "b", "a"]}), n=1)
    ['a']
    """
    df = check_ratings(train, columns=("user", "item"))
    counts = df.groupby("item", sort=False)["user"].nunique()
    return rank_unseen(counts, n, exclude)


def recent_popularity(
    train: pd.DataFrame,
    now: pd.Timestamp | str,
    window_days: float = 30,
    n: int = 10,
    exclude: Iterable[Hashable] = (),
) -> list:
    """Popularity over the ``window_days`` before ``now`` (column ``timestamp``).

    >>> t = pd.to_datetime(["2025-01-01", "2025-03-01", "2025-03-02"])
    >>> r = pd.DataFrame({"user": [1, 2, 3], "item": ["old", "new", "new"], "timestamp": t})
    >>> recent_popularity(r, now="2025-03-05", window_days=10, n=2)
    ['new']
    """
    if window_days <= 0:
        raise ValueError(f"window_days must be > 0, got {window_days}.")
    if "timestamp" not in train.columns:
        raise ValueError("train needs a timestamp column for recent popularity.")
    now = pd.Timestamp(now)
    start = now - pd.Timedelta(days=window_days)
    recent = train[(train["timestamp"] > start) & (train["timestamp"] <= now)]
    if recent.empty:
        raise ValueError(
            f"no interaction in the {window_days} days before {now}; widen the window."
        )
    return popularity(recent, n, exclude)


def segment_popularity(
    train: pd.DataFrame,
    users: pd.DataFrame,
    segment: Hashable,
    column: str = "segment",
    n: int = 10,
    exclude: Iterable[Hashable] = (),
) -> list:
    """Popularity among the users of one segment (or region: ``column="region"``).

    >>> r = pd.DataFrame({"user": [1, 2, 3], "item": ["a", "b", "b"]})
    >>> u = pd.DataFrame({"user": [1, 2, 3], "segment": ["x", "y", "y"]})
    >>> segment_popularity(r, u, "x", n=1)
    ['a']
    """
    if column not in users.columns:
        raise ValueError(f"users has no column {column!r}; it has {list(users.columns)}.")
    known = pd.unique(users[column].to_numpy())
    if segment not in set(known):
        raise ValueError(f"Unknown {column} {segment!r}. Known: {sorted(map(str, known))}.")
    members = users.loc[users[column] == segment, "user"]
    return popularity(train[train["user"].isin(members)], n, exclude)


def content_based(
    item_features: pd.DataFrame,
    history: Sequence[Hashable],
    n: int = 10,
    weights: Sequence[float] | None = None,
) -> list:
    """Items most similar (cosine) to the mean attribute vector of what the user touched.

    ``weights`` (e.g. ratings − 3) let liked items pull and disliked ones push.

    >>> f = pd.DataFrame({"x": [1.0, 1.0, 0.0], "y": [0.0, 0.1, 1.0]}, index=["a", "b", "c"])
    >>> content_based(f, ["a"], n=1)
    ['b']
    """
    if len(history) == 0:
        raise ValueError("content_based needs at least one touched item; use popularity first.")
    unit = unit_rows(item_features)
    missing = [i for i in history if i not in unit.index]
    if missing:
        raise ValueError(f"item(s) {missing[:5]} have no attributes in item_features.")
    w = np.ones(len(history)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(history),):
        raise ValueError("weights must have one value per history item.")
    profile = (unit.loc[list(history)].to_numpy() * w[:, None]).sum(axis=0) / len(history)
    return rank_unseen(pd.Series(unit.to_numpy() @ profile, index=unit.index), n, history)


def fold_in(
    model: ALSMatrixFactorization, history: pd.DataFrame, reg: float | None = None
) -> pd.Series:
    """Scores for every item for a newcomer, from a fitted ALS model and a few ratings.

    The item factors stay fixed; the newcomer's :math:`(p, b)` is the ridge regression
    of ``rating - mu - b_i`` on :math:`[q_i, 1]` — one step of ALS, for one user.
    Items unknown to the model are ignored.

    Returns a Series item → estimated rating (unclipped).
    """
    if not hasattr(model, "item_factors_"):
        raise RuntimeError("fit the ALS model before folding a newcomer in.")
    missing = {"item", "rating"} - set(history.columns)
    if missing:
        raise ValueError(f"history needs columns item and rating; it lacks {sorted(missing)}.")
    ratings = history["rating"].to_numpy(float)
    if np.isnan(ratings).any():
        raise ValueError("history has missing ratings; drop them before folding in.")
    codes = model.items_.get_indexer(pd.Index(history["item"].to_numpy()))
    known = codes >= 0
    mu = model.global_mean_ if model.biased else 0.0
    if not known.any():
        p = np.zeros(model.item_factors_.shape[1])
        b = 0.0
    else:
        rows = codes[known]
        p, b = fold_in_user(
            model.item_factors_[rows],
            model.item_bias_[rows],
            ratings[known],
            mu,
            model.reg if reg is None else reg,
        )
    scores = mu + b + model.item_bias_ + model.item_factors_ @ p
    return pd.Series(scores, index=model.items_)


def hybrid(
    history: pd.DataFrame,
    cold: Callable[[pd.DataFrame], list],
    warm: Callable[[pd.DataFrame], pd.Series],
    n: int = 10,
    switch_at: int | None = 5,
    blend_k0: float | None = None,
) -> list:
    """Switch (or blend) from a cold-start strategy to collaborative filtering.

    ``cold(history)`` returns a ranked list; ``warm(history)`` returns scores per item.
    With ``switch_at``, histories of at least that length use ``warm`` alone. With
    ``blend_k0`` instead, both rankings are turned into scores in [0, 1] (by rank) and
    mixed with weight :math:`w = n / (n + k_0)` on ``warm``.

    >>> cold = lambda h: ["p", "q", "r"]
    >>> warm = lambda h: pd.Series({"p": 1.0, "q": 3.0, "r": 2.0})
    >>> none = pd.DataFrame({"item": [], "rating": []})
    >>> hybrid(none, cold, warm, n=2, switch_at=1)  # no history yet: the cold strategy
    ['p', 'q']
    >>> hybrid(none, cold, warm, n=2, switch_at=0)  # switched: collaborative scores
    ['q', 'r']
    """
    n = check_positive_int(n, "n")
    seen = set(history["item"]) if len(history) else set()
    if switch_at is not None and blend_k0 is None:
        if len(history) >= switch_at:
            return rank_unseen(warm(history), n, seen)
        return [i for i in cold(history) if i not in seen][:n]
    if switch_at is not None or blend_k0 is None:
        raise ValueError("give exactly one of switch_at (switching) or blend_k0 (blending).")
    if blend_k0 <= 0:
        raise ValueError(f"blend_k0 must be > 0, got {blend_k0}.")
    w = len(history) / (len(history) + blend_k0)
    warm_rank = warm(history).rank(ascending=False, method="first")
    warm_score = 1 - (warm_rank - 1) / max(len(warm_rank), 1)
    cold_list = cold(history)
    cold_score = pd.Series(
        1 - np.arange(len(cold_list)) / max(len(cold_list), 1), index=cold_list, dtype=float
    )
    mixed = (w * warm_score).add((1 - w) * cold_score, fill_value=0.0)
    return rank_unseen(mixed, n, seen)


def elicitation_items(
    train: pd.DataFrame,
    k: int = 10,
    strategy: str = "popularity_entropy",
    item_categories: pd.Series | None = None,
    random_state: int = 0,
) -> list:
    r"""Which ``k`` items to ask a newcomer to rate.

    ``"popularity_entropy"``: items many people rated *and* disagree on,
    :math:`\log(1 + n_i) \cdot H_i` with :math:`H_i` the entropy of item :math:`i`'s
    rating distribution (Rashid et al., 2002). ``"coverage"``: the same score, but taken
    round-robin over ``item_categories`` so every interest gets a question.
    ``"random"``: a seeded random draw (the baseline).

    >>> r = pd.DataFrame({"user": [1, 2, 3, 1, 2], "item": list("aaabb"),
    ...                   "rating": [1, 5, 3, 4, 4]})
    >>> elicitation_items(r, k=1)
    ['a']
    """
    k = check_positive_int(k, "k")
    df = check_ratings(train)
    if strategy == "random":
        items = pd.unique(df["item"].to_numpy())
        pick = np.random.default_rng(random_state).permutation(len(items))[:k]
        return items[pick].tolist()
    counts = df.groupby(["item", "rating"], sort=False).size().unstack(fill_value=0)
    share = counts.div(counts.sum(axis=1), axis=0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(share > 0, share * np.log2(share), 0.0), axis=1)
    score = pd.Series(np.log1p(counts.sum(axis=1).to_numpy()) * entropy, index=counts.index)
    if strategy == "popularity_entropy":
        return rank_unseen(score, k, ())
    if strategy != "coverage":
        raise ValueError(
            f"Unknown strategy {strategy!r}. Choose one of: popularity_entropy, coverage, random."
        )
    if item_categories is None:
        raise ValueError("strategy='coverage' needs item_categories (item → category).")
    ranked = score.sort_values(ascending=False, kind="stable")
    cats = item_categories.reindex(ranked.index)
    queues = {c: list(ranked.index[cats.to_numpy() == c]) for c in pd.unique(cats.dropna())}
    picked: list = []
    while len(picked) < k and any(queues.values()):
        for c in sorted(queues, key=lambda c: -score[queues[c][0]] if queues[c] else 0):
            if queues[c] and len(picked) < k:
                picked.append(queues[c].pop(0))
    return picked


def similar_items(item_features: pd.DataFrame, item: Hashable, n: int = 5) -> pd.Series:
    """The ``n`` known items most similar (cosine) to ``item`` — e.g. a new one.

    >>> f = pd.DataFrame({"x": [1.0, 0.9, 0.0], "y": [0.0, 0.1, 1.0]}, index=["new", "b", "c"])
    >>> similar_items(f, "new", n=1).index.tolist()
    ['b']
    """
    unit = unit_rows(item_features)
    if item not in unit.index:
        raise ValueError(f"item {item!r} has no attributes; add a row for it to item_features.")
    sims = pd.Series(unit.to_numpy() @ unit.xs(item).to_numpy(), index=unit.index)
    return sims.drop(index=item).sort_values(ascending=False, kind="stable").head(n)


def boost_new_items(scores: pd.Series, new_items: Iterable[Hashable], boost: float) -> pd.Series:
    """Add an exploration bonus to items with no data yet, so they get shown at all.

    >>> boost_new_items(pd.Series({"old": 4.0, "new": 3.5}), ["new"], boost=1.0).idxmax()
    'new'
    """
    if boost < 0:
        raise ValueError(f"boost must be >= 0, got {boost}.")
    out = scores.astype(float).copy()
    new = [i for i in new_items if i in out.index]
    out.loc[new] += boost
    return out
