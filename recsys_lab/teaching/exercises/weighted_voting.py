"""Exercises of the notebook on weighted voting.

Two functions to write — the recommender's vote for one (user, item) pair, and its
mean-centred version — checked on hidden cases, and three questions whose answers the
notebook does not print.

>>> q4.verdict("bob").status
'correct'
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from scipy import optimize

from recsys_lab.models import similarities
from recsys_lab.teaching import voting
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise


def _vote_cases() -> list[Case]:
    a = np.array
    return [
        Case(
            "five candidates, k=3",
            (a([4.0, 2.0, 5.0, 3.0, 1.0]), a([0.9, 0.2, 0.7, 0.5, 0.4]), 3),
        ),
        Case("fewer candidates than k", (a([4.0, 2.0]), a([0.6, 0.3]), 40)),
        Case("a single voter", (a([4.0, 2.0, 5.0]), a([0.0, 0.8, -0.3]), 3)),
        Case("a tie at the k-th place", (a([5.0, 1.0, 4.0, 2.0]), a([0.9, 0.5, 0.5, 0.5]), 2)),
        Case("negative similarities", (a([5.0, 1.0, 3.0]), a([0.6, -0.9, 0.3]), 3)),
        Case("nobody similar", (a([5.0, 1.0]), a([0.0, -0.2]), 2)),
        Case("no candidate at all", (a([]), a([]), 5)),
    ]


def _centred_cases() -> list[Case]:
    a = np.array
    return [
        Case(
            "three voters, k=2",
            (a([4.0, 2.0, 5.0]), a([0.9, 0.4, 0.6]), a([3.5, 2.5, 4.0]), 3.0, 2),
        ),
        Case("a single voter", (a([4.0, 1.0]), a([0.8, 0.0]), a([3.0, 2.0]), 2.5, 5)),
        Case(
            "a tie at the k-th place",
            (a([5.0, 1.0, 4.5]), a([0.7, 0.7, 0.7]), a([4.0, 3.0, 3.0]), 3.2, 2),
        ),
        Case("nobody similar", (a([4.0, 2.0]), a([-0.5, 0.0]), a([3.0, 3.0]), 3.7, 3)),
        Case("no candidate at all", (a([]), a([]), a([]), 4.1, 3)),
    ]


def _softmax_temperature() -> float:
    share = lambda t: voting.softmax([0.0, 200_000.0], temperature=t)[0] - 0.75  # noqa: E731
    return float(optimize.brentq(share, 1e3, 1e7, xtol=1e-6))


def _heavier_voter() -> str:
    ann = similarities.similarity([4.0], [4.0], "msd", shrinkage=100)
    bob = similarities.similarity([4.0] * 40, [4.5] * 40, "msd", shrinkage=100)
    return "Ann" if ann > bob else "Bob"


def _k40_beats_k20() -> str:
    from recsys_lab import data as datasets
    from recsys_lab.evaluation import model_selection, rating_errors
    from recsys_lab.models.base import Recommender
    from recsys_lab.models.knn_means import KNNWithMeans

    ratings = datasets.load_movielens("100k").ratings
    train, validation, _ = model_selection.train_validation_test_split(
        ratings, model_selection.per_user_split, test_size=0.2, random_state=0
    )
    models: dict[Hashable, Recommender] = {"k=40": KNNWithMeans(k=40), "k=20": KNNWithMeans(k=20)}
    test = rating_errors.compare(models, train, validation, n_resamples=1).paired_test(
        "k=40", "k=20"
    )
    return "yes" if test.pvalue < 0.05 and test.mean_difference < 0 else "no"


q1 = FunctionExercise(
    name="knn_vote",
    prompt="Write knn_vote(ratings, similarities, k): the recommender's prediction for one "
    "(user, item) pair. ratings[j] and similarities[j] belong to the j-th person who rated "
    "the item (numpy arrays, in training order). Keep the k most similar (equal "
    "similarities: the earlier one first); of those, only positive similarities vote, "
    "weighted by their similarity. Return the weighted mean, or np.nan when nobody votes.",
    reference=lambda ratings, sims, k: voting.knn_vote(ratings, sims, k=k),
    cases=_vote_cases,
    hint="np.argsort(-similarities, kind='stable')[:k] gives the k most similar, ties in "
    "order; then keep those with a similarity > 0.",
    solution="def knn_vote(ratings, similarities, k):\n"
    "    top = np.argsort(-similarities, kind='stable')[:k]\n"
    "    voters = top[similarities[top] > 0]\n"
    "    if voters.size == 0:\n"
    "        return np.nan\n"
    "    w = similarities[voters]\n"
    "    return float((w * ratings[voters]).sum() / w.sum())",
)

q2 = FunctionExercise(
    name="mean_centred_vote",
    prompt="Write mean_centred_vote(ratings, similarities, means, target_mean, k): "
    "KNNWithMeans for one pair. The candidates vote as in knn_vote, but with their "
    "deviation from their own mean, ratings[j] - means[j]; add the result to target_mean. "
    "When nobody votes, return target_mean.",
    reference=lambda ratings, sims, means, target_mean, k: voting.mean_centred_vote(
        ratings, sims, means, target_mean, k=k
    ),
    cases=_centred_cases,
    hint="Reuse your knn_vote on ratings - means; a NaN vote means 'add nothing'.",
    solution="def mean_centred_vote(ratings, similarities, means, target_mean, k):\n"
    "    deviation = knn_vote(ratings - means, similarities, k)\n"
    "    return target_mean + (0.0 if np.isnan(deviation) else deviation)",
)

q3 = Exercise(
    prompt="Mike is at distance 0 from Alyssa and Brandon at $200,000. At what softmax "
    "temperature T (in dollars) does Mike get exactly three quarters of the vote?",
    expected=_softmax_temperature,
    hint="Mike's share is 1 / (1 + exp(-200,000 / T)). Set it to 3/4 and solve for T.",
    solution="exp(-200,000 / T) = 1/3, so T = 200,000 / ln 3 ≈ 182,048 dollars.\n"
    "voting.softmax([0, 200_000], temperature=200_000 / np.log(3))[0]  # 0.75",
)

q4 = Exercise(
    prompt="Two neighbours vote on the same film. Ann's MSD similarity is 1.0, from the "
    "single film she shares with you; Bob's is 0.8, from 40 shared films. With "
    "shrinkage=100, whose vote weighs more: 'Ann' or 'Bob'?",
    expected=_heavier_voter,
    hint="Shrinkage multiplies a similarity by n / (n + 100), n = number of shared films.",
    solution="Ann: 1.0 × 1/101 ≈ 0.010; Bob: 0.8 × 40/140 ≈ 0.229, so Bob.",
)

q5 = Exercise(
    prompt="On the validation set, are KNNWithMeans's k=40 predictions significantly better "
    "than k=20's at the 5 % level (paired t-test over users)? Run the test yourself and "
    "answer 'yes' or 'no'.",
    expected=_k40_beats_k20,
    hint="rating_errors.compare({...}, train, validation).paired_test('k=40', 'k=20'), or "
    "the comparison you already have: its .paired_test(name_a, name_b).",
    solution="tuned.paired_test('KNNWithMeans k=40', 'KNNWithMeans k=20')\n"
    "# p far below 0.05 and a negative MSE difference: yes. Their bootstrap intervals\n"
    "# overlap nonetheless — the paired test removes what the two share.",
    aliases={"y": "yes", "n": "no", "true": "yes", "false": "no"},
)
