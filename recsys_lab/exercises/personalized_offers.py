"""Exercises of the notebook on personalized offers.

>>> q1.expected() > 0.8
True
"""

from __future__ import annotations

import numpy as np

from recsys_lab import datasets
from recsys_lab.exercises import Exercise
from recsys_lab.offers import OfferRanker


def toy_accuracy(model: str) -> float:
    """Share of the toy log's responses a ranker trained on it gets right (p > 0.5)."""
    toy = datasets.load_offers()
    ranker = OfferRanker(model, context=("feature_1", "feature_2")).fit(toy)
    p = np.array(
        [ranker.predict_proba(toy.iloc[[k]], toy["offer"].iloc[k])[0] for k in range(len(toy))]
    )
    return float(((p > 0.5) == toy["response"].to_numpy()).mean())


q1 = Exercise(
    prompt="What share of the toy table's responses does the crossed model get right?",
    expected=lambda: toy_accuracy("crossed"),
    hint="exercises.personalized_offers.toy_accuracy('crossed'), or fit OfferRanker('crossed').",
    solution="toy_accuracy('crossed')  # 18 of 21",
    tolerance=1e-9,
)

q2 = Exercise(
    prompt="Which offer does the crossed model pick for a request with feature_1 = 0 and "
    "feature_2 = 1 in the toy table?",
    expected=lambda: (
        OfferRanker("crossed", context=("feature_1", "feature_2"))
        .fit(datasets.load_offers())
        .rank(datasets.load_offers().query("red_box"))
        .iloc[0]
        .idxmax()
    ),
    hint="rank() the red-box row and take the column with the highest score.",
    solution='ranker.rank(toy.query("red_box")).iloc[0].idxmax()  # offer_2, as the source says',
)

q3 = Exercise(
    prompt="A model retrained every 7 days sees an offer collapse 3 days after its last "
    "retraining. For how many days does it keep serving the old ranking?",
    expected=lambda: 7 - 3,
    hint="It learns only at the next retraining.",
    solution="7 - 3 = 4 days",
)
