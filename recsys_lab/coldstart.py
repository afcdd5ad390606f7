r"""Cold start: what to recommend when a user (or an item) brings little or no history.

New users
    * :func:`popularity` — the most popular items overall, :func:`recent_popularity` over a
      recent window, :func:`segment_popularity` within the user's segment (or region);
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

Evaluation
    * :func:`evaluate_by_history` — the same metrics for every strategy, for newcomers
      with 0, 1–2, 3–5, 6–10 and more than 10 known ratings, so crossovers are visible.

Every strategy returns a ranked list of item ids and never recommends what the user has
already touched. The strategies that serve whole user bases also exist as recommenders on
the common API: :class:`~recsys_lab.models.PopularityRecommender`,
:class:`~recsys_lab.models.SegmentPopularityRecommender` and
:class:`~recsys_lab.models.ContentBasedRecommender`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int, check_ratings
from recsys_lab.models.als_mf import ALSMatrixFactorization
from recsys_lab.models.content_based import unit_rows

BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("0", 0, 0),
    ("1–2", 1, 2),
    ("3–5", 3, 5),
    ("6–10", 6, 10),
    (">10", 11, 10**9),
)


def rank_unseen(scores: pd.Series, n: int, exclude: Iterable[Hashable] = ()) -> list:
    """The ``n`` best-scored items, leaving out ``exclude`` (ties: index order).

    >>> rank_unseen(pd.Series({"a": 1.0, "b": 3.0, "c": 2.0}), 2, exclude=["b"])
    ['c', 'a']
    """
    n = check_positive_int(n, "n")
    scores = scores.drop(index=list(set(exclude) & set(scores.index)))
    return scores.sort_values(ascending=False, kind="stable").index[:n].tolist()


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
    h = check_ratings(history, columns=("item", "rating")) if len(history) else history
    codes = model.items_.get_indexer(pd.Index(h["item"])) if len(h) else np.array([], dtype=int)
    known = codes >= 0
    mu = model.global_mean_ if model.biased else 0.0
    if not known.any():
        p = np.zeros(model.item_factors_.shape[1])
        b = 0.0
    else:
        X = np.column_stack([model.item_factors_[codes[known]], np.ones(known.sum())])
        y = h["rating"].to_numpy(float)[known] - mu - model.item_bias_[codes[known]]
        lam = (model.reg if reg is None else reg) * known.sum()
        w = np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)
        p, b = w[:-1], w[-1]
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


def history_bucket(n: int) -> str:
    """The bucket label of a history length: '0', '1–2', '3–5', '6–10' or '>10'."""
    for label, lo, hi in BUCKETS:
        if lo <= n <= hi:
            return label
    raise ValueError(f"history length must be >= 0, got {n}.")


def evaluate_by_history(
    strategies: Mapping[str, Callable[[Hashable, pd.DataFrame], list]],
    newcomers: pd.DataFrame,
    lengths: Sequence[int] = (0, 2, 5, 10, 15),
    n_truth: int = 10,
    k: int = 10,
    relevant: float = 4,
    truth: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Recall@k of every strategy for newcomers with ``h`` known ratings, for each ``h``.

    Each newcomer's ratings are sorted by time; the last ``n_truth`` are the future
    and the first ``h`` are the known history given to ``strategy(user, history)``.
    Every strategy sees the same users and histories.

    Parameters
    ----------
    strategies : mapping of name to callable
        ``strategy(user, history) -> ranked list of items``, e.g.
        :func:`newcomer_strategies`.
    newcomers : DataFrame
        ``user, item, rating, timestamp`` of the users to evaluate; each needs
        ``max(lengths) + n_truth`` ratings.
    lengths : sequence of int
        The history lengths ``h`` to evaluate.
    n_truth : int, default 10
        How many of each newcomer's latest ratings are held out as the future.
    k : int, default 10
        The cut-off of recall@k.
    relevant : float, default 4
        Future ratings at least this high are what a good list contains.
    truth : DataFrame, optional
        ``user, item`` replacing the future ratings as what a good list contains —
        e.g. each user's true favourites in a synthetic data set
        (:func:`recsys_lab.datasets.true_favourites`), free of exposure bias.

    Returns
    -------
    DataFrame
        ``strategy, history, bucket, recall, users``: one row per strategy and ``h``.
    """
    from recsys_lab.metrics import recall_at_k

    need = max(lengths) + n_truth
    df = newcomers.sort_values("timestamp", kind="stable")
    sizes = df.groupby("user").size()
    short = sizes[sizes < need]
    if len(short):
        raise ValueError(
            f"{len(short)} newcomer(s) have fewer than {need} ratings, e.g. user "
            f"{short.index[0]!r}; choose users with more history."
        )
    rows = []
    groups = {u: g for u, g in df.groupby("user", sort=False)}
    if truth is None:
        truth = pd.concat(
            [g.tail(n_truth)[g.tail(n_truth)["rating"] >= relevant] for g in groups.values()]
        )
    else:
        truth = truth[truth["user"].isin(groups)]
    for h in lengths:
        histories = {u: g.head(h) for u, g in groups.items()}
        for name, strategy in strategies.items():
            recs = {u: strategy(u, histories[u]) for u in groups}
            rows.append(
                {
                    "strategy": name,
                    "history": h,
                    "bucket": history_bucket(h),
                    "recall": recall_at_k(recs, truth, k),
                    "users": truth["user"].nunique(),
                }
            )
    return pd.DataFrame(rows)


