"""The implicit-feedback notebook's exercises: right answers pass, typical wrong ones fail."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import implicit_feedback as ex


# ------------------------------------------------------------------ q1: EASE's closed form
def ease_by_columns(X, reg):
    """One ridge regression per item on the other items (the constrained problem itself)."""
    X = np.asarray(X, dtype=float)
    n = X.shape[1]
    B = np.zeros((n, n))
    for j in range(n):
        others = [k for k in range(n) if k != j]
        Xo = X[:, others]
        B[others, j] = np.linalg.solve(Xo.T @ Xo + reg * np.eye(n - 1), Xo.T @ X[:, j])
    return B


def ease_with_diagonal(X, reg):
    P = np.linalg.inv(X.T @ X + reg * np.eye(X.shape[1]))
    return -P / np.diag(P)  # forgets diag(B) = 0


def ease_by_rows(X, reg):
    P = np.linalg.inv(X.T @ X + reg * np.eye(X.shape[1]))
    B = -P / np.diag(P)[:, None]  # divides row i by P_ii: the transpose
    np.fill_diagonal(B, 0.0)
    return B


def test_q1_right_answer_passes():
    assert ex.q1.verdict(ease_by_columns).correct


def test_q1_typical_mistakes_fail_on_a_named_case():
    message = ex.q1.verdict(ease_with_diagonal).message
    assert message.startswith("Incorrect on the case 'two items, three users'")
    message = ex.q1.verdict(ease_by_rows).message
    assert "Incorrect on the case 'three items, a hand-solved case'" in message


# ------------------------------------------------------------------- q2: one BPR step
def bpr_step_by_hand(p_u, q_i, q_j, b_i, b_j, lr, reg):
    margin = sum(p * (a - b) for p, a, b in zip(p_u, q_i, q_j, strict=True)) + b_i - b_j
    z = 1 / (1 + math.exp(margin))
    return [p + lr * (z * (a - b) - reg * p) for p, a, b in zip(p_u, q_i, q_j, strict=True)]


def bpr_step_wrong_sign(p_u, q_i, q_j, b_i, b_j, lr, reg):
    x = p_u @ (q_i - q_j) + b_i - b_j
    z = 1 / (1 + np.exp(-x))  # sigma(x) instead of sigma(-x)
    return p_u + lr * (z * (q_i - q_j) - reg * p_u)


def bpr_step_without_biases(p_u, q_i, q_j, b_i, b_j, lr, reg):
    z = 1 / (1 + np.exp(p_u @ (q_i - q_j)))
    return p_u + lr * (z * (q_i - q_j) - reg * p_u)


def test_q2_right_answer_passes():
    assert ex.q2.verdict(bpr_step_by_hand).correct


def test_q2_typical_mistakes_fail_on_a_named_case():
    assert ex.q2.verdict(bpr_step_wrong_sign).message.startswith(
        "Incorrect on the case 'a typical triple'"
    )
    message = ex.q2.verdict(bpr_step_without_biases).message
    assert "Incorrect on the case 'a typical triple'" in message


# --------------------------------------------------------------- q3: candidate recall
def recall_by_loop(candidates, relevant):
    distinct = []
    for item in relevant:
        if item not in distinct:
            distinct.append(item)
    if not distinct:
        return math.nan
    return sum(item in candidates for item in distinct) / len(distinct)


def recall_counting_duplicates(candidates, relevant):
    if not relevant:
        return math.nan
    return sum(item in candidates for item in relevant) / len(relevant)


def recall_zero_when_nothing_relevant(candidates, relevant):
    wanted = set(relevant)
    return len(set(candidates) & wanted) / len(wanted) if wanted else 0.0


def recall_as_precision(candidates, relevant):
    return len(set(candidates) & set(relevant)) / len(candidates)


def test_q3_right_answer_passes():
    assert ex.q3.verdict(recall_by_loop).correct


@pytest.mark.parametrize(
    ("answer", "case"),
    [
        (recall_counting_duplicates, "an item relevant twice (clicked twice)"),
        (recall_zero_when_nothing_relevant, "no relevant item: nothing to find"),
        (recall_as_precision, "two of three found"),
    ],
)
def test_q3_typical_mistakes_fail_on_a_named_case(answer, case):
    message = ex.q3.verdict(answer).message
    assert message.startswith(f"Incorrect on the case '{case}'"), message


# ---------------------------------------------------------------- q4, q5: reasoning
def test_q4_the_ceiling_is_a_perfect_list():
    assert ex.q4.verdict(1.0).correct
    assert not ex.q4.verdict(15 / 20).correct  # recall of the candidates, not nDCG
    assert not ex.q4.verdict(10 / 20).correct  # recall@10


def test_q5_the_redraw_probability():
    assert ex.q5.verdict(100 / 1682).correct
    assert ex.q5.verdict(0.0595).correct  # typed from a rounded value
    assert not ex.q5.verdict(1 / 1682).correct
    assert not ex.q5.verdict(1 - 100 / 1682).correct


# ------------------------------------------------------------------------- blanks
@pytest.mark.parametrize("name", ["q1", "q2", "q3", "q4", "q5"])
def test_blank_is_not_attempted(name):
    question = getattr(ex, name)
    assert question.verdict(____).status == "not attempted"


@pytest.mark.parametrize("name", ["q1", "q2", "q3"])
def test_a_function_returning_blank_is_not_attempted(name):
    def blank(*args, **kwargs):
        return ____

    assert getattr(ex, name).verdict(blank).status == "not attempted"
