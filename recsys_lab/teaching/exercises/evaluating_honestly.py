"""Exercises of the notebook on evaluating a recommender honestly.

Three functions to write — a leave-last-out split for one user, the exact sign-flip
p-value, Holm's adjustment — checked on hidden cases against :mod:`recsys_lab`'s own
implementations, and three questions to reason out.

>>> q4.verdict(0.64).status
'correct'
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from recsys_lab import data as datasets
from recsys_lab.evaluation import metrics, model_selection, stats
from recsys_lab.evaluation.metrics.sampled import sampled_hit_probability
from recsys_lab.models import ALSMatrixFactorization, KNNRecommender
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise


# ------------------------------------------------------------------ q1: leave-last-out
def _held_out_positions(timestamps: Iterable[object], n: int = 1) -> list[int]:
    """Positions of one user's ratings that ``leave_last_out(ratings, n)`` holds out."""
    stamps = list(timestamps)
    you = pd.DataFrame({"user": "you", "item": range(len(stamps)), "timestamp": stamps})
    # a second user with two ratings, so that the split has someone to hold out
    other = pd.DataFrame({"user": "other", "item": [-1, -2], "timestamp": [0, 0]})
    _, test = model_selection.leave_last_out(pd.concat([you, other], ignore_index=True), n=n)
    return sorted(int(i) for i in test.loc[test["user"] == "you", "item"])


q1 = FunctionExercise(
    name="held_out_positions",
    prompt="Write held_out_positions(timestamps, n=1): one user's rating times, in row order; "
    "return the positions (0-based, increasing) of the ratings leave-last-out holds out — the "
    "latest n, never all of them (a user keeps at least one rating for training). Equal "
    "times: the later row counts as the later rating.",
    reference=_held_out_positions,
    cases=lambda: [
        Case("distinct times", ([5, 1, 9, 3],)),
        Case("the two latest", ([5, 1, 9, 3],), {"n": 2}),
        Case("a tie in time: the later row is the later rating", ([4, 7, 7, 2],)),
        Case("a tie across the cut", ([7, 3, 7, 7],), {"n": 2}),
        Case("all at the same time", ([1, 1, 1],), {"n": 2}),
        Case("a single rating stays in training", ([42],)),
        Case("n larger than the history: the earliest stays", ([3, 1, 2],), {"n": 5}),
    ],
    hint="Sort the positions by time with a *stable* sort (np.argsort(..., kind='stable')), "
    "so that equal times keep their row order; hold out the last min(n, len - 1) of them.",
    solution="def held_out_positions(timestamps, n=1):\n"
    "    order = np.argsort(np.asarray(timestamps), kind='stable')  # earliest first\n"
    "    keep = max(len(order) - n, 1)  # at least one rating stays in training\n"
    "    return sorted(int(i) for i in order[keep:])",
)


# ---------------------------------------------------------------- q2: sign-flip p-value
def _sign_flip_pvalue(differences: Iterable[float]) -> float:
    """The exact two-sided randomization p-value of :func:`~recsys_lab.stats.paired_test`."""
    d = np.asarray(list(differences), dtype=float)
    test = stats.paired_test(d, np.zeros_like(d), "randomization", n_resamples=2**d.size)
    return test.pvalue


q2 = FunctionExercise(
    name="sign_flip_pvalue",
    prompt="Write sign_flip_pvalue(differences): per-user differences a - b of two models. If "
    "the models were equally good, each difference would be as likely to have the other "
    "sign. Try all 2**n sign patterns and return the share whose |mean| is at least the "
    "observed |mean| (the exact two-sided randomization p-value).",
    reference=_sign_flip_pvalue,
    cases=lambda: [
        Case("mixed signs", ([0.5, -0.25, 1.0, 0.75, 0.5],)),
        Case("all differences equal", ([0.25] * 6,)),
        Case("every difference zero: no evidence at all", ([0.0, 0.0, 0.0],)),
        Case("two users who cancel out", ([1.0, -1.0],)),
        Case("patterns that tie with the observed mean count", ([1.0, 2.0, -3.0, 6.0],)),
        Case("one large difference among small ones", ([3, 0.5, -0.5, 0.25, -0.25, 0.5, 0.25],)),
    ],
    hint="itertools.product([-1, 1], repeat=n) gives every sign pattern; count patterns with "
    "abs(mean(signs * d)) >= abs(mean(d)) — 'at least', so the observed pattern and ties count.",
    solution="import itertools\n\n"
    "def sign_flip_pvalue(differences):\n"
    "    d = np.asarray(differences, dtype=float)\n"
    "    observed = abs(d.mean())\n"
    "    patterns = itertools.product([-1, 1], repeat=len(d))\n"
    "    hits = [abs(np.mean(np.array(s) * d)) >= observed - 1e-12 for s in patterns]\n"
    "    return float(np.mean(hits))",
)


# --------------------------------------------------------------------------- q3: Holm
def _holm(pvalues: Iterable[float]) -> list[float]:
    return [float(p) for p in stats.adjust_pvalues(list(pvalues), method="holm")]


