"""The recommenders: one algorithm per module, all on one contract (:mod:`.base`).

Beside them, the pieces recommenders are built from: :mod:`.similarities` (Surprise's
MSD, cosine and Pearson), :mod:`.factorization` (the biased factor model SGD and ALS
share), :mod:`.interaction_base` (implicit-feedback plumbing), :mod:`.coldstart` (the
cold-start strategies as functions of one user's history), :mod:`.private_popularity`,
:mod:`.rerank` (MMR) and :mod:`.surprise_tools` (DataFrame ↔ Surprise).

``SurpriseRecommender`` (any Surprise algorithm behind the same API) is imported on
first use, so that ``import recsys_lab`` works without the ``surprise`` extra.

>>> from recsys_lab.models import PopularityRecommender
>>> import pandas as pd
>>> PopularityRecommender().fit(pd.DataFrame({"user": [1], "item": ["a"]})).items_.tolist()
['a']
"""

from recsys_lab.models.als_mf import ALSMatrixFactorization
from recsys_lab.models.base import Interactions, Recommender, top_n
from recsys_lab.models.baselines import PopularityRecommender, RandomRecommender
from recsys_lab.models.bpr import BPR
from recsys_lab.models.content_based import ContentBasedRecommender
from recsys_lab.models.ease import EASE
from recsys_lab.models.implicit_als import ImplicitALS
from recsys_lab.models.item_cosine import ItemCosine
from recsys_lab.models.knn import KNNRecommender
from recsys_lab.models.knn_means import KNNWithMeans
from recsys_lab.models.segment_popularity import SegmentPopularityRecommender
from recsys_lab.models.sgd_mf import SGDMatrixFactorization

__all__ = [
    "BPR",
    "EASE",
    "ALSMatrixFactorization",
    "ContentBasedRecommender",
    "ImplicitALS",
    "Interactions",
    "ItemCosine",
    "KNNRecommender",
    "KNNWithMeans",
    "PopularityRecommender",
    "RandomRecommender",
    "Recommender",
    "SGDMatrixFactorization",
    "SegmentPopularityRecommender",
    "SurpriseRecommender",
    "top_n",
]


def __getattr__(name: str) -> object:
    if name == "SurpriseRecommender":
        from recsys_lab.models.surprise_adapter import SurpriseRecommender

        return SurpriseRecommender
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
