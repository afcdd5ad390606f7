"""Exercises of the notebook on beyond-accuracy metrics (MovieLens-100k).

Three ask for a function, checked on hidden cases against the package's own metric; the
others ask for something the notebook does not print: a test to run, a convention to
change, a count to reason out.

>>> q1.verdict(Ellipsis).status, q6.verdict(1.2).status
('not attempted', 'correct')
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import cast

import pandas as pd

from recsys_lab.evaluation import metrics, stats
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise
from recsys_lab.teaching.experiments import AGE_LABELS, movielens_experiment, movielens_models


# ----------------------------------------------------------------- write a function
def _ndcg(ranked: Sequence[Hashable], relevant: Iterable[Hashable], k: int) -> float:
    return metrics.ndcg_at_k({0: list(ranked)}, {0: list(relevant)}, k=k)


q1 = FunctionExercise(
    "ndcg_at_k",
    prompt="Write ndcg_at_k(ranked, relevant, k): one user's NDCG@k with binary gain. "
    "ranked is the list, best first; relevant a non-empty set of items.",
    reference=_ndcg,
    cases=lambda: [
        Case("hit at rank 1", (["a", "b", "c"], {"a"}, 3)),
        Case("Ann's list", (["a", "b", "c"], {"b", "x"}, 3)),
        Case("no hit", (["a", "b"], {"z"}, 2)),
        Case("empty list", ([], {"a"}, 5)),
        Case("a single item", (["a"], {"a"}, 1)),
        Case("k larger than the list", (["a", "b"], {"b"}, 10)),
        Case("a hit below the cut-off", (["x", "y", "a"], {"a"}, 2)),
        Case("more relevant items than k", (["a", "c", "b"], {"a", "b", "c", "d"}, 2)),
    ],
    hint="DCG = sum over ranks r <= k of rel_r / log2(r + 1). The ideal DCG puts the "
    "relevant items first — but only min(len(relevant), k) of them fit in the top k.",
    solution="""import math

def ndcg_at_k(ranked, relevant, k):
    dcg = sum(1 / math.log2(r + 2) for r, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1 / math.log2(r + 2) for r in range(min(len(relevant), k)))
    return dcg / ideal""",
)


def _coverage(lists: Sequence[Sequence[Hashable]], catalog: Sequence[Hashable]) -> float:
    return metrics.catalog_coverage(dict(enumerate(lists)), catalog)


q2 = FunctionExercise(
    "catalog_coverage",
    prompt="Write catalog_coverage(lists, catalog): the share of the catalog's items that "
    "appear in at least one of the lists (a list of lists), as a fraction.",
    reference=_coverage,
    cases=lambda: [
        Case("two lists sharing an item", ([["a", "b"], ["b", "c"]], list("abcdef"))),
        Case("everybody the same list", ([["a", "b"], ["a", "b"], ["a", "b"]], list("abcd"))),
        Case("an empty list among others", ([["a"], []], list("abcd"))),
        Case("no lists at all", ([], list("abcd"))),
        Case("a single item", ([["c"]], list("abc"))),
        Case("the whole catalog", ([["a", "b"], ["c"]], list("abc"))),
    ],
    hint="Put every listed item in one set; its size over the catalog's size.",
    solution="""def catalog_coverage(lists, catalog):
    shown = {item for items in lists for item in items}
    return len(shown) / len(set(catalog))""",
)


def _diversity(items: Sequence[Hashable], features: pd.DataFrame) -> float:
    return cast(float, metrics.intra_list_diversity({0: list(items)}, features))


def _feature_cases() -> list[Case]:
    f = pd.DataFrame(
        {"drama": [1.0, 0.0, 1.0, 1.0], "comedy": [0.0, 1.0, 1.0, 0.0]},
        index=["a", "b", "c", "twin_of_a"],
    )
    return [
        Case("two films with nothing in common", (["a", "b"], f)),
        Case("two films with the same features", (["a", "twin_of_a"], f)),
        Case("three films", (["a", "b", "c"], f)),
        Case("a single item", (["c"], f)),
        Case("empty list", ([], f)),
    ]


q3 = FunctionExercise(
    "intra_list_diversity",
    prompt="Write intra_list_diversity(items, features): the mean over all pairs of items "
    "in ONE list of 1 - cosine similarity of their feature rows (features: DataFrame "
    "indexed by item). A list of fewer than two items has no pairs: return float('nan').",
    reference=_diversity,
    cases=_feature_cases,
    hint="itertools.combinations(items, 2) gives each pair once; cosine = a·b / (|a| |b|) "
    "with numpy (np.dot, np.linalg.norm).",
    solution="""import itertools