def newcomer_strategies(
    train: pd.DataFrame,
    users: pd.DataFrame,
    item_features: pd.DataFrame,
    model: ALSMatrixFactorization,
    n: int = 10,
    switch_at: int = 3,
) -> dict[str, Callable[[Hashable, pd.DataFrame], list]]:
    """The strategies notebook 05 compares, as ``strategy(user, history) -> list``.

    popularity; segment popularity (the user's ``segment`` in ``users``); content-based
    (history weighted by rating − 2.5, popularity while empty); ALS fold-in; and a hybrid
    that switches from popularity to fold-in at ``switch_at`` ratings.
    """
    fitted = train[train["item"].isin(model.items_)]
    pop = popularity(fitted, n=len(model.items_))
    segment_of = users.set_index("user")["segment"]
    segment_lists = {
        s: segment_popularity(fitted, users, s, n=len(model.items_))
        for s in pd.unique(users["segment"])
    }

    def popular(user: Hashable, h: pd.DataFrame) -> list:
        seen = set(h["item"])
        return [i for i in pop if i not in seen][:n]

    def by_segment(user: Hashable, h: pd.DataFrame) -> list:
        if user not in segment_of.index:
            raise ValueError(f"Unknown user {user!r}: no segment known for them.")
        seen = set(h["item"])
        return [i for i in segment_lists[segment_of[user]] if i not in seen][:n]

    def content(user: Hashable, h: pd.DataFrame) -> list:
        if len(h) == 0:
            return popular(user, h)
        return content_based(item_features, list(h["item"]), n, (h["rating"] - 2.5).tolist())

    def folded(user: Hashable, h: pd.DataFrame) -> list:
        return rank_unseen(fold_in(model, h), n, h["item"])

    def switching(user: Hashable, h: pd.DataFrame) -> list:
        return hybrid(h, lambda hh: popular(user, hh), lambda hh: fold_in(model, hh), n, switch_at)

    return {
        "popularity": popular,
        "segment popularity": by_segment,
        "content": content,
        "ALS fold-in": folded,
        f"hybrid (switch at {switch_at})": switching,
    }


def switch_point(results: pd.DataFrame, cold: str, warm: str) -> int | None:
    """The shortest history at which ``warm`` does at least as well as ``cold``.

    ``results`` is :func:`evaluate_by_history`'s table; None if ``warm`` never catches up.

    >>> t = pd.DataFrame({"strategy": ["c", "w", "c", "w"], "history": [0, 0, 5, 5],
    ...                   "recall": [0.2, 0.1, 0.2, 0.3]})
    >>> switch_point(t, cold="c", warm="w")
    5
    """
    wide = results.pivot(index="history", columns="strategy", values="recall")
    for name in (cold, warm):
        if name not in wide.columns:
            raise ValueError(f"Unknown strategy {name!r}. Known: {list(wide.columns)}.")
    ahead = wide.index[wide[warm] >= wide[cold]]
    return int(ahead.min()) if len(ahead) else None


def evaluate_elicitation(
    questions: Mapping[str, Sequence[Hashable]],
    newcomers: pd.DataFrame,
    model: ALSMatrixFactorization,
    truth: pd.DataFrame,
    k: int = 10,
) -> pd.DataFrame:
    """Ask each newcomer the same items; fold in the answers; score the lists.

    A newcomer can answer only about items they actually rated (their rating is the
    answer); the others are "never heard of it". Returns ``strategy, answered`` (mean
    number of answers per newcomer) and ``recall`` (recall@k against ``truth``).
    """
    from recsys_lab.metrics import recall_at_k

    rows = []
    by_user = {u: g for u, g in newcomers.groupby("user", sort=False)}
    for name, items in questions.items():
        answers = {u: g[g["item"].isin(list(items))] for u, g in by_user.items()}
        recs = {u: rank_unseen(fold_in(model, a), k, a["item"]) for u, a in answers.items()}
        rows.append(
            {
                "strategy": name,
                "answered": float(np.mean([len(a) for a in answers.values()])),
                "recall": recall_at_k(recs, truth[truth["user"].isin(by_user)], k),
            }
        )
    return pd.DataFrame(rows)
