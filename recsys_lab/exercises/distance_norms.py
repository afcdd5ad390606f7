"""Exercises of the notebook on distance norms.

>>> q3.verdict(4).status
'correct'
"""

from __future__ import annotations

from recsys_lab.datasets import load_sales
from recsys_lab.distances import corated_distance, distances_to
from recsys_lab.exercises import Exercise
from recsys_lab.neighbors import nearest

_NORMS = ("sum_abs", "manhattan", "euclidean", "chebyshev")


def _second_is_chloe() -> str:
    sales = load_sales()
    hits = [
        m for m in _NORMS if nearest(sales, "Alyssa", 2, m, "Staples")["neighbour"][1] == "Chloe"
    ]
    return hits[0]


q1 = Exercise(
    prompt="What is the Euclidean distance between Alyssa and Erin, in dollars?",
    expected=lambda: corated_distance(
        load_sales().loc["Alyssa"], load_sales().loc["Erin"], metric="euclidean"
    ),
    hint="They share Google (250k apart) and ExxonMobil (200k apart): √(a² + b²).",
    solution='corated_distance(sales.loc["Alyssa"], sales.loc["Erin"], metric="euclidean")'
    "\n# √(250,000² + 200,000²) ≈ 320,156",
    tolerance=1.0,
)

q2 = Exercise(
    prompt="Under which metric — 'sum_abs', 'manhattan', 'euclidean' or 'chebyshev' — is "
    "Chloe Alyssa's second-nearest salesperson among those who booked Staples?",
    expected=_second_is_chloe,
    hint="Chloe's largest single difference from Alyssa is only $150,000.",
    solution="for m in ['sum_abs', 'manhattan', 'euclidean', 'chebyshev']:\n"
    '    print(m, nearest(sales, "Alyssa", 2, m, "Staples")["neighbour"].tolist())',
)

q3 = Exercise(
    prompt="With min_overlap=2, how many salespeople still have a (non-NaN) distance to Alyssa?",
    expected=lambda: int(
        distances_to(load_sales(), "Alyssa", min_overlap=2)["distance"].notna().sum()
    ),
    hint="Count the salespeople sharing at least two clients with Alyssa.",
    solution='distances_to(sales, "Alyssa", min_overlap=2)["distance"].notna().sum()\n'
    "# 4: everyone but Diego, who shares only Capgemini",
)
