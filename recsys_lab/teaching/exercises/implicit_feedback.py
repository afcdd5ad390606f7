"""Exercises of the notebook on implicit feedback (EASE, BPR, retrieve-then-rank).

>>> q4.verdict(1.0).status, q4.verdict(0.75).status
('correct', 'incorrect')
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from recsys_lab import data as datasets
from recsys_lab.evaluation import metrics
from recsys_lab.models.bpr import bpr_epoch
from recsys_lab.models.ease import ease_weights
from recsys_lab.teaching.exercises import Case, Exercise, FunctionExercise


def _ease_cases() -> list[Case]:
    return [
        Case("two items, three users", (np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), 1.0)),
        Case(
            "three items, a hand-solved case",
            (np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]), 1.0),
        ),
        Case("a user with one interaction", (np.array([[0.0, 1.0, 0.0]]), 2.0)),
        Case(
            "an item nobody touched",
            (np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), 1.0),
        ),
        Case(
            "strengths, not just ones",
            (np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 5.0], [1.0, 0.0, 1.0], [0.0, 4.0, 0.0]]), 2.0),
        ),
        Case(
            "ties: two items with the same users",
            (np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]]), 0.5),
        ),
        Case("a large lambda", (np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), 1000.0)),
    ]


q1 = FunctionExercise(
    "ease_weights",
    "Write ease_weights(X, reg): EASE's item × item weights B = I − P diag(1/diag P), "
    "with P = (XᵀX + reg·I)⁻¹, so B_ij = −P_ij / P_jj off the diagonal and B_jj = 0.",
    reference=lambda X, reg: ease_weights(np.asarray(X, dtype=float), float(reg)),
    cases=_ease_cases,
    hint="P = np.linalg.inv(X.T @ X + reg * np.eye(X.shape[1])); dividing P by np.diag(P) "
    "divides each column j by P_jj. Then negate and set the diagonal to 0.",
    solution="def ease_weights(X, reg):\n"
    "    P = np.linalg.inv(X.T @ X + reg * np.eye(X.shape[1]))\n"
    "    B = -P / np.diag(P)\n"
    "    np.fill_diagonal(B, 0.0)\n"
    "    return B",
)


def _bpr_user_step(
    p_u: np.ndarray,
    q_i: np.ndarray,
    q_j: np.ndarray,
    b_i: float,
    b_j: float,
    lr: float,
    reg: float,
) -> np.ndarray:
    """The package's BPR update (``bpr_epoch``) on one triple; the user's new factors."""
    P = np.array([p_u], dtype=float)
    Q = np.array([q_i, q_j], dtype=float)
    b = np.array([b_i, b_j], dtype=float)
    bpr_epoch(np.array([0]), np.array([0]), np.array([1]), P, Q, b, lr, reg)
    return P[0]


def _bpr_cases() -> list[Case]:
    p, qi, qj = np.array([0.1, -0.2]), np.array([0.3, 0.1]), np.array([-0.2, 0.4])
    return [
        Case("a typical triple", (p, qi, qj, 0.1, -0.1), {"lr": 0.05, "reg": 0.01}),
        Case("no regularisation", (p, qi, qj, 0.0, 0.0), {"lr": 0.1, "reg": 0.0}),
        Case("ranked wrong so far", (p, qj, qi, -0.5, 0.5), {"lr": 0.1, "reg": 0.01}),
        Case(
            "ranked right by a wide margin",
            (np.array([2.0, 2.0]), np.array([3.0, 3.0]), np.array([-3.0, -3.0]), 1.0, -1.0),
            {"lr": 0.1, "reg": 0.01},
        ),
        Case(
            "i and j alike: only the penalty moves p_u",
            (p, qi, qi, 0.2, 0.2),
            {"lr": 0.1, "reg": 0.5},
        ),
        Case("a new user (p_u = 0)", (np.zeros(2), qi, qj, 0.3, 0.0), {"lr": 0.1, "reg": 0.01}),
    ]


q2 = FunctionExercise(
    "bpr_user_step",
    "Write bpr_user_step(p_u, q_i, q_j, b_i, b_j, lr, reg): the user's factors after one "
    "LearnBPR step, p_u + lr·(z·(q_i − q_j) − reg·p_u) with z = 1 / (1 + exp(x_ui − x_uj)) "
    "and x_ui = p_u·q_i + b_i.",
    reference=_bpr_user_step,
    cases=_bpr_cases,
    hint="x = p_u @ (q_i - q_j) + b_i - b_j is the margin; z = 1 / (1 + np.exp(x)) is "
    "large when the triple is ranked wrong and tiny when it is ranked right.",
    solution="def bpr_user_step(p_u, q_i, q_j, b_i, b_j, lr, reg):\n"
    "    x = p_u @ (q_i - q_j) + b_i - b_j\n"
    "    z = 1 / (1 + np.exp(x))\n"
    "    return p_u + lr * (z * (q_i - q_j) - reg * p_u)",
)


def _candidate_recall(candidates: Sequence[Hashable], relevant: Sequence[Hashable]) -> float:
    """Recall of one user's candidate list (:func:`recsys_lab.evaluation.metrics.recall_at_k`)."""
    if len(relevant) == 0:
        return float("nan")
    ranked = list(candidates)
    return metrics.recall_at_k({0: ranked}, {0: list(relevant)}, k=max(len(ranked), 1))