q3 = FunctionExercise(
    name="holm",
    prompt="Write holm(pvalues): Holm's adjusted p-values, in the order given. Sort the m "
    "p-values; the i-th smallest (i = 1..m) becomes (m - i + 1) × p, never smaller than the "
    "adjusted value before it and never above 1.",
    reference=_holm,
    cases=lambda: [
        Case("already sorted", ([0.01, 0.02, 0.03],)),
        Case("unsorted: answers keep the input order", ([0.04, 0.001, 0.03, 0.2],)),
        Case("a single p-value is unchanged", ([0.03],)),
        Case("large products are capped at 1", ([0.5, 0.6, 0.01],)),
        Case("tied p-values", ([0.02, 0.02, 0.5],)),
        Case("the running maximum matters", ([0.01, 0.011, 0.012, 0.3],)),
    ],
    hint="order = np.argsort(p); multiply the sorted values by m, m-1, ..., 1; "
    "np.maximum.accumulate keeps them from decreasing; cap with np.minimum(1, ...); put each "
    "value back at its original position.",
    solution="def holm(pvalues):\n"
    "    p = np.asarray(pvalues, dtype=float)\n"
    "    m = len(p)\n"
    "    order = np.argsort(p, kind='stable')\n"
    "    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])\n"
    "    adjusted = np.empty(m)\n"
    "    adjusted[order] = np.minimum(1.0, stepped)\n"
    "    return adjusted.tolist()",
)


# ------------------------------------------------------------------ reasoning questions
N_COMPARISONS, ALPHA = 20, 0.05

q4 = Exercise(
    prompt=f"A team compares {N_COMPARISONS} segmentations with popularity, each with a paired "
    f"test at alpha = {ALPHA}, and none is truly better or worse. If the tests were "
    f"independent, what is the probability that at least one comes out 'significant' "
    f"without any correction?",
    expected=lambda: 1 - (1 - ALPHA) ** N_COMPARISONS,
    hint="Each test stays quiet with probability 1 - alpha; all of them stay quiet with "
    "(1 - alpha) ** m.",
    solution=f"1 - (1 - {ALPHA}) ** {N_COMPARISONS}  # ≈ 0.64; Holm or Bonferroni keep it ≤ "
    f"{ALPHA}",
)


def _full_and_sampled_winners() -> list[str]:
    n_items = 1682
    full = functools.partial(sampled_hit_probability, n_items=n_items, n_negatives=n_items - 1)
    sampled = functools.partial(sampled_hit_probability, n_items=n_items, n_negatives=100)
    hit_rates = {
        which: {
            "A": float(p(50)),
            "B": float(0.3 * p(1) + 0.7 * p(1000)),
        }
        for which, p in (("full", full), ("sampled", sampled))
    }
    return [max(rates, key=rates.__getitem__) for rates in hit_rates.values()]


q5 = Exercise(
    prompt="On ML-100k (1,682 movies), model A ranks every user's held-out movie 50th; model "
    "B ranks it 1st for 30 % of the users and 1,000th for the others. Which has the higher "
    "full HR@10, and which the higher sampled HR@10 with 100 negatives? "
    "answer = [full winner, sampled winner], e.g. ['A', 'A'].",
    expected=_full_and_sampled_winners,
    hint="Full HR@10 counts ranks 1-10 only. For the sampled one, use "
    "sampled_hit_probability(rank, 1682) for each rank and average over the users.",
    solution="full: A 0, B 0.3 -> 'B'. sampled: A sampled_hit_probability(50, 1682) ≈ 1.0, "
    "B 0.3 * 1 + 0.7 * sampled_hit_probability(1000, 1682) ≈ 0.3 -> 'A'. answer = ['B', 'A']",
)


@functools.cache
def _temporal_als_vs_item_knn() -> tuple[float, tuple[float, float]]:
    """Mean difference ALS − item-KNN in NDCG@10 on the temporal split, and its t-interval."""
    ratings = datasets.load_movielens("100k").ratings
    train, test = model_selection.temporal_split(ratings, test_size=0.2)
    truth = test[(test["rating"] >= 4) & test["user"].isin(train["user"])]
    users = truth["user"].unique()
    models = {
        "ALS": ALSMatrixFactorization(n_factors=20, reg=0.1, random_state=0),
        "item-KNN": KNNRecommender(k=40, similarity="cosine", user_based=False),
    }
    ndcg = {
        name: metrics.per_user(model.fit(train).recommend(users=users, n=10), truth, 10)["ndcg"]
        for name, model in models.items()
    }
    result = stats.paired_test(ndcg["ALS"], ndcg["item-KNN"], method="t")
    return result.mean_difference, result.ci


def _temporal_verdict() -> list[object]:
    difference, (low, high) = _temporal_als_vs_item_knn()
    return ["ALS" if difference > 0 else "item-KNN", bool(low > 0 or high < 0)]


q6 = Exercise(
    prompt="On the temporal split of section 1, which model has the higher NDCG@10, ALS or "
    "item-KNN — and does the paired 95 % t-interval of the difference exclude 0? "
    "answer = [name, True or False]",
    expected=_temporal_verdict,
    hint="by_user = results['temporal'].by_user('ndcg@10'), then "
    "stats.paired_test(by_user['ALS'], by_user['item-KNN']); look at .mean_difference and .ci.",
    solution="t = stats.paired_test(by_user['ALS'], by_user['item-KNN'])\n"
    "ALS is ahead on average, but t.ci contains 0 with only the ~100 users a global cut "
    "leaves: answer = ['ALS', False] — no claim that it wins.",
    aliases={
        "als": "ALS",
        "alternating least squares": "ALS",
        "itemknn": "item-KNN",
        "item knn": "item-KNN",
        "item-based knn": "item-KNN",
    },
)
