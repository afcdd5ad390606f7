"""Exercises of the notebook on beyond-accuracy metrics.

>>> q3.verdict(0.5).status
'correct'
"""

from __future__ import annotations

from recsys_lab import metrics
from recsys_lab.exercises import Exercise
from recsys_lab.experiments import shop_experiment


def _narrowest() -> str:
    exp = shop_experiment()
    coverage = {
        name: metrics.catalog_coverage(recs, exp.shop.items["item"])
        for name, recs in exp.recs.items()
    }
    return min(coverage, key=coverage.__getitem__)


q1 = Exercise(
    prompt="Ann's list is ['a', 'b', 'c'] and her relevant items are {'b', 'x'}. "
    "What is her NDCG@3 (binary gain)?",
    expected=lambda: metrics.ndcg_at_k({"ann": ["a", "b", "c"]}, {"ann": ["b", "x"]}, k=3),
    hint="DCG = 1/log2(3) (the hit is at rank 2); the ideal list has both hits at ranks 1, 2.",
    solution="(1 / log2(3)) / (1 / log2(2) + 1 / log2(3)) ≈ 0.387\n"
    'metrics.ndcg_at_k({"ann": ["a", "b", "c"]}, {"ann": ["b", "x"]}, k=3)',
    tolerance=1e-3,
)

q2 = Exercise(
    prompt="Of the four recommenders in this notebook, which has the lowest catalog "
    "coverage? (its name, e.g. 'random')",
    expected=_narrowest,
    hint="Look at the catalog_coverage row of evaluation.table().",
    solution='evaluation.table().loc["catalog_coverage"].idxmin()',
)

q3 = Exercise(
    prompt="What is the personalization of two users' lists ['a', 'b'] and ['b', 'c']?",
    expected=lambda: metrics.personalization({"u": ["a", "b"], "v": ["b", "c"]}),
    hint="They share one of two items: cosine overlap 1/2.",
    solution='metrics.personalization({"u": ["a", "b"], "v": ["b", "c"]})  # 1 - 1/2',
)