def _recall_cases() -> list[Case]:
    return [
        Case("two of three found", (["a", "b", "c", "d"], ["b", "d", "x"])),
        Case("a user with one relevant item", (["a", "b"], ["b"])),
        Case("nothing relevant retrieved", (["a", "b", "c"], ["x", "y"])),
        Case("no candidates at all", ([], ["a"])),
        Case("no relevant item: nothing to find", (["a", "b"], [])),
        Case("an item relevant twice (clicked twice)", (["a", "b", "c"], ["a", "a", "z"])),
        Case("numeric ids", ([3, 1, 4, 5, 9], [9, 2, 6])),
    ]


q3 = FunctionExercise(
    "candidate_recall",
    "Write candidate_recall(candidates, relevant): the share of the user's distinct "
    "relevant items that are among the candidates; nan when there is none.",
    reference=_candidate_recall,
    cases=_recall_cases,
    hint="Work with sets: len(set(candidates) & set(relevant)) / len(set(relevant)), and "
    "return float('nan') first when relevant is empty.",
    solution="def candidate_recall(candidates, relevant):\n"
    "    wanted = set(relevant)\n"
    "    if not wanted:\n"
    "        return float('nan')\n"
    "    return len(set(candidates) & wanted) / len(wanted)",
)


def _best_ndcg() -> float:
    held_out = [f"film {n}" for n in range(20)]
    found = held_out[:15]  # the 15 among the candidates: the best list puts 10 of them first
    return metrics.ndcg_at_k({"user": found[:10]}, {"user": held_out}, k=10)


q4 = Exercise(
    prompt="A user has 20 held-out films, 15 of them among their 200 candidates. What is "
    "the highest nDCG@10 a re-ranker of those candidates can reach for this user?",
    expected=_best_ndcg,
    hint="The ideal DCG@10 counts at most 10 relevant items. Can the re-ranker fill all "
    "10 places with relevant films?",
    solution="1.0: ten of the 15 retrieved films fill the top 10, and the ideal list can do no "
    "better than 10 hits. (Recall@10 is then 10/20 = 0.5; the missing 5 films only matter "
    "for longer lists.)",
)


def _redraw_probability() -> float:
    films = datasets.load_movielens("100k").items["item"].nunique()
    return 100 / films


q5 = Exercise(
    prompt="A user has interacted with 100 of MovieLens-100k's films. What is the "
    "probability that one uniform draw of a negative must be redrawn?",
    expected=_redraw_probability,
    hint="A draw is redrawn when it lands on one of the user's own items; every item is "
    "equally likely.",
    solution="100 / 1682 ≈ 0.059: uniform negatives are almost always items the user never "
    "touched — and, in a long tail, mostly obscure ones.",
)