import numpy as np

def intra_list_diversity(items, features):
    pairs = list(itertools.combinations(items, 2))
    if not pairs:
        return float("nan")
    def cos(i, j):
        a, b = features.loc[i].to_numpy(), features.loc[j].to_numpy()
        return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.mean([1 - cos(i, j) for i, j in pairs]))""",
)


# ----------------------------------------------------------------------- reasoning
def _old_serendipity() -> float:
    exp = movielens_experiment()
    top = exp.train["item"].value_counts(sort=True).index[:10].tolist()
    everybody = {user: top for user in exp.users}
    return cast(float, metrics.serendipity(exp.recs["popularity"], exp.test, baseline=everybody))


q4 = Exercise(
    prompt="Under the old convention — ONE list of the 10 most-rated training films as "
    "everybody's obvious list, films a user has already rated kept in it — what is the "
    "popularity recommender's serendipity@10? (a number; compute it)",
    expected=_old_serendipity,
    hint="top = exp.train['item'].value_counts().index[:10].tolist(); pass "
    "baseline={u: top for u in exp.users} to metrics.serendipity with exp.test.",
    solution="top = exp.train['item'].value_counts().index[:10].tolist()\n"
    "metrics.serendipity(exp.recs['popularity'], exp.test, "
    "baseline={u: top for u in exp.users}, k=10)\n"
    "# > 0: the shared list holds films a user has rated, which popularity never "
    "recommends, so its own unseen picks count as 'surprising'.",
)


def _svd_vs_user_knn() -> str:
    exp = movielens_experiment()
    svd, knn = (metrics.per_user(exp.recs[name], exp.test, k=10) for name in ("svd", "user-knn"))
    significant = [m for m in ("recall", "mrr") if stats.paired_test(svd[m], knn[m]).pvalue < 0.05]
    return significant[0] if len(significant) == 1 else "both" if significant else "neither"


q5 = Exercise(
    prompt="SVD against user-KNN, user by user (paired t-test, 5 %): on which metric is "
    "the difference supported — recall@10, mrr, both or neither?",
    expected=_svd_vs_user_knn,
    aliases={
        "recall@10": "recall",
        "mean reciprocal rank": "mrr",
        "reciprocal rank": "mrr",
        "mrr@10": "mrr",
    },
    hint="per = evaluation.by_user('recall@10'); stats.paired_test(per['svd'], "
    "per['user-knn']).pvalue — then the same for 'mrr'.",
    solution="for m in ('recall@10', 'mrr'):\n"
    "    per = evaluation.by_user(m)\n"
    "    print(m, stats.paired_test(per['svd'], per['user-knn']).pvalue)\n"
    "# mrr: SVD puts its first hit higher; recall: it does not find more films.",
)


def _false_positives() -> float:
    return len(movielens_models()) * len(AGE_LABELS) * 0.05


q6 = Exercise(
    prompt="The age table tests each of the 4 age bands against the other users, for each "
    "of the 6 models. If no band truly differed, how many of these tests would you expect "
    "to come out 'significant' at 5 % without a correction? (a number)",
    expected=_false_positives,
    hint="Each test under 'no difference' is a false positive with probability 0.05.",
    solution="6 * 4 * 0.05 = 1.2 — so one 'significant' gap in such a table is what chance "
    "alone gives; Holm's correction keeps the chance of any false one below 5 %.",
)


def _stricter_relevance() -> str:
    exp = movielens_experiment()
    liked = exp.test[exp.test["rating"] >= 4]
    strict = metrics.precision_at_k(exp.recs["popularity"], liked, k=10)
    return "down" if strict < metrics.precision_at_k(exp.recs["popularity"], exp.test) else "up"


q7 = Exercise(
    prompt="If only held-out ratings of 4 or 5 stars counted as relevant, would the "
    "popularity recommender's precision@10 go up or down? ('up' or 'down')",
    expected=_stricter_relevance,
    aliases={
        "lower": "down",
        "decrease": "down",
        "decreases": "down",
        "falls": "down",
        "higher": "up",
        "increase": "up",
        "increases": "up",
        "rises": "up",
    },
    hint="The lists stay the same; only the set of films that count as hits changes.",
    solution="down: the lists are unchanged and the relevant sets only shrink, so hits can "
    "only be lost. Check: metrics.precision_at_k(exp.recs['popularity'], "
    "exp.test[exp.test['rating'] >= 4], k=10).",
)
