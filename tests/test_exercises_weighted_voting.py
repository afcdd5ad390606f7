"""The weighted-voting notebook's exercises: right answers pass, typical wrong ones fail
with a message naming the case, blanks are "not attempted". The reference solutions are
written here, independently of the package."""

import math

import numpy as np
import pytest

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import weighted_voting as ex


def knn_vote(ratings, similarities, k):
    """Written out as a learner would: sort by similarity (stable), cut at k, keep > 0."""
    order = sorted(range(len(similarities)), key=lambda j: -similarities[j])[:k]
    voters = [j for j in order if similarities[j] > 0]
    if not voters:
        return math.nan
    num = sum(similarities[j] * ratings[j] for j in voters)
    return num / sum(similarities[j] for j in voters)


def mean_centred_vote(ratings, similarities, means, target_mean, k):
    deviation = knn_vote([r - m for r, m in zip(ratings, means, strict=True)], similarities, k)
    return target_mean + (0.0 if math.isnan(deviation) else deviation)


def test_q1_right_answer_passes():
    verdict = ex.q1.verdict(knn_vote)
    assert verdict.correct, verdict.message
    assert "7 hidden cases" in verdict.message


def keeps_negative_voters(ratings, similarities, k):
    top = np.argsort(-similarities, kind="stable")[:k]
    return float((similarities[top] * ratings[top]).sum() / similarities[top].sum())


def later_tie_first(ratings, similarities, k):
    return knn_vote(ratings[::-1], similarities[::-1], k)


def equal_weights(ratings, similarities, k):
    top = np.argsort(-similarities, kind="stable")[:k]
    voters = top[similarities[top] > 0]
    return float(ratings[voters].mean()) if voters.size else math.nan


@pytest.mark.parametrize(
    ("wrong", "case"),
    [
        (keeps_negative_voters, "a single voter"),
        (later_tie_first, "a tie at the k-th place"),
        (equal_weights, "five candidates, k=3"),
    ],
)
def test_q1_typical_mistakes_name_the_case(wrong, case):
    verdict = ex.q1.verdict(wrong)
    assert not verdict.correct
    assert f"case '{case}'" in verdict.message


def test_q1_crash_on_empty_is_reported_not_raised():
    def no_guard(ratings, similarities, k):
        top = np.argsort(-similarities, kind="stable")[:k]
        voters = top[similarities[top] > 0]
        return float(np.average(ratings[voters], weights=similarities[voters]))

    verdict = ex.q1.verdict(no_guard)
    assert not verdict.correct
    assert "case 'nobody similar'" in verdict.message and "raised" in verdict.message


def test_q2_right_answer_passes_and_mistakes_fail():
    assert ex.q2.verdict(mean_centred_vote).correct

    def forgot_mean(r, s, m, t, k):
        return mean_centred_vote(r, s, m, 0.0, k)

    def nan_when_alone(r, s, m, t, k):
        return t + knn_vote([a - b for a, b in zip(r, m, strict=True)], s, k)

    def raw_ratings(r, s, m, t, k):
        return knn_vote(r, s, k)

    assert "case 'three voters, k=2'" in ex.q2.verdict(forgot_mean).message
    assert "case 'nobody similar'" in ex.q2.verdict(nan_when_alone).message
    assert not ex.q2.verdict(raw_ratings).correct


def test_q3_temperature():
    assert ex.q3.verdict(200_000 / math.log(3)).correct
    assert ex.q3.verdict(182_000).correct  # typed from a rounded value
    assert not ex.q3.verdict(100_000).correct  # the temperature used in the notebook
    assert not ex.q3.verdict(0.75).correct  # the share, not the temperature


def test_q4_shrinkage():
    ann = 1.0 * 1 / (1 + 100)
    bob = 0.8 * 40 / (40 + 100)
    answer = "Bob" if bob > ann else "Ann"
    assert ex.q4.verdict(answer).correct and ex.q4.verdict(answer.lower()).correct
    assert not ex.q4.verdict("Ann").correct
    assert "expected a name" in ex.q4.verdict(0.229).message


@pytest.mark.slow
def test_q5_paired_test_answer():
    assert ex.q5.verdict("yes").correct and ex.q5.verdict("Y").correct
    assert not ex.q5.verdict("no").correct


@pytest.mark.parametrize("name", ["q1", "q2", "q3", "q4", "q5"])
def test_blank_is_not_attempted(name):
    q = getattr(ex, name)
    assert q.verdict(____).status == "not attempted"
    if name in ("q1", "q2"):
        assert q.verdict(lambda *args: ____).status == "not attempted"
