"""Cold start in one place: the strategies, their evaluation on newcomers, private popularity.

The short path the cold-start notebook uses. The code lives by layer:
:mod:`recsys_lab.models.coldstart` (the strategies), :mod:`recsys_lab.evaluation.newcomers`
(scoring them on real newcomers, history length by history length),
:mod:`recsys_lab.models.private_popularity` (user-level differential privacy) and
:func:`recsys_lab.teaching.experiments.movielens_newcomers` (the notebook's set-up).

>>> from recsys_lab import coldstart
>>> coldstart.history_bucket(4)
'3–5'
"""

from recsys_lab.evaluation.newcomers import (
    BUCKETS,
    evaluate_by_history,
    evaluate_elicitation,
    history_bucket,
    newcomers_by_time,
    paired_by_history,
    summarize_by_history,
    switch_point,
)
from recsys_lab.models.coldstart import (
    AGE_BANDS,
    boost_new_items,
    content_based,
    demographic_segments,
    elicitation_items,
    fold_in,
    hybrid,
    newcomer_strategies,
    popularity,
    rank_unseen,
    recent_popularity,
    segment_popularity,
    similar_items,
)
from recsys_lab.models.private_popularity import (
    clipped_counts,
    private_counts,
    private_popularity,
    private_top_n_overlap,
)
from recsys_lab.teaching.experiments import NewcomerExperiment, movielens_newcomers

__all__ = [
    "AGE_BANDS",
    "BUCKETS",
    "NewcomerExperiment",
    "boost_new_items",
    "clipped_counts",
    "content_based",
    "demographic_segments",
    "elicitation_items",
    "evaluate_by_history",
    "evaluate_elicitation",
    "fold_in",
    "history_bucket",
    "hybrid",
    "movielens_newcomers",
    "newcomer_strategies",
    "newcomers_by_time",
    "paired_by_history",
    "popularity",
    "private_counts",
    "private_popularity",
    "private_top_n_overlap",
    "rank_unseen",
    "recent_popularity",
    "segment_popularity",
    "similar_items",
    "summarize_by_history",
    "switch_point",
]
