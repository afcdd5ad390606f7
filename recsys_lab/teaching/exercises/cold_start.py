"""Exercises of the notebook on cold start.

Three functions to write — UCB1's index, user-level clipped counts, the switching
hybrid's list — checked on hidden cases against :func:`recsys_lab.simulation.bandits.ucb1_index`,
:func:`recsys_lab.coldstart.clipped_counts` and :func:`recsys_lab.coldstart.hybrid`; two
questions to reason about (the noise a privacy budget costs, a switch point and its
interval).

>>> from recsys_lab.teaching.exercises import ____
>>> q1.verdict(____).status, q4.verdict(56.6).status
('not attempted', 'correct')
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from recsys_lab.evaluation import newcomers
from recsys_lab.models import coldstart, private_popularity
from recsys_lab.simulation import bandits
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise

#: The committed per-newcomer results the notebook reads (benchmarks/cold_start_newcomers.py).
RESULTS = (
    Path(__file__).resolve().parents[3] / "benchmarks" / "results" / "cold_start_newcomers.csv"
)


def _ucb_cases() -> list[Case]:
    return [
        Case("three arms, all pulled", (np.array([0.1, 0.3, 0.2]), np.array([10, 4, 6]), 20)),
        Case("an arm never pulled", (np.array([0.5, 0.0]), np.array([3, 0]), 3)),
        Case("the first round: t = 1", (np.array([1.0, 0.0]), np.array([1, 1]), 1)),
        Case("equal pulls", (np.array([0.2, 0.4]), np.array([50, 50]), 100)),
        Case("a single arm", (np.array([0.7]), np.array([7]), 7)),
    ]


def _ucb_reference(means: np.ndarray, pulls: np.ndarray, t: int) -> list[float]:
    return bandits.ucb1_index(means, pulls, t).tolist()


q1 = FunctionExercise(
    "ucb1_index",
    "Write ucb1_index(means, pulls, t): UCB1's index mean + sqrt(2 ln t / n_a) of every arm, "
    "as a list; an arm never pulled (n_a = 0) gets float('inf').",
    reference=_ucb_reference,
    cases=_ucb_cases,
    hint="np.sqrt(2 * np.log(t) / pulls) is the bonus; np.where(pulls > 0, ..., np.inf) "
    "handles arms never pulled (divide by np.maximum(pulls, 1) to avoid the warning).",
    solution="def ucb1_index(means, pulls, t):\n"
    "    bonus = np.sqrt(2 * np.log(t) / np.maximum(pulls, 1))\n"
    "    return np.where(pulls > 0, means + bonus, np.inf).tolist()",
)


def _frame(users: list, items: list, days: list | None = None) -> pd.DataFrame:
    days = list(range(len(users))) if days is None else days
    return pd.DataFrame(
        {
            "user": users,
            "item": items,
            "timestamp": pd.to_datetime("2025-01-01") + pd.to_timedelta(days, unit="D"),
        }
    )


def _clip_cases() -> list[Case]:
    return [
        Case(
            "a user with more items than the bound",
            (_frame([1, 1, 1, 2], ["a", "b", "c", "a"]), 2, ["a", "b", "c"]),
        ),
        Case(
            "an item nobody kept",
            (_frame([1, 2], ["a", "a"]), 1, ["a", "b", "z"]),
        ),
        Case(
            "a bound above every history",
            (_frame([1, 1, 2, 3], ["a", "b", "b", "c"]), 10, ["a", "b", "c"]),
        ),
        Case(
            "rows out of time order",
            (_frame([1, 1, 1, 2], ["a", "b", "c", "c"], [5, 1, 2, 0]), 2, ["a", "b", "c"]),
        ),
        Case(
            "a bound of one",
            (_frame([1, 1, 2, 2, 3], ["x", "y", "y", "x", "y"]), 1, ["x", "y"]),
        ),
    ]


def _clip_reference(ratings: pd.DataFrame, max_items: int, items: list) -> list[int]:
    return private_popularity.clipped_counts(ratings, max_items, items).tolist()


q2 = FunctionExercise(
    "clipped_counts",
    "Write clipped_counts(ratings, max_items, items): keep each user's first max_items "
    "ratings by timestamp, then count the users who kept each item of items; return the "
    "counts as a list in the order of items (0 for an item nobody kept).",
    reference=_clip_reference,
    cases=_clip_cases,
    hint="Sort by timestamp, then ratings.groupby('user').cumcount() < max_items keeps the "
    "first ones; value_counts().reindex(items, fill_value=0).",
    solution="def clipped_counts(ratings, max_items, items):\n"
    "    r = ratings.sort_values('timestamp', kind='stable')\n"
    "    kept = r[r.groupby('user').cumcount() < max_items]\n"
    "    return kept['item'].value_counts().reindex(items, fill_value=0).tolist()",
)


def _history(items: list, ratings: list | None = None) -> pd.DataFrame:
    return pd.DataFrame({"item": items, "rating": ratings or [4.0] * len(items)}, dtype=object)


def _switch_cases() -> list[Case]:
    cold = ["p", "q", "r", "s"]
    warm = pd.Series({"p": 1.0, "q": 4.0, "r": 3.0, "s": 2.0, "t": 5.0})
    return [
        Case("a newcomer with no rating", (_history([]), cold, warm, 2, 3)),
        Case("one rating short of the switch", (_history(["q", "x"]), cold, warm, 2, 3)),
        Case("the switch point reached", (_history(["x", "y", "z"]), cold, warm, 2, 3)),
        Case("seen items leave the warm list", (_history(["t", "q", "a"]), cold, warm, 2, 3)),
        Case("switch at zero", (_history([]), cold, warm, 3, 0)),
        Case(
            "tied warm scores keep their order",
            (_history(["z"]), cold, pd.Series({"m": 1.0, "k": 1.0, "j": 0.5}), 2, 1),
        ),
    ]


def _switch_reference(
    history: pd.DataFrame, cold: list, warm: pd.Series, n: int, switch_at: int
) -> list:
    return coldstart.hybrid(history, lambda h: cold, lambda h: warm, n, switch_at)


q3 = FunctionExercise(
    "switching_hybrid",
    "Write switching_hybrid(history, cold, warm, n, switch_at): with at least switch_at "
    "ratings in history, the n best items of warm (a Series item → score; ties in the "
    "Series' order), else the first n of the list cold — never an item of history['item'].",
    reference=_switch_reference,
    cases=_switch_cases,
    hint="seen = set(history['item']); drop them from warm (warm.drop(...)) or from cold, "
    "then sort_values(ascending=False, kind='stable') keeps ties in order.",
    solution="def switching_hybrid(history, cold, warm, n, switch_at):\n"
    "    seen = set(history['item'])\n"
    "    if len(history) >= switch_at:\n"
    "        unseen = warm[~warm.index.isin(seen)]\n"
    "        return unseen.sort_values(ascending=False, kind='stable').index[:n].tolist()\n"
    "    return [i for i in cold if i not in seen][:n]",
)

q4 = Exercise(
    prompt="Each user contributes at most m = 20 items and the privacy budget is epsilon = 0.5. "
    "What is the standard deviation of the Laplace noise added to each count?",
    expected=lambda: math.sqrt(2) * 20 / 0.5,
    hint="The sensitivity is the bound m; the Laplace scale is b = m / epsilon, and a "
    "Laplace(0, b) variable has variance 2 b².",
    solution="b = 20 / 0.5 = 40; sd = sqrt(2) * 40 ≈ 56.6. Halving m halves it — at the "
    "cost of counting fewer of each user's items.",
)


@cache
def _first_significant_h() -> int:
    """The smallest h at which the blend is significantly below segment popularity."""
    per_user = pd.read_csv(RESULTS)
    tests = newcomers.paired_by_history(per_user, "blend (k0 = 5)", "segment popularity")
    below = tests[tests["high"] < 0]
    return int(below["history"].min())


q5 = Exercise(
    prompt="In the committed per-newcomer results, at which smallest history length h does "
    "the blending hybrid fall significantly below segment popularity (its paired 95 % "
    "interval entirely below zero)? Compute it with coldstart.paired_by_history.",
    expected=_first_significant_h,
    hint="tests = coldstart.paired_by_history(per_user, 'blend (k0 = 5)', "
    "'segment popularity'); look for rows with high < 0.",
    solution="tests[tests['high'] < 0]['history'].min() — before that h the blend is not "
    "distinguishable from its cold part; from there on, the collaborative part costs recall.",
)
