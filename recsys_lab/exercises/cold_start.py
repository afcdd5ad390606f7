"""Exercises of the notebook on cold start.

>>> q3.verdict(2.0).status
'correct'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab import coldstart, datasets
from recsys_lab.exercises import Exercise


def _train() -> pd.DataFrame:
    """The notebook's training data: everyone but 120 seeded newcomers with 25+ ratings."""
    ratings = datasets.load_marketing().ratings
    per_user = ratings.groupby("user").size()
    rng = np.random.default_rng(0)
    newcomers = rng.choice(per_user[per_user >= 25].index.to_numpy(), size=120, replace=False)
    return ratings[~ratings["user"].isin(newcomers)]


q1 = Exercise(
    prompt="With 10 % random serving over 5 offers, what share of traffic goes to the best "
    "offer once the model has found it?",
    expected=lambda: 0.9 + 0.1 / 5,
    hint="The model sends its 90 % to the best offer; random picks hit it 1 time in 5.",
    solution="0.9 + 0.1 / 5 = 0.92",
    tolerance=1e-9,
)

q2 = Exercise(
    prompt="Which five items does coldstart.elicitation_items(train, k=5) choose?",
    expected=lambda: coldstart.elicitation_items(_train(), k=5),
    hint="Call it; the notebook's train leaves the newcomers out.",
    solution="coldstart.elicitation_items(train, k=5)",
)

q3 = Exercise(
    prompt="What is the Laplace noise scale for epsilon = 0.5 and sensitivity 1?",
    expected=lambda: 1 / 0.5,
    hint="scale = sensitivity / epsilon",
    solution="1 / 0.5 = 2: smaller epsilon, more noise",
)
