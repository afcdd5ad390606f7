"""Exercises of the notebook on the salesperson example.

Two ask for a function — the article's co-rated distance and its rank-weighted vote —
checked on hidden cases against :mod:`recsys_lab.teaching.distances` and
:mod:`recsys_lab.teaching.neighbors`; three ask for reasoning the notebook does not print.

>>> q1.verdict(100_000).status
'correct'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab.data import load_sales
from recsys_lab.teaching.assignment import assign
from recsys_lab.teaching.distances import corated_distance as _distance
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise
from recsys_lab.teaching.neighbors import complete, nearest, predict


def _mike_with_exxon() -> float:
    sales = load_sales()
    mike = sales.loc["Mike"].copy()
    mike["ExxonMobil"] = 300_000
    return _distance(sales.loc["Alyssa"], mike)


q1 = Exercise(
    prompt="The provenance table says Mike's blank ExxonMobil cell is a choice. Had he booked "
    "USD 300,000 with ExxonMobil, what would his distance to Alyssa be, in dollars?",
    expected=_mike_with_exxon,
    hint="He would share three clients with Alyssa. Which of the three differ, and by how much?",
    solution="Google 500k vs 500k and Capgemini 400k vs 400k add 0; ExxonMobil 400k vs 300k "
    "adds 100,000. Total: 100,000 — still nearer than Brandon (200,000).\n"
    'mike = sales.loc["Mike"].copy(); mike["ExxonMobil"] = 300_000\n'
    'distances.corated_distance(sales.loc["Alyssa"], mike)',
    tolerance=1.0,
)


def _tied_second() -> list[str]:
    nb = nearest(load_sales(), "Brandon", k=5, item="Capgemini")
    second = nb["distance"].iloc[1]
    return nb.loc[nb["distance"] == second, "neighbour"].tolist()


q2 = Exercise(
    prompt="To predict Brandon × Capgemini with N = 2, Diego is the nearest salesperson who "
    "booked Capgemini. Which salespeople tie for second place? (A list of names.)",
    expected=_tied_second,
    hint="Compute Brandon's distance to everyone who booked Capgemini, e.g. with "
    "distances.distances_to(sales, 'Brandon'). Then read the docstring of recsys_lab.neighbors: "
    "which of the tied ones votes?",
    solution="Alyssa and Mike are both USD 200,000 from Brandon (Google 0 + ExxonMobil 200k for "
    "Alyssa; Google 0 + Staples 200k for Mike). Ties are broken by row order, so Alyssa votes.\n"
    'neighbors.nearest(sales, "Brandon", k=5, item="Capgemini")',
    unordered=True,
)


def _series(**values: float) -> pd.Series:
    return pd.Series(values, dtype=float)


def _distance_cases() -> list[Case]:
    sales = load_sales()
    row = sales.loc
    return [
        Case("the article's pair, Alyssa and Brandon", (row["Alyssa"], row["Brandon"])),
        Case("Alyssa and Mike, at distance 0", (row["Alyssa"], row["Mike"])),
        Case("a single shared client (Alyssa and Diego)", (row["Alyssa"], row["Diego"])),
        Case("differences in both directions (Erin and Alyssa)", (row["Erin"], row["Alyssa"])),
        Case(
            "the same clients listed in another order",
            (row["Alyssa"], row["Chloe"].iloc[::-1]),
        ),
        Case(
            "no shared client",
            (_series(Google=500_000, Capgemini=np.nan), _series(Google=np.nan, Capgemini=1e5)),
        ),
    ]


q3 = FunctionExercise(
    "corated_distance",
    prompt="Write corated_distance(a, b): a and b are one salesperson's bookings each, as "
    "Series indexed by client (NaN = none). Return the sum of |a - b| over the clients both "
    "booked, or NaN when they share no client (not 0: nothing in common is not 'identical').",
    reference=_distance,
    cases=_distance_cases,
    hint="Subtracting two Series lines them up by client and gives NaN wherever either is "
    "missing. .dropna() keeps the shared clients; check that some are left before summing.",
    solution="def corated_distance(a, b):\n"
    "    gaps = (a - b).abs().dropna()\n"
    "    return gaps.sum() if len(gaps) else float('nan')",
)


def _sales_with_nadia() -> pd.DataFrame:
    sales = load_sales()
    nadia = pd.DataFrame({"Staples": [450_000.0]}, index=["Nadia"])
    return pd.concat([sales, nadia]).rename_axis(sales.index.name)


def _vote_cases() -> list[Case]:
    sales = load_sales()
    small = pd.DataFrame(
        {"x": [1.0, 1.0, 3.0, 0.0], "y": [np.nan, 5.0, 1.0, 2.0]}, index=["u", "v", "w", "z"]
    )
    tie = pd.DataFrame(  # v and w are both 1 from u, behind z at 0
        {"x": [2.0, 1.0, 3.0, 2.0], "y": [np.nan, 5.0, 1.0, 4.0]}, index=["u", "v", "w", "z"]
    )
    return [
        Case("the article: Alyssa × Staples, N = 2", (sales, "Alyssa", "Staples", 2)),
        Case("N = 1: the nearest alone", (sales, "Alyssa", "Staples", 1)),
        Case("Brandon × Capgemini, N = 2", (sales, "Brandon", "Capgemini", 2)),
        Case("fewer voters than N: Alyssa × Staples, N = 10", (sales, "Alyssa", "Staples", 10)),
        Case(
            "someone who shares no client (Nadia) must not vote, N = 3",
            (_sales_with_nadia(), "Alyssa", "Staples", 3),
        ),
        Case("a small matrix: u × y, N = 3", (small, "u", "y", 3)),
        Case("a tie at the N-th place: u × y, N = 2 (v and w tie)", (tie, "u", "y", 2)),
    ]


q4 = FunctionExercise(
    "rank_vote",
    prompt="Write rank_vote(R, user, item, k): R is a salespeople × clients DataFrame "
    "(NaN = no bookings) and R.loc[user, item] is NaN. Among the others who booked item and "
    "share at least one client with user, take the k nearest by your co-rated distance (a tie "
    "goes to the one higher up in R), weigh the i-th nearest by 1/i, and return the weighted "
    "mean of their bookings with item.",
    reference=lambda R, user, item, k: predict(R, user, item, k=k, weighting="rank"),
    cases=_vote_cases,
    hint="Build a Series of distances from user to every other row with a value for item "
    "(drop the NaN distances), sort it with .sort_values(kind='stable') — a stable sort keeps "
    "row order among ties — keep .head(k), then weights 1 / (1, 2, …).",
    solution="def rank_vote(R, user, item, k):\n"
    "    voters = R.index[R[item].notna() & (R.index != user)]\n"
    "    d = pd.Series({v: corated_distance(R.loc[user], R.loc[v]) for v in voters})\n"
    "    nearest = d.dropna().sort_values(kind='stable').head(k).index\n"
    "    w = 1 / np.arange(1, len(nearest) + 1)\n"
    "    return (w * R.loc[nearest, item]).sum() / w.sum()",
)


def _cost_of_losing_erin() -> float:
    completed = complete(load_sales(), k=2)
    with_erin = assign(completed)["predicted"].sum()
    without = assign(completed.drop(index="Erin"))["predicted"].sum()
    return float(with_erin - without)


q5 = Exercise(
    prompt="Erin leaves the company. Keep the completed matrix, remove her row and assign the "
    "four clients again (one each). How many dollars of predicted bookings does the team lose?",
    expected=_cost_of_losing_erin,
    hint="assignment.assign(completed.drop(index='Erin')) — compare its total with the plan "
    "above. Who takes ExxonMobil now, and does anyone else move?",
    solution="plan = assignment.assign(completed)\n"
    'without = assignment.assign(completed.drop(index="Erin"))\n'
    'plan["predicted"].sum() - without["predicted"].sum()  # 300,000: ExxonMobil drops from '
    "Erin's 600k to Chloe's 300k; Brandon takes Google",
    tolerance=1.0,
)
