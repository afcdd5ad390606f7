"""Exercises of the notebook on matrix factorization.

>>> round(q1.expected() / 1e5, 1) > 0
True
"""

from __future__ import annotations

from recsys_lab import datasets, model_selection
from recsys_lab.exercises import Exercise
from recsys_lab.mf import ALSMatrixFactorization, SGDMatrixFactorization


def sales_factorization() -> ALSMatrixFactorization:
    """The two-taste factorization of the sales matrix used in notebook 04."""
    return ALSMatrixFactorization(n_factors=2, reg=0.1, n_iter=100).fit(datasets.sales_ratings())


def _validation_rmse() -> float:
    train, test = model_selection.split_by_time(datasets.load_marketing().ratings, 0.2)
    model = ALSMatrixFactorization().fit(train, validation=test)
    return float(round(model.history_["validation_rmse"].iloc[-1], 3))


q1 = Exercise(
    prompt="Using the two-taste factorization of the sales matrix (sales_factorization()), "
    "what does it predict for Alyssa × Staples, in dollars?",
    expected=lambda: float(sales_factorization().predict(["Alyssa"], ["Staples"])[0] * 1e5),
    hint="model.predict(['Alyssa'], ['Staples']) is in units of $100,000.",
    solution="sales_factorization().predict(['Alyssa'], ['Staples'])[0] * 100_000",
    tolerance=1.0,
)

q2 = Exercise(
    prompt="Fit ALSMatrixFactorization() (defaults) on the time split's training set with "
    "validation=test. What is the last validation RMSE, rounded to 3 decimals?",
    expected=_validation_rmse,
    hint="model.fit(train, validation=test).history_ has a validation_rmse column.",
    solution="ALSMatrixFactorization().fit(train, validation=test).history_"
    '["validation_rmse"].iloc[-1].round(3)',
    tolerance=5e-4,
)

q3 = Exercise(
    prompt="Surprise 1.1.5's SlopeOne learns from ratings a = 4.5, b = 4.0 (user 1) and "
    "predicts b for a user who rated a = 3.0. What would an exact Slope One predict?",
    expected=lambda: 3.0 - (4.5 - 4.0),
    hint="Slope One adds the average difference b − a to the user's rating of a.",
    solution="3.0 + (4.0 - 4.5) = 2.5 — Surprise says 3.0 because it stores ratings as int",
)

__all__ = ["SGDMatrixFactorization", "q1", "q2", "q3", "sales_factorization"]
