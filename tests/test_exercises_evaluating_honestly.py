"""The exercises of the notebook on evaluating a recommender honestly.

For each question: a reference solution written here, independently of the package,
passes; typical wrong answers fail with a message that names the failing case; a blank is
"not attempted".
"""

import itertools
import math

import numpy as np
import pytest

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import evaluating_honestly as ex


def _blank_function(*args, **kwargs):
    return ____


@pytest.mark.parametrize("q", [ex.q1, ex.q2, ex.q3, ex.q4, ex.q5, ex.q6])
def test_blanks_are_not_attempted(q):
    assert q.verdict(____).status == "not attempted"
    if hasattr(q, "cases"):
        assert q.verdict(_blank_function).status == "not attempted"


# ----------------------------------------------------------------- q1: leave-last-out
def held_out_positions(timestamps, n=1):
    """Hand-written: insertion-sort the positions by time; later rows win ties."""
    order = []
    for position, stamp in enumerate(timestamps):
        at = len(order)
        while at > 0 and timestamps[order[at - 1]] > stamp:
            at -= 1
        order.insert(at, position)
    n_test = min(n, len(order) - 1) if order else 0
    return sorted(order[len(order) - n_test :]) if n_test > 0 else []


def test_q1_reference_passes():
    assert ex.q1.verdict(held_out_positions).correct


def test_q1_unstable_sort_fails_on_ties():
    def by_time_latest_first(timestamps, n=1):
        order = sorted(range(len(timestamps)), key=lambda i: (timestamps[i], -i))
        return sorted(order[max(len(order) - n, 1) :])

    verdict = ex.q1.verdict(by_time_latest_first)
    assert not verdict.correct and "a tie in time" in verdict.message


def test_q1_holding_out_everything_fails():
    def latest_n(timestamps, n=1):
        order = np.argsort(timestamps, kind="stable")
        return sorted(int(i) for i in order[len(order) - n :])

    verdict = ex.q1.verdict(latest_n)
    assert not verdict.correct and "a single rating stays in training" in verdict.message


# --------------------------------------------------------------- q2: sign-flip p-value
def sign_flip_pvalue(differences):
    """Hand-written: enumerate the sign patterns with itertools, compare sums exactly."""
    d = [float(x) for x in differences]
    observed = abs(sum(d))
    patterns = list(itertools.product((1, -1), repeat=len(d)))
    extreme = sum(
        abs(sum(s * x for s, x in zip(signs, d, strict=True))) >= observed - 1e-12
        for signs in patterns
    )
    return extreme / len(patterns)


def test_q2_reference_passes():
    assert ex.q2.verdict(sign_flip_pvalue).correct


def test_q2_strict_inequality_fails_where_patterns_tie():
    def strict(differences):
        d = np.asarray(differences, dtype=float)
        signs = np.array(list(itertools.product((1, -1), repeat=d.size)))
        return float(np.mean(np.abs(signs @ d) > abs(d.sum())))

    verdict = ex.q2.verdict(strict)
    assert not verdict.correct and "mixed signs" in verdict.message


def test_q2_one_sided_fails():
    def one_sided(differences):
        d = np.asarray(differences, dtype=float)
        signs = np.array(list(itertools.product((1, -1), repeat=d.size)))
        return float(np.mean(signs @ d >= d.sum() - 1e-12))

    verdict = ex.q2.verdict(one_sided)
    assert not verdict.correct and "Incorrect on the case" in verdict.message


# --------------------------------------------------------------------------- q3: Holm
def holm(pvalues):
    """Hand-written from Holm (1979): step down through the sorted p-values."""
    m = len(pvalues)
    ranked = sorted(range(m), key=lambda i: pvalues[i])
    adjusted, running = [0.0] * m, 0.0
    for step, i in enumerate(ranked):
        running = max(running, min(1.0, (m - step) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def test_q3_reference_passes():
    assert ex.q3.verdict(holm).correct


def test_q3_bonferroni_fails():
    verdict = ex.q3.verdict(lambda p: [min(1.0, len(p) * x) for x in p])
    assert not verdict.correct and "already sorted" in verdict.message


def test_q3_without_the_running_maximum_fails():
    def no_running_max(pvalues):
        m = len(pvalues)
        ranked = sorted(range(m), key=lambda i: pvalues[i])
        adjusted = [0.0] * m
        for step, i in enumerate(ranked):
            adjusted[i] = min(1.0, (m - step) * pvalues[i])
        return adjusted

    verdict = ex.q3.verdict(no_running_max)
    assert not verdict.correct and "already sorted" in verdict.message


def test_q3_sorted_output_fails_on_unsorted_input():
    verdict = ex.q3.verdict(lambda p: sorted(holm(p)))
    assert not verdict.correct and "unsorted" in verdict.message


# ------------------------------------------------------------------ reasoning questions
def test_q4_at_least_one_false_alarm():
    assert ex.q4.verdict(1 - 0.95**20).correct and ex.q4.verdict(0.64).correct
    assert not ex.q4.verdict(1.0).correct  # the expected number of false alarms, not a chance
    assert not ex.q4.verdict(0.05).correct  # what a correction would give


def test_q5_full_and_sampled_winners():
    # full HR@10: A never (rank 50), B for 30 % of users; sampled: a rank-50 item is
    # beaten by 49 of 1,681 items, so about 100 × 49/1681 ≈ 2.9 of 100 negatives: a hit
    expected_sampled_a = sum(
        math.comb(49, j) * math.comb(1681 - 49, 100 - j) for j in range(10)
    ) / math.comb(1681, 100)
    assert expected_sampled_a > 0.99
    assert ex.q5.verdict(["B", "A"]).correct and ex.q5.verdict(["b", "a"]).correct
    assert not ex.q5.verdict(["B", "B"]).correct
    assert not ex.q5.verdict(["A", "B"]).correct
    assert "expected 2 items" in ex.q5.verdict(["B"]).message


def test_q6_the_interval_does_not_allow_a_claim():
    difference, (low, high) = ex._temporal_als_vs_item_knn()
    assert difference > 0 and low < 0 < high
    assert ex.q6.verdict(["ALS", False]).correct
    assert ex.q6.verdict(["alternating least squares", False]).correct
    assert not ex.q6.verdict(["ALS", True]).correct  # ahead, but not significantly
    assert not ex.q6.verdict(["item-KNN", False]).correct
    assert "expected a list" in ex.q6.verdict("ALS").message
