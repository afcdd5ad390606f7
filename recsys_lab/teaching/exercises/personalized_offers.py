"""Exercises of the notebook on personalized offers.

>>> from recsys_lab.teaching.exercises import ____
>>> q1.verdict(policy_value).status, q2.verdict(____).status
('correct', 'not attempted')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab.evaluation import ope
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise


def policy_value(click_probability: pd.DataFrame, policy: pd.DataFrame) -> float:
    r"""Expected click rate of a policy over equally likely requests (the reference of q1).

    :math:`\frac1n \sum_x \sum_a \pi(a \mid x)\, p(\text{click} \mid x, a)`, offers matched
    by column name (as :meth:`recsys_lab.simulation.OfferWorld.policy_value` on given contexts).
    """
    aligned = policy.reindex(columns=click_probability.columns, fill_value=0.0)
    return float((aligned.to_numpy() * click_probability.to_numpy()).sum(axis=1).mean())


def _tables() -> list[Case]:
    p = pd.DataFrame(
        {"offer_1": [0.10, 0.30, 0.05], "offer_2": [0.20, 0.10, 0.15]}, index=["x1", "x2", "x3"]
    )
    best = pd.DataFrame({"offer_1": [0.0, 1.0, 0.0], "offer_2": [1.0, 0.0, 1.0]}, index=p.index)
    return [
        Case("the best offer per request", (p, best)),
        Case("uniform serving", (p, pd.DataFrame(0.5, index=p.index, columns=p.columns))),
        Case("90/10 serving", (p, 0.9 * best + 0.05)),
        Case("the policy's columns in another order", (p, best[["offer_2", "offer_1"]])),
        Case("a single request", (p.iloc[[1]], best.iloc[[1]])),
        Case("an offer nobody is shown", (p, pd.DataFrame({"offer_1": 1.0}, index=p.index))),
    ]


q1 = FunctionExercise(
    "policy_value",
    "Write policy_value(click_probability, policy): two DataFrames with one row per request "
    "and one column per offer — the true click probabilities and the policy's choice "
    "probabilities (rows sum to 1; a missing column means probability 0). Return the "
    "policy's expected click rate, every request equally likely.",
    reference=policy_value,
    cases=_tables,
    hint="Per request, Σ over offers of policy × click probability; then the mean over "
    "requests. Match the offers by column name (DataFrame.reindex), not by position.",
    solution="aligned = policy.reindex(columns=click_probability.columns, fill_value=0.0)\n"
    "return float((aligned * click_probability).sum(axis=1).mean())",
)


def _scores() -> list[Case]:
    scores = np.array([[0.10, 0.30, 0.20], [0.25, 0.05, 0.15]])
    return [
        Case("90/10 serving", (scores, 0.1)),
        Case("a tie between two offers", (np.array([[0.3, 0.3, 0.1]]), 0.1)),
        Case("no exploration", (scores, 0.0)),
        Case("random serving only", (scores, 1.0)),
        Case("a single offer", (np.array([[0.2], [0.4]]), 0.1)),
    ]


q2 = FunctionExercise(
    "serving_probabilities",
    "Write serving_probabilities(scores, epsilon): scores is a 2-D array (requests × "
    "offers). Return, as a NumPy array of the same shape, the probability that 90/10-style "
    "serving shows each offer: the model's pick with probability 1 − epsilon, a uniformly "
    "random offer with probability epsilon. Offers tied for the top score split the "
    "model's share evenly.",
    reference=lambda scores, epsilon: ope.epsilon_greedy(scores, epsilon).tolist(),
    cases=_scores,
    hint="top = (scores == scores.max(axis=1, keepdims=True)); divide it by its row sums; "
    "then (1 − epsilon)·that + epsilon / number of offers.",
    solution="top = (scores == scores.max(axis=1, keepdims=True)).astype(float)\n"
    "greedy = top / top.sum(axis=1, keepdims=True)\n"
    "return (1 - epsilon) * greedy + epsilon / scores.shape[1]",
)

q3 = Exercise(
    prompt="A model is retrained every 7 days on the last 7 days of logs. An offer collapses "
    "3 days after a retraining. At the next retraining, what share of the training window "
    "comes from after the collapse?",
    expected=lambda: 4 / 7,
    hint="Count the days between the collapse and the next retraining.",
    solution="The collapse is on day 3 of the 7-day cycle, so days 3, 4, 5 and 6 — 4 of the "
    "7 days in the window — come after it: 4/7 ≈ 0.57. The model sees the collapse, but "
    "mixed with three days of the old behaviour.",
    tolerance=1e-9,
)

q4 = Exercise(
    prompt="In the 20-seed table of section 4, which schedule is the cheapest (fewest training "
    "rows) among those whose interval for the collapsed offer's share on days 17–20 lies "
    "entirely below 0.30? Answer with its name as in the table, e.g. 'every 7 d, last 7 d'.",
    expected=lambda: "every 1 d, last 3 d",
    hint="Read the share's interval and the training rows of each schedule.",
    solution="Only retraining every day on the last 3 days pushes the share clearly below "
    "0.30; the cheaper schedules keep more of the old behaviour in their window.",
    aliases={"daily, last 3 days": "every 1 d, last 3 d", "daily": "every 1 d, last 3 d"},
)
