"""Exercises of the notebook on matrix factorization.

Two functions to write — one SGD step, an ALS fold-in — checked on hidden cases against
:func:`recsys_lab.models.sgd_mf.sgd_step` and :func:`recsys_lab.models.als_mf.fold_in_user`;
two questions to reason about (regularisation and over-fitting, users needed for a test).

>>> from recsys_lab.teaching.exercises import ____
>>> q1.verdict(lambda *args: ____).status
'not attempted'
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from recsys_lab import data as datasets
from recsys_lab.evaluation import model_selection, stats
from recsys_lab.models.als_mf import ALSMatrixFactorization, fold_in_user
from recsys_lab.models.sgd_mf import SGDMatrixFactorization, sgd_step
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise

#: The winners of the random search in benchmarks/results/movielens_100k_tuning.csv
#: (a test checks that they still are).
TUNED_SGD: dict[str, Any] = {"n_factors": 100, "n_epochs": 100, "lr_all": 0.005, "reg_all": 0.1}
TUNED_ALS: dict[str, Any] = {"n_factors": 50, "n_iter": 20, "reg": 0.2}


@cache
def tuning_split() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The notebook's train / validation / test parts of MovieLens-100k (64/16/20 %)."""
    ratings = datasets.load_movielens("100k").ratings[["user", "item", "rating"]]
    return model_selection.train_validation_test_split(
        ratings, model_selection.per_user_split, test_size=0.2, random_state=0
    )


def _sgd_cases() -> list[Case]:
    p, q = np.array([0.1, -0.2, 0.3]), np.array([0.2, 0.1, -0.1])
    return [
        Case("a typical rating", (4.0, 3.5, 0.1, -0.2, p, q, 0.05, 0.02)),
        Case("zero regularisation", (5.0, 3.5, 0.3, 0.2, p, q, 0.05, 0.0)),
        Case("a fresh model: factors at zero", (2.0, 3.5, 0.0, 0.0, 0 * p, 0 * q, 0.01, 0.1)),
        Case("a rating below the prediction", (1.0, 3.5, 0.4, 0.5, p, q, 0.1, 0.05)),
        Case(
            "one factor, a big step",
            (5.0, 3.0, -0.5, 0.8, np.array([0.9]), np.array([-1.2]), 0.5, 0.3),
        ),
    ]


def _fold_in_cases() -> list[Case]:
    rng = np.random.default_rng(4)
    Q3, Q4 = rng.normal(0, 0.5, (3, 2)), rng.normal(0, 0.5, (4, 2))
    b3, b4 = np.array([0.2, -0.4, 0.1]), np.array([0.3, 0.0, -0.2, 0.5])
    return [
        Case("three ratings, two factors", (Q3, b3, np.array([5.0, 2.0, 4.0]), 3.5, 0.1)),
        Case("a single rating", (Q3[:1], b3[:1], np.array([5.0]), 3.5, 0.1)),
        Case("zero regularisation", (Q4, b4, np.array([4.0, 3.0, 1.0, 5.0]), 3.5, 0.0)),
        Case("ratings exactly at the baseline", (Q3, b3, 3.5 + b3, 3.5, 0.1)),
        Case("strong regularisation", (Q4, b4, np.array([4.0, 3.0, 1.0, 5.0]), 3.5, 5.0)),
    ]


@cache
def _best_epochs() -> tuple[int, int]:
    """Best validation epoch of SGD over 60 epochs with reg_all 0.02 and 0.1."""
    train, validation, _ = tuning_split()
    best = []
    for reg in (0.02, 0.1):
        model = SGDMatrixFactorization(n_epochs=60, reg_all=reg).fit(train, validation=validation)
        history = model.history_
        best.append(int(history.loc[history["validation_rmse"].idxmin(), "epoch"]))
    return best[0], best[1]


def _later_or_earlier() -> str:
    default, strong = _best_epochs()
    return "later" if strong > default else "earlier" if strong < default else "same"


@cache
def per_user_rmse_difference() -> pd.Series:
    """Per-user test RMSE of the tuned SGD minus the tuned ALS (the notebook's winners)."""
    train, validation, test = tuning_split()
    both = pd.concat([train, validation])
    sgd, als = SGDMatrixFactorization(**TUNED_SGD), ALSMatrixFactorization(**TUNED_ALS)
    errors = test.assign(
        sgd=(test["rating"] - sgd.fit(both).predict(test["user"], test["item"])) ** 2,
        als=(test["rating"] - als.fit(both).predict(test["user"], test["item"])) ** 2,
    )
    per_user = errors.groupby("user")[["sgd", "als"]].mean() ** 0.5
    return per_user["sgd"] - per_user["als"]


