"""Exercises of the notebook on distance norms.

Two ask for a function — Surprise's MSD similarity and the Minkowski distance
normalised by overlap — checked on hidden cases against
:mod:`recsys_lab.models.similarities` and :mod:`recsys_lab.teaching.distances`; three ask for
reasoning the notebook does not print.

>>> q3.verdict(3).status
'correct'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab.data import load_sales
from recsys_lab.models.similarities import similarity
from recsys_lab.teaching.distances import corated_distance
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise
from recsys_lab.teaching.neighbors import nearest


def _pairs() -> list[tuple[str, pd.Series, pd.Series]]:
    """Pairs of rows the two function exercises share, in units of USD 100,000."""
    sales = load_sales() / 100_000
    row = sales.loc
    nothing = (pd.Series({"a": 1.0, "b": np.nan}), pd.Series({"a": np.nan, "b": 2.0}))
    return [
        ("Alyssa and Chloe (three shared clients)", row["Alyssa"], row["Chloe"]),
        ("Alyssa and Mike (identical where shared)", row["Alyssa"], row["Mike"]),
        ("a single shared client (Alyssa and Diego)", row["Alyssa"], row["Diego"]),
        ("the same clients listed in another order", row["Erin"], row["Brandon"].iloc[::-1]),
        ("star ratings 1-5", pd.Series([5.0, 3.0, np.nan, 1.0]), pd.Series([4.0, 3.0, 2.0, 3.0])),
        ("no shared value", *nothing),
    ]


q1 = FunctionExercise(
    "msd_similarity",
    prompt="Write msd_similarity(a, b): a and b are Series (NaN = unknown). Over the positions "
    "both know, MSD is the mean of the squared differences; return 1 / (MSD + 1), and 0 when "
    "nothing is shared (Surprise's convention).",
    reference=lambda a, b: similarity(a, b, "msd"),
    cases=lambda: [Case(name, (a, b)) for name, a, b in _pairs()],
    hint="(a - b) lines the Series up by label and is NaN wherever either is unknown; "
    "square it and .dropna(). An empty result means nothing is shared.",
    solution="def msd_similarity(a, b):\n"
    "    sq = ((a - b) ** 2).dropna()\n"
    "    return 1 / (sq.mean() + 1) if len(sq) else 0.0",
)


def _minkowski_cases() -> list[Case]:
    cases = [Case(f"{name}, p = 2", (a, b, 2.0)) for name, a, b in _pairs()]
    _, alyssa, chloe = _pairs()[0]
    cases += [
        Case("p = 1: the mean absolute gap", (alyssa, chloe, 1.0)),
        Case("p = 3", (alyssa, chloe, 3.0)),
        Case("p = 0.5", (alyssa, chloe, 0.5)),
    ]
    return cases


q2 = FunctionExercise(
    "normalized_minkowski",
    prompt="Write normalized_minkowski(a, b, p): the Minkowski distance normalised by overlap, "
    "(mean over the n shared positions of |a - b|**p) ** (1/p); NaN when nothing is shared.",
    reference=lambda a, b, p: corated_distance(a, b, "minkowski", p=p, normalize=True),
    cases=_minkowski_cases,
    hint="The same shared gaps as in the MSD exercise; average |gap| ** p, then take the "
    "p-th root. For p = 2 this is the square root of MSD.",
    solution="def normalized_minkowski(a, b, p):\n"
    "    gaps = (a - b).abs().dropna()\n"
    "    return (gaps**p).mean() ** (1 / p) if len(gaps) else float('nan')",
)


def _euclidean_ratio(n: int = 9) -> float:
    a, b = np.zeros(n), np.ones(n)
    raw = corated_distance(a, b, "euclidean")
    return raw / corated_distance(a, b, "euclidean", normalize=True)


q3 = Exercise(
    prompt="Two salespeople share 9 clients and differ by exactly USD 100,000 on each. By what "
    "factor is their raw Euclidean distance larger than the one normalised by overlap?",
    expected=_euclidean_ratio,
    hint="Raw: the square root of a sum of 9 equal squares. Normalised: the square root of "
    "their mean. In general the factor is n ** (1/p).",
    solution="raw = √(9 · 100,000²) = 300,000; normalised = √(100,000²) = 100,000: a factor of "
    "√9 = 3. The raw distance grows with the overlap even though every gap is the same.",
)


def _with_nadia_on_google() -> list[str]:
    sales = load_sales()
    nadia = pd.DataFrame({"Google": [500_000.0], "Staples": [450_000.0]}, index=["Nadia"])
    R = pd.concat([sales, nadia])
    return nearest(R, "Alyssa", k=2, item="Staples", metric="mean_abs")["neighbour"].tolist()


q4 = Exercise(
    prompt="Suppose Nadia had also booked Google, for USD 500,000 (and Staples for 450,000). "
    "With the default min_overlap=1 and the distance normalised by overlap ('mean_abs'), "
    "who are Alyssa's two nearest among those who booked Staples? (A list of names.)",
    expected=_with_nadia_on_google,
    hint="What does Nadia share with Alyssa now, and what is the mean gap over it?",
    solution="Nadia shares one client, Google, at exactly Alyssa's amount: her mean gap is 0, "
    "a tie with Mike. ['Mike', 'Nadia'] — normalising does not help when the overlap is a "
    "single lucky match; a larger min_overlap or shrinkage does.",
    unordered=True,
)


def _smallest_safe_overlap() -> int:
    sales = load_sales()
    nadia = pd.DataFrame({"Google": [500_000.0], "Staples": [450_000.0]}, index=["Nadia"])
    R = pd.concat([sales, nadia])
    return next(
        m
        for m in range(1, R.shape[1] + 1)
        if "Nadia"
        not in nearest(R, "Alyssa", 2, "mean_abs", "Staples", min_overlap=m)["neighbour"].tolist()
    )


q5 = Exercise(
    prompt="In the same situation, what is the smallest min_overlap that keeps Nadia out of "
    "Alyssa's two nearest?",
    expected=_smallest_safe_overlap,
    hint="How many clients does Nadia share with Alyssa? What about Mike and Brandon?",
    solution="2: Nadia shares one client with Alyssa; Mike and Brandon share two each, so they "
    "stay.\n"
    'neighbors.nearest(R, "Alyssa", 2, "mean_abs", "Staples", min_overlap=2)',
)
