"""Exercises of the notebook on weighted voting.

>>> round(q1.expected(), 4)
0.8808
"""

from __future__ import annotations

from recsys_lab import voting
from recsys_lab.datasets import load_marketing, load_sales
from recsys_lab.exercises import Exercise
from recsys_lab.model_selection import leave_one_out
from recsys_lab.neighbors import KNNRecommender


def _best_k() -> int:
    table = leave_one_out(load_sales(), ks=range(1, 6), weightings=["equal"])
    return int(table.iloc[0]["k"])


def _top_pick() -> object:
    model = KNNRecommender(k=20, similarity="cosine", user_based=False)
    return model.fit(load_marketing().ratings).recommend(users=[1], n=1)["item"].iloc[0]


q1 = Exercise(
    prompt="Mike is at distance 0 and Brandon at $200,000 from Alyssa. With softmax weights "
    "at temperature $100,000, what share of the vote does Mike get?",
    expected=lambda: float(voting.softmax([0, 200_000], temperature=100_000)[0]),
    hint="w ∝ exp(−d / T): Mike exp(0) = 1, Brandon exp(−2). Normalise.",
    solution="voting.softmax([0, 200_000], temperature=100_000)[0]  # 1 / (1 + e^-2) ≈ 0.881",
    tolerance=1e-3,
)

q2 = Exercise(
    prompt="By leave-one-out on the sales matrix (sum_abs distance, equal votes), which N "
    "between 1 and 5 has the lowest RMSE?",
    expected=_best_k,
    hint="model_selection.leave_one_out(sales, ks=range(1, 6), weightings=['equal']) is "
    "sorted best first.",
    solution='leave_one_out(sales, ks=range(1, 6), weightings=["equal"]).iloc[0]["k"]',
)

q3 = Exercise(
    prompt="Fit KNNRecommender(k=20, similarity='cosine', user_based=False) on the shop's "
    "ratings. Which item is user 1's top recommendation?",
    expected=_top_pick,
    hint="model.fit(shop.ratings).recommend(users=[1], n=1)",
    solution="model = KNNRecommender(k=20, similarity='cosine', user_based=False)\n"
    'model.fit(shop.ratings).recommend(users=[1], n=1)["item"].iloc[0]',
)
