"""Exercises of the notebook on Spark at scale.

Two ask for a function, checked on hidden cases against the package's own code (neither
needs Spark: they are the logic that Spark runs at scale); three ask for a number or a
name the notebook's setup decides.

>>> q3.expected()
80.0
>>> q1.verdict(Ellipsis).status
'not attempted'
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recsys_lab.models.base import top_n
from recsys_lab.spark import neighbour_recall, spark_settings
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise


# ----------------------------------------------------------------- write a function
def _unseen_top_n(scores: Sequence[float], seen: Iterable[int], n: int) -> list[int]:
    """The package's top-N of one user: the shared top_n with seen items at -inf."""
    row = np.array(scores, dtype=float)[None, :]
    row[0, list(seen)] = -np.inf
    _, items, _, _ = top_n(row, n)
    return items.tolist()


def _top_n_cases() -> list[Case]:
    return [
        Case("five items, two seen", ([0.1, 0.9, 0.5, 0.7, 0.3], [1, 3], 2)),
        Case("a tie: the lower item first", ([0.4, 0.8, 0.8, 0.2], [], 2)),
        Case("nothing seen", ([3.0, 1.0, 2.0], [], 3)),
        Case("fewer unseen items than n", ([0.5, 0.6, 0.7], [0, 2], 5)),
        Case("every item seen", ([0.5, 0.6], [0, 1], 3)),
        Case("negative scores", ([-1.0, -0.5, -2.0, -0.1], [3], 2)),
    ]


q1 = FunctionExercise(
    "unseen_top_n",
    prompt="Write unseen_top_n(scores, seen, n): one user's list, as top_n gives it. "
    "scores[i] is the model's score of item i (a list of floats), seen the items the user "
    "already has (a list of item numbers). Return the n best items the user has not seen, "
    "best first, equal scores by the lower item number first; shorter when fewer remain.",
    reference=_unseen_top_n,
    cases=_top_n_cases,
    hint="sorted(candidates, key=lambda i: (-scores[i], i)) orders by score, then by item; "
    "leave the seen ones out of the candidates first.",
    solution="def unseen_top_n(scores, seen, n):\n"
    "    seen = set(seen)\n"
    "    unseen = [i for i in range(len(scores)) if i not in seen]\n"
    "    return sorted(unseen, key=lambda i: (-scores[i], i))[:n]",
)


def _recall(found: Mapping[Hashable, list], exact: Mapping[Hashable, list]) -> float:
    """The package's neighbour_recall, on mappings item → neighbours."""

    def frame(pairs: Mapping[Hashable, list]) -> pd.DataFrame:
        rows = [(item, nb) for item, nbs in pairs.items() for nb in nbs]
        return pd.DataFrame(rows, columns=["item", "neighbour"])

    return neighbour_recall(frame(found), frame(exact))


def _recall_cases() -> list[Case]:
    return [
        Case("half found", ({1: [2, 4], 2: [1, 3]}, {1: [2, 3], 2: [1, 4]})),
        Case("all found, in another order", ({1: [3, 2]}, {1: [2, 3]})),
        Case("an item LSH left alone", ({1: [], 2: [1]}, {1: [2], 2: [1]})),
        Case("nothing found", ({}, {1: [2], 2: [1]})),
        Case("found more than the truth", ({1: [2, 3, 4]}, {1: [2]})),
        Case("no truth to find", ({1: [2]}, {})),
    ]


q2 = FunctionExercise(
    "neighbour_recall",
    prompt="Write neighbour_recall(found, exact): the share of the true neighbour pairs that "
    "LSH found. Both are dicts item → list of neighbour items; exact holds each item's "
    "true nearest neighbours, found what LSH returned (an item may be missing from found). "
    "Return 1.0 when exact holds no pair at all.",
    reference=_recall,
    cases=_recall_cases,
    hint="Make a set of (item, neighbour) pairs from each dict; the answer is the size of "
    "their intersection over the number of true pairs.",
    solution="def neighbour_recall(found, exact):\n"
    "    truth = {(i, j) for i, js in exact.items() for j in js}\n"
    "    got = {(i, j) for i, js in found.items() for j in js}\n"
    "    return len(truth & got) / len(truth) if truth else 1.0",
)

# ----------------------------------------------------------------- numbers and names
q3 = Exercise(
    prompt="How many GB does a dense float64 item × item similarity matrix take for 100,000 items?",
    expected=lambda: 8 * 100_000**2 / 1e9,
    hint="items² cells × 8 bytes, divided by 10⁹.",
    solution="8 * 100_000**2 / 1e9 = 80 GB — why item-item KNN needs sparsity or LSH at scale",
)

q4 = Exercise(
    prompt="How many shuffle partitions does rs.session(cores=2) set in local mode?",
    expected=lambda: int(
        spark_settings(cores=2, master="local[2]")[1]["spark.sql.shuffle.partitions"]
    ),
    hint="In local mode, session() sets spark.sql.shuffle.partitions to 2 × cores.",
    solution='int(spark.conf.get("spark.sql.shuffle.partitions"))  # 4',
)

q5 = Exercise(
    prompt="ALS's coldStartStrategy in recsys_lab.spark.fit_als is 'drop'. What does Spark "
    "return for a test user unknown at training time with the default instead? "
    "(answer 'nan' or 'drop')",
    expected=lambda: "nan",
    hint="The default keeps the row and predicts NaN, which turns the RMSE into NaN.",
    solution="'nan': the prediction is NaN, so any RMSE over it is NaN — hence 'drop'",
)
