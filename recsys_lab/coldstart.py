"""Cold start in one place: the strategies, their evaluation on newcomers, private popularity.

The short path the cold-start notebook uses. The code lives by layer:

* :mod:`recsys_lab.models.coldstart` — the strategies;
* :mod:`recsys_lab.models.private_popularity` — popularity under user-level
  differential privacy;
* :mod:`recsys_lab.evaluation.newcomers` — scoring strategies on real newcomers, history
  length by history length;
* :func:`recsys_lab.data.splits.newcomers_by_time` — who the newcomers are, and
  :func:`recsys_lab.data.movielens.demographic_segments` — their sign-up segments;
* :mod:`recsys_lab.teaching.experiments` — the notebook's set-up
  (:func:`~recsys_lab.teaching.experiments.movielens_newcomers`,
  :func:`~recsys_lab.teaching.experiments.newcomer_strategies`).

>>> from recsys_lab import coldstart
>>> coldstart.history_bucket(4)
'3–5'
"""

from recsys_lab.data.movielens import AGE_BANDS, demographic_segments
from recsys_lab.data.splits import newcomers_by_time
from recsys_lab.evaluation.newcomers import (
    BUCKETS,
    evaluate_by_history,
    evaluate_elicitation,
    history_bucket,
    paired_by_history,
    summarize_by_history,
    switch_point,
)
from recsys_lab.models.coldstart import (
    boost_new_items,
    content_based,
    elicitation_items,
    fold_in,
    hybrid,
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
from recsys_lab.teaching.experiments import (
    NewcomerExperiment,
    movielens_newcomers,
    newcomer_strategies,
)

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
