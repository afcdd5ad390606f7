"""Ready-made experiments on the synthetic shop, shared by notebooks and their exercises."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from recsys_lab import datasets, model_selection
from recsys_lab.models.baselines import PopularityRecommender, RandomRecommender
from recsys_lab.neighbors import KNNRecommender


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
