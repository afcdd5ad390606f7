"""Exercises of the notebook on the salesperson example.

>>> q1.verdict(400_000).status
'correct'
"""

from __future__ import annotations

from recsys_lab.assignment import assign
from recsys_lab.datasets import load_sales
from recsys_lab.distances import corated_distance
from recsys_lab.exercises import Exercise
from recsys_lab.neighbors import complete, nearest, predict

q1 = Exercise(
    prompt="The article leaves the other distances 'to arithmetic-hungry readers'. "
    "What is the sum_abs distance between Alyssa and Chloe, in dollars?",
    expected=lambda: corated_distance(load_sales().loc["Alyssa"], load_sales().loc["Chloe"]),
    hint="Chloe shares Google, Capgemini and ExxonMobil with Alyssa. Add up the three "
    "absolute differences.",
    solution="|500,000 − 350,000| + |400,000 − 250,000| + |400,000 − 300,000| = 400,000\n"
    'corated_distance(sales.loc["Alyssa"], sales.loc["Chloe"])',
    tolerance=1.0,
)

q2 = Exercise(
    prompt="Among the salespeople who booked Staples, who are Alyssa's three nearest "
    "(a list of names, nearest first)?",
    expected=lambda: nearest(load_sales(), "Alyssa", k=3, item="Staples")["neighbour"].tolist(),
    hint="Use neighbors.nearest(sales, 'Alyssa', k=3, item='Staples').",
    solution='nearest(sales, "Alyssa", k=3, item="Staples")["neighbour"].tolist()\n'
    "# ['Mike', 'Brandon', 'Diego']: Diego shares only Capgemini with Alyssa (distance 300,000)",
)

q3 = Exercise(
    prompt="Predict Brandon's bookings with Capgemini from his 2 nearest neighbours with "
    "rank weights (1, 1/2). Answer in dollars.",
    expected=lambda: predict(load_sales(), "Brandon", "Capgemini", k=2, weighting="rank"),
    hint="Brandon has no Capgemini booking; call neighbors.predict with weighting='rank'.",
    solution='predict(sales, "Brandon", "Capgemini", k=2, weighting="rank")',
    tolerance=1.0,
)

q4 = Exercise(
    prompt="With every salesperson taking at most one client, which client does Mike get "
    "in the best assignment of the completed matrix (equal votes, k=2)?",
    expected=lambda: (
        assign(complete(load_sales(), k=2)).set_index("salesperson").loc["Mike", "client"]
    ),
    hint="assign(complete(sales, k=2)) returns one row per client; look for Mike.",
    solution="plan = assign(complete(sales, k=2))\n"
    'plan.set_index("salesperson").loc["Mike", "client"]',
)
