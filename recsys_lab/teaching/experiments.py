"""Ready-made experiments shared by notebooks and their exercises (the notebooks' wiring).

Each is cached: the notebook and its exercise checkers see the very same split, models
and lists, computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cache

import pandas as pd

from recsys_lab import data as datasets
from recsys_lab._validation import check_positive_int
from recsys_lab.data.movielens import MovieLens, demographic_segments
from recsys_lab.data.splits import newcomers_by_time
from recsys_lab.evaluation import model_selection
from recsys_lab.evaluation.metrics.beyond import category_table, item_features
from recsys_lab.models import ALSMatrixFactorization, KNNRecommender, Recommender
from recsys_lab.models.baselines import PopularityRecommender, RandomRecommender
from recsys_lab.models.coldstart import (
    content_based,
    fold_in,
    hybrid,
    popularity,
    rank_unseen,
    segment_popularity,
)
from recsys_lab.models.content_based import unit_rows

AGE_BANDS = (0, 25, 35, 45, 200)
AGE_LABELS = ("under 25", "25-34", "35-44", "45+")


@dataclass(frozen=True)
class ShopExperiment:
    """Train/test split of the shop, the models fitted on it, and their top-n lists.

    ``truth`` keeps the held-out ratings of 4 or 5 stars: what a user would have liked.
    """

    shop: datasets.MarketingData
    train: pd.DataFrame
    test: pd.DataFrame
    truth: pd.DataFrame
    models: dict
    recs: dict


@cache
def shop_experiment(n: int = 10, test_fraction: float = 0.2) -> ShopExperiment:
    """Random, popularity, user-KNN and item-KNN on each user's latest ratings.

    Cached: calling it again returns the same (immutable) result at once.

    >>> exp = shop_experiment()
    >>> sorted(exp.recs)
    ['item-knn', 'popularity', 'random', 'user-knn']
    """
    shop = datasets.load_marketing()
    train, test = model_selection.split_by_time(shop.ratings, test_fraction)
    truth = test[test["rating"] >= 4]
    users = truth["user"].unique()
    models = {
        "random": RandomRecommender(random_state=0),
        "popularity": PopularityRecommender(),
        "user-knn": KNNRecommender(k=10),
        "item-knn": KNNRecommender(k=20, similarity="cosine", user_based=False),
    }
    recs = {name: m.fit(train).recommend(users=users, n=n) for name, m in models.items()}
    return ShopExperiment(shop, train, test, truth, models, recs)


@dataclass(frozen=True)
class MovieLensExperiment:
    """Six recommenders' top-n lists on a seeded per-user split of MovieLens-100k.

    Attributes
    ----------
    data : MovieLens
        The ratings, films (title, year, genres) and users (age, gender, …).
    train, test : DataFrame
        ``user, item, rating, timestamp``: a random 80/20 split of each user's ratings
        (:func:`recsys_lab.evaluation.model_selection.per_user_split`). *Every* held-out rating is
        relevant, whatever its stars (the protocol of the widely reported ML-100k
        top-10 figures); its ``rating`` is the gain of graded NDCG.
    users : Index
        The users with held-out ratings (all 943).
    models : dict
        Name → fitted recommender.
    recs : dict
        Name → top-``n`` lists (``user, item, score, rank, fallback``), seen films
        excluded, ranked on the models' unclipped scores.
    items : DataFrame
        The catalog as ``item, category``, one row per film and genre
        (:func:`recsys_lab.evaluation.metrics.beyond.category_table`).
    features : DataFrame
        Multi-hot genre vectors indexed by item, for intra-list diversity and MMR.
    groups : DataFrame
        Indexed by user: ``gender`` and ``age`` band (``under 25``, ``25-34``,
        ``35-44``, ``45+``).
    """

    data: MovieLens
    train: pd.DataFrame
    test: pd.DataFrame
    users: pd.Index
    models: dict[str, Recommender]
    recs: dict[str, pd.DataFrame]
    items: pd.DataFrame
    features: pd.DataFrame
    groups: pd.DataFrame

    def titles(self, items: pd.Series | list) -> list[str]:
        """``"Title (year)"`` for each item id (titles repeat; the year tells them apart)."""
        films = self.data.items.set_index("item")
        year = films["year"].astype("string").fillna("?")
        label = films["title"] + " (" + year + ")"
        return label.reindex(list(items)).tolist()


def movielens_models() -> dict[str, Recommender]:
    """The six recommenders compared, unfitted, with their parameters (none tuned here).

    KNN models predict ratings from at least ``min_k = 5`` neighbours: with Surprise's
    default of one, a single neighbour's five stars can put an obscure film at the top.
    SVD (Surprise) and ALS keep their default settings.
    """
    from surprise import SVD

    from recsys_lab.models.surprise_adapter import SurpriseRecommender

    return {
        "popularity": PopularityRecommender(),
        "random": RandomRecommender(random_state=0),
        "item-knn": KNNRecommender(k=40, similarity="cosine", user_based=False, min_k=5),
        "user-knn": KNNRecommender(k=40, similarity="msd", min_k=5),
        "svd": SurpriseRecommender(SVD(random_state=0)),
        "als": ALSMatrixFactorization(random_state=0),
    }


@cache
def movielens_experiment(n: int = 10, test_size: float = 0.2) -> MovieLensExperiment:
    """Fit :func:`movielens_models` on 80 % of each user's ML-100k ratings; top-``n`` lists.

    Cached: calling it again returns the same (immutable) result at once.

    >>> exp = movielens_experiment()
    >>> len(exp.train), len(exp.test), list(exp.recs)
    (80000, 20000, ['popularity', 'random', 'item-knn', 'user-knn', 'svd', 'als'])
    """
    data = datasets.load_movielens("100k")
    train, test = model_selection.per_user_split(data.ratings, test_size, random_state=0)
    users = pd.Index(pd.unique(test["user"]), name="user")
    models = movielens_models()
    recs = {name: m.fit(train).recommend(users=users, n=n) for name, m in models.items()}
    people = data.users.set_index("user") if data.users is not None else pd.DataFrame()
    groups = pd.DataFrame(
        {
            "gender": people["gender"],
            "age": pd.cut(people["age"], AGE_BANDS, right=False, labels=list(AGE_LABELS)),
        }
    )
    return MovieLensExperiment(
        data=data,
        train=train,
        test=test,
        users=users,
        models=models,
        recs=recs,
        items=category_table(data.items),
        features=item_features(data.items, multilabel=["genres"]),
        groups=groups,
    )


@dataclass(frozen=True)
class NewcomerExperiment:
    """Everything the newcomer comparison needs, built one way for notebook and benchmark."""

    train: pd.DataFrame
    newcomers: pd.DataFrame
    segments: pd.DataFrame
    genres: pd.DataFrame
    model: ALSMatrixFactorization
    strategies: dict[str, Callable[[Hashable, pd.DataFrame], list]]


def movielens_newcomers(
    ml: object,
    cutoff: str = "1998-01-01",
    min_ratings: int = 30,
    switch_at: int = 5,
    blend_k0: float = 5.0,
    min_count: int = 20,
) -> NewcomerExperiment:
    """MovieLens newcomers by time, demographic segments, one-hot genres and a fitted ALS.

    ``ml`` is :func:`recsys_lab.datasets.load_movielens`'s result. Training data: every
    rating before ``cutoff``; newcomers: users whose first rating is at or after it and
    who rated at least ``min_ratings`` films (so every history length can be scored).
    ALS: 20 factors, 10 sweeps, ``reg=0.2``, seed 0. Strategies: :func:`newcomer_strategies`.
    """
    train, new = newcomers_by_time(ml.ratings, cutoff)  # type: ignore[attr-defined]
    sizes = new.groupby("user").size()
    new = new[new["user"].isin(sizes.index[sizes >= min_ratings])]
    segments = demographic_segments(ml.users)  # type: ignore[attr-defined]
    genres = ml.items.set_index("item")["genres"].str.get_dummies("|")  # type: ignore[attr-defined]
    model = ALSMatrixFactorization(n_factors=20, n_iter=10, reg=0.2, random_state=0)
    model.fit(train[["user", "item", "rating"]])
    strategies = newcomer_strategies(
        train, segments, genres, model, 10, switch_at, blend_k0, min_count=min_count
    )
    return NewcomerExperiment(train, new, segments, genres, model, strategies)


def newcomer_strategies(
    train: pd.DataFrame,
    users: pd.DataFrame,
    item_features: pd.DataFrame,
    model: ALSMatrixFactorization,
    n: int = 10,
    switch_at: int = 3,
    blend_k0: float | None = None,
    segment: str = "segment",
    min_count: int = 1,
) -> dict[str, Callable[[Hashable, pd.DataFrame], list]]:
    """The strategies the cold-start notebook compares, as ``strategy(user, history) -> list``.

    popularity; segment popularity (the user's ``segment`` column in ``users``, e.g. an
    age band × gender built from demographics); content-based (history weighted by
    rating − 2.5, popularity while empty); ALS fold-in; a hybrid that switches from
    segment popularity to fold-in at ``switch_at`` ratings; and, with ``blend_k0``, a
    hybrid that blends the two with weight :math:`h / (h + k_0)` on fold-in.

    Every strategy recommends only items with at least ``min_count`` training ratings:
    a model fitted for rating accuracy otherwise ranks first the obscure items whose
    one or two ratings were 5 stars (a large item bias on no evidence).
    """
    min_count = check_positive_int(min_count, "min_count")
    per_item = train.groupby("item")["user"].nunique()
    candidates = model.items_.intersection(per_item.index[per_item >= min_count], sort=False)
    if candidates.empty:
        raise ValueError(f"no item has {min_count} training ratings; lower min_count.")
    fitted = train[train["item"].isin(candidates)]
    item_features = unit_rows(item_features.loc[item_features.index.intersection(candidates)])
    pop = popularity(fitted, n=len(candidates))
    segment_of = users.set_index("user")[segment]
    segment_lists = {
        s: segment_popularity(fitted, users, s, column=segment, n=len(candidates))
        for s in pd.unique(users[segment])
    }

    def popular(user: Hashable, h: pd.DataFrame) -> list:
        seen = set(h["item"])
        return [i for i in pop if i not in seen][:n]

    def by_segment(user: Hashable, h: pd.DataFrame) -> list:
        if user not in segment_of.index:
            raise ValueError(f"Unknown user {user!r}: no {segment} known for them.")
        seen = set(h["item"])
        return [i for i in segment_lists[segment_of[user]] if i not in seen][:n]

    def content(user: Hashable, h: pd.DataFrame) -> list:
        h = h[h["item"].isin(item_features.index)]
        if len(h) == 0:
            return popular(user, h)
        return content_based(item_features, list(h["item"]), n, (h["rating"] - 2.5).tolist())

    def warm(h: pd.DataFrame) -> pd.Series:
        return fold_in(model, h).reindex(candidates)

    def folded(user: Hashable, h: pd.DataFrame) -> list:
        return rank_unseen(warm(h), n, h["item"])

    def switching(user: Hashable, h: pd.DataFrame) -> list:
        return hybrid(h, lambda hh: by_segment(user, hh), warm, n, switch_at)

    out: dict[str, Callable[[Hashable, pd.DataFrame], list]] = {
        "popularity": popular,
        "segment popularity": by_segment,
        "content": content,
        "ALS fold-in": folded,
        f"switch at {switch_at}": switching,
    }
    if blend_k0 is not None:

        def blending(user: Hashable, h: pd.DataFrame) -> list:
            return hybrid(
                h,
                lambda hh: by_segment(user, hh),
                warm,
                n,
                switch_at=None,
                blend_k0=blend_k0,
            )

        out[f"blend (k0 = {blend_k0:g})"] = blending
    return out