def _users_needed() -> int:
    d = per_user_rmse_difference()
    return stats.users_needed(abs(float(d.mean())), float(d.std()))


q1 = FunctionExercise(
    name="sgd_step",
    prompt="Write sgd_step(r, mu, b_u, b_i, p_u, q_i, lr, reg): one SGD update for one "
    "rating r, returning the new (b_u, b_i, p_u, q_i). With e = r - (mu + b_u + b_i + "
    "q_i·p_u): b_u += lr (e - reg b_u), b_i += lr (e - reg b_i), p_u += lr (e q_i - reg "
    "p_u), q_i += lr (e p_u - reg q_i), every right-hand side using the values from before "
    "the step.",
    reference=sgd_step,
    cases=_sgd_cases,
    hint="Compute e once, first. Keep the old p_u in a variable: q_i's update needs it, "
    "not the new one. p_u @ q_i is the dot product.",
    solution="def sgd_step(r, mu, b_u, b_i, p_u, q_i, lr, reg):\n"
    "    e = r - (mu + b_u + b_i + p_u @ q_i)\n"
    "    return (b_u + lr * (e - reg * b_u), b_i + lr * (e - reg * b_i),\n"
    "            p_u + lr * (e * q_i - reg * p_u), q_i + lr * (e * p_u - reg * q_i))",
)

q2 = FunctionExercise(
    name="fold_in",
    prompt="Write fold_in(q, b_i, r, mu, reg): a newcomer's (p_u, b_u) from their ratings r "
    "of n items whose factors q (n × f) and biases b_i stay fixed — one ALS step for one "
    "user. Solve (X'X + reg·n·I) w = X'y with X = [q, 1] (a column of ones appended), "
    "y = r - mu - b_i; w = [p_u, b_u].",
    reference=fold_in_user,
    cases=_fold_in_cases,
    hint="X = np.column_stack([q, np.ones(len(q))]); the identity is (f+1) × (f+1); "
    "np.linalg.solve(A, b). The penalty grows with the number of ratings n.",
    solution="def fold_in(q, b_i, r, mu, reg):\n"
    "    X = np.column_stack([q, np.ones(len(q))])\n"
    "    A = X.T @ X + reg * len(q) * np.eye(X.shape[1])\n"
    "    w = np.linalg.solve(A, X.T @ (r - mu - b_i))\n"
    "    return w[:-1], w[-1]",
)

q3 = Exercise(
    prompt="With the default reg_all = 0.02, SGD's validation RMSE bottoms out and then rises. "
    "Refit SGDMatrixFactorization(n_epochs=60, reg_all=0.1) on train with "
    "validation=validation. Does its best epoch come 'earlier' or 'later'?",
    expected=_later_or_earlier,
    hint="Regularisation pulls every parameter towards 0 at each step: the model fits the "
    "training ratings more slowly. Check with model.history_['validation_rmse'].idxmin().",
    solution="later — stronger regularisation slows fitting, so over-fitting starts later "
    "(within 60 epochs the curve is still falling: the default 20 epochs under-train it).\n"
    "h = SGDMatrixFactorization(n_epochs=60, reg_all=0.1).fit(train, validation=validation)"
    ".history_\nh.loc[h['validation_rmse'].idxmin(), 'epoch']",
    aliases={"after": "later", "afterwards": "later", "before": "earlier", "sooner": "earlier"},
)

q4 = Exercise(
    prompt="The tuned SGD's per-user test RMSE is lower than the tuned ALS's by a mean d "
    "with standard deviation s over 943 users. With that d and s, how many users would a "
    "paired t-test need to detect the difference with 80 % power at α = 0.05?",
    expected=_users_needed,
    hint="stats.users_needed(effect, sd) with effect = |mean of the differences| "
    "and sd = their standard deviation (the notebook's variable `difference`).",
    solution="stats.users_needed(abs(difference.mean()), difference.std())",
)

__all__ = [
    "TUNED_ALS",
    "TUNED_SGD",
    "per_user_rmse_difference",
    "q1",
    "q2",
    "q3",
    "q4",
    "tuning_split",
]
