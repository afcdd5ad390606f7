"""Metrics for recommenders: accuracy, ranking, beyond accuracy, business.

Definitions (each function's docstring has its formula and a tiny example):
:mod:`~recsys_lab.evaluation.metrics.accuracy`, :mod:`~recsys_lab.evaluation.metrics.ranking`,
:mod:`~recsys_lab.evaluation.metrics.beyond`, :mod:`~recsys_lab.evaluation.metrics.business`;
:func:`evaluate` scores several models at once with intervals and paired tests, and
:func:`sampled_ranking` (:mod:`.sampled`) the sampled metrics that full
ranking, the default, replaces.
Lists are a DataFrame ``user, item, rank`` or a mapping user → ranked items.

>>> from recsys_lab import metrics
>>> metrics.precision_at_k({"ann": ["a", "b"]}, {"ann": ["a"]}, k=2)
0.5
"""

from recsys_lab.evaluation.metrics.accuracy import mae, rmse
from recsys_lab.evaluation.metrics.beyond import (
    aplt,
    arp,
    calibration,
    catalog_coverage,
    category_table,
    entropy,
    exposure,
    fairness_gap,
    gini,
    group_means,
    intra_list_diversity,
    item_features,
    novelty,
    personalization,
    popular_unseen,
    prediction_coverage,
    serendipity,
)
from recsys_lab.evaluation.metrics.business import conversion, ctr
from recsys_lab.evaluation.metrics.evaluate import Evaluation, evaluate, set_level_resamples
from recsys_lab.evaluation.metrics.fairness import group_comparison
from recsys_lab.evaluation.metrics.ranking import (
    f1_at_k,
    hit_rate_at_k,
    map_at_k,
    mrr,
    ndcg_at_k,
    per_user,
    precision_at_k,
    recall_at_k,
)
from recsys_lab.evaluation.metrics.sampled import sampled_hit_probability, sampled_ranking

__all__ = [
    "Evaluation",
    "aplt",
    "arp",
    "calibration",
    "catalog_coverage",
    "category_table",
    "conversion",
    "ctr",
    "entropy",
    "evaluate",
    "exposure",
    "f1_at_k",
    "fairness_gap",
    "gini",
    "group_comparison",
    "group_means",
    "hit_rate_at_k",
    "intra_list_diversity",
    "item_features",
    "mae",
    "map_at_k",
    "mrr",
    "ndcg_at_k",
    "novelty",
    "per_user",
    "personalization",
    "popular_unseen",
    "precision_at_k",
    "prediction_coverage",
    "recall_at_k",
    "rmse",
    "sampled_hit_probability",
    "sampled_ranking",
    "serendipity",
    "set_level_resamples",
]
