"""Exercises of the notebook on off-policy evaluation.

>>> from recsys_lab.teaching.exercises import ____
>>> q1.verdict(ope.ips).status, q4.verdict(____).status
('correct', 'not attempted')
"""

from __future__ import annotations

import numpy as np

from recsys_lab.evaluation import ope
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise

# A six-request log: rewards, logging propensities, the target's probabilities.
_REWARD = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
_PSCORE = np.array([0.9, 0.1, 0.1, 0.9, 0.5, 0.25])
_TARGET = np.array([0.9, 0.9, 0.0, 0.1, 0.5, 1.0])


def _weighted_logs() -> list[Case]:
    return [
        Case("a six-request log", (_REWARD, _PSCORE, _TARGET)),
        Case("a target probability of 0", (_REWARD[:3], _PSCORE[:3], np.array([0.0, 0.5, 0.0]))),
        Case("no clicks at all", (np.zeros(6), _PSCORE, _TARGET)),
        Case("the target is the logging policy", (_REWARD, _PSCORE, _PSCORE)),
        Case("a single request", (np.array([1.0]), np.array([0.2]), np.array([0.6]))),
        Case("revenue, refunds negative", (np.array([30.0, -12.0, 0.0]), _PSCORE[:3], _TARGET[:3])),
    ]


q1 = FunctionExercise(
    "ips_estimate",
    "Write ips_estimate(reward, pscore, target_pscore): three arrays, one value per logged "
    "request (pscore in (0, 1]; target_pscore in [0, 1], and 0 is allowed). Return the "
    "inverse-propensity-scoring estimate of the target policy's mean reward.",
    reference=ope.ips,
    cases=_weighted_logs,
    hint="Weight each reward by target_pscore / pscore, then average over ALL requests "
    "(divide by n, not by the sum of the weights).",
    solution="w = np.asarray(target_pscore) / np.asarray(pscore)\n"
    "return float(np.mean(w * np.asarray(reward)))",
)


def _snips_logs() -> list[Case]:
    return [
        Case("a six-request log", (_REWARD, _PSCORE, _TARGET)),
        Case("the target's probabilities halved", (_REWARD, _PSCORE, _TARGET / 2)),
        Case("a target probability of 0", (_REWARD[:3], _PSCORE[:3], np.array([0.0, 0.5, 0.0]))),
        Case("no clicks at all", (np.zeros(6), _PSCORE, _TARGET)),
        Case("a single request", (np.array([1.0]), np.array([0.2]), np.array([0.6]))),
    ]


q2 = FunctionExercise(
    "snips_estimate",
    "Write snips_estimate(reward, pscore, target_pscore): the self-normalised IPS estimate "
    "— the weighted rewards divided by the sum of the weights instead of by n.",
    reference=ope.snips,
    cases=_snips_logs,
    hint="Same weights as IPS; divide Σ w·r by Σ w. Halving every weight changes nothing.",
    solution="w = np.asarray(target_pscore) / np.asarray(pscore)\n"
    "return float(np.sum(w * np.asarray(reward)) / np.sum(w))",
)


def _weights() -> list[Case]:
    return [
        Case("equal weights", (np.full(8, 2.0),)),
        Case("one weight dominates", (np.array([60.0, 0.0, 0.0, 1.0, 1.0]),)),
        Case("every weight 0", (np.zeros(4),)),
        Case("a single weight", (np.array([3.0]),)),
        Case("the six-request log's weights", (_TARGET / _PSCORE,)),
    ]


q3 = FunctionExercise(
    "effective_sample_size",
    "Write effective_sample_size(weights): Kish's effective sample size of importance "
    "weights (all >= 0) — how many equally weighted requests they are worth. Every weight "
    "0 is worth 0 requests.",
    reference=ope.effective_sample_size,
    cases=_weights,
    hint="(Σ w)² / Σ w²; guard the case where Σ w² is 0.",
    solution="w = np.asarray(weights, dtype=float)\n"
    "return float(w.sum() ** 2 / (w**2).sum()) if (w**2).sum() > 0 else 0.0",
)

_K = 6  # offers in the notebook's world

q4 = Exercise(
    prompt="Production logs with no exploration (epsilon = 0) and shows offer_5 to everyone. "
    "A target policy serves offer_2 with probability 0.9 + 0.1/6 and each other offer with "
    "0.1/6 (90/10 around offer_2). What share of the target's probability falls on offers "
    "the log never shows?",
    expected=lambda: ope.support_deficit(np.ones(_K), np.full(_K, 0.1 / _K)),
    hint="On every request the log shows offer_5 only; the target gives offer_5 just 0.1/6.",
    solution="1 − 0.1/6 ≈ 0.983 on every request: ope.support_deficit(np.ones(n), "
    "np.full(n, 0.1 / 6)). No reweighting recovers it; only exploration (or a reward model "
    "you must trust blindly) can.",
    tolerance=1e-9,
)

q5 = Exercise(
    prompt="Production explores 10 % of requests over 6 offers. A request shows an offer "
    "production did not pick (it was served at random); the 90/10 target policy picks that "
    "offer. What is the request's importance weight?",
    expected=lambda: float(
        ope.importance_weights([0.1 / _K], [0.9 + 0.1 / _K], clip=None)[0]  # t / p
    ),
    hint="pscore = epsilon / K for an offer shown at random that is not production's pick; "
    "target_pscore = 0.9 + 0.1 / K.",
    solution="(0.9 + 0.1/6) / (0.1/6) = 55: one such request counts like 55 ordinary ones, "
    "which is why a few of them dominate IPS's variance.",
    tolerance=1e-9,
)

q6 = Exercise(
    prompt="From the exploration sweep (100 logs per rate), what is the cheapest of the logged "
    "rates (0.01, 0.1 or 0.2) at which DR's RMSE stays below 0.02 for all three proposals? "
    "Answer as a share, e.g. 0.05.",
    expected=lambda: 0.1,
    hint="Exploration costs clicks in proportion to epsilon, so the cheapest rate is the "
    "smallest one that meets the target; read the worst RMSE of DR at each rate.",
    solution="0.1: at 1 % DR's RMSE reaches about 0.05 (and it is biased), at 10 % it stays "
    "below 0.016; 20 % is more precise but costs twice the clicks.",
    tolerance=1e-9,
)
