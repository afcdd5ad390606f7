"""Exercises of the notebook on online evaluation.

>>> from recsys_lab.teaching.exercises import ____
>>> q4.expected(), q1.verdict(____).status
(0.05, 'not attempted')
"""

from __future__ import annotations

import numpy as np

from recsys_lab.evaluation import abtest
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise


def _rates() -> list[Case]:
    return [
        Case("10 clicks in 100 impressions", (10, 100)),
        Case("0 clicks", (0, 20)),
        Case("every impression clicked", (15, 15)),
        Case("a single impression", (1, 1)),
        Case("a large sample", (2_479, 9_985)),
    ]


q1 = FunctionExercise(
    "wilson_interval",
    "Write wilson_interval(successes, trials): the 95 % Wilson score interval of a rate, "
    "returned as (low, high). Use z = 1.959964 (the 97.5 % normal quantile).",
    reference=lambda successes, trials: list(abtest.wilson_interval(successes, trials)),
    cases=_rates,
    hint="centre = (p + z²/2n) / (1 + z²/n); half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).",
    solution="p, z = successes / trials, 1.959964\n"
    "centre = (p + z**2 / (2 * trials)) / (1 + z**2 / trials)\n"
    "half = z * math.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / (1 + z**2 / trials)\n"
    "return centre - half, centre + half",
    rel_tol=1e-5,
)


def _arms() -> list[Case]:
    return [
        Case("10,250 vs 9,750, planned 50/50", ([10_250, 9_750], [0.5, 0.5])),
        Case("equal arms", ([5_000, 5_000], [0.5, 0.5])),
        Case("three arms, planned 50/25/25", ([5_100, 2_450, 2_450], [0.5, 0.25, 0.25])),
        Case("a 90/10 split kept", ([9_000, 1_000], [0.9, 0.1])),
        Case("a tiny experiment", ([7, 3], [0.5, 0.5])),
    ]


q2 = FunctionExercise(
    "srm_statistic",
    "Write srm_statistic(counts, planned): users per arm and the planned share of each arm "
    "(summing to 1). Return Pearson's chi-square statistic of the sample-ratio-mismatch "
    "check.",
    reference=lambda counts, planned: abtest.srm_test(counts, planned).statistic,
    cases=_arms,
    hint="expected = total × planned share; Σ (observed − expected)² / expected.",
    solution="counts, planned = np.asarray(counts, float), np.asarray(planned, float)\n"
    "expected = counts.sum() * planned\n"
    "return float(((counts - expected) ** 2 / expected).sum())",
)


def _covariates() -> list[Case]:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([2.0, 4.0, 5.0, 9.0])
    return [
        Case("a hand-made example", (y, x)),
        Case("the covariate is the metric", (y, y)),
        Case("a negative relation", (y, -x)),
        Case("the covariate in cents, not dollars", (y, 100 * x)),
        Case("a constant added to the covariate", (y, x + 50)),
    ]


q3 = FunctionExercise(
    "cuped_theta",
    "Write cuped_theta(metric, covariate): CUPED's coefficient θ, the covariance of the "
    "covariate and the metric divided by the variance of the covariate.",
    reference=lambda metric, covariate: abtest.cuped(metric, covariate).theta,
    cases=_covariates,
    hint="np.cov(covariate, metric)[0, 1] / np.var(covariate, ddof=1) — the same ddof both "
    "times, so the slope of a least-squares line of the metric on the covariate.",
    solution="return float(np.cov(covariate, metric)[0, 1] / np.var(covariate, ddof=1))",
)

q4 = Exercise(
    prompt="An A/A test is read with the mSPRT after every single user, alpha = 0.05, and "
    "stopped at the first p-value below alpha. At most what share of such tests ever "
    "declares a difference, however long they run?",
    expected=lambda: 0.05,
    hint="Ville's inequality bounds the chance that the mixture likelihood ratio ever "
    "reaches 1/alpha.",
    solution="alpha = 0.05: the always-valid p-value keeps its promise under continuous "
    "peeking (the simulation in the notebook finds a bit less, because the bound is not "
    "tight).",
)

q5 = Exercise(
    prompt="The naive z-test of the peeking demonstration is read at 100 looks instead of "
    "20. Is its false-positive rate higher or lower than with 20 looks? (answer 'higher' "
    "or 'lower')",
    expected=lambda: "higher",
    hint="Every extra look is one more chance for noise to cross the line; the looks at 20 "
    "are among the 100.",
    solution="Higher: the 100 looks include the 20 (every fifth), so every experiment stopped "
    "at 20 looks is also stopped at 100, plus some more. It keeps growing with the looks.",
    aliases={"more": "higher", "above": "higher", "up": "higher", "less": "lower"},
)

q6 = Exercise(
    prompt="If every user saw exactly one impression, how would the delta-method standard "
    "error of the click rate per impression compare with the binomial one? (answer "
    "'smaller', 'equal' or 'larger')",
    expected=lambda: "equal",
    hint="With one impression per user, what is left of the correlation between impressions "
    "of the same user?",
    solution="Equal (up to n/(n−1)): each user's impressions x = 1, so the delta-method "
    "variance reduces to var(clicks)/n = p(1−p)/n, the binomial one. The two differ only "
    "when users see several impressions whose clicks are correlated.",
    aliases={"same": "equal", "the same": "equal", "equally large": "equal"},
)
