"""The online-evaluation notebook's exercises: right answers pass, typical wrong ones fail
with the failing case named, blanks are 'not attempted'."""

import math

import numpy as np

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import online_evaluation as ex

Z = 1.959963984540054


def test_q1_wilson():
    def right(successes, trials):
        p, n = successes / trials, trials
        centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
        half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
        return centre - half, centre + half

    def wald(successes, trials):  # the textbook interval Wilson replaces
        p = successes / trials
        half = Z * math.sqrt(p * (1 - p) / trials)
        return p - half, p + half

    def no_correction_in_the_root(successes, trials):
        p, n = successes / trials, trials
        centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
        half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n)
        return centre - half, centre + half

    assert ex.q1.verdict(right).correct
    assert "'10 clicks in 100 impressions'" in ex.q1.verdict(wald).message
    assert "'0 clicks'" in ex.q1.verdict(no_correction_in_the_root).message or (
        "'10 clicks in 100 impressions'" in ex.q1.verdict(no_correction_in_the_root).message
    )

    def blank(successes, trials):
        return ____

    assert ex.q1.verdict(blank).status == "not attempted"


def test_q2_srm():
    def right(counts, planned):
        total = sum(counts)
        return sum((c - total * s) ** 2 / (total * s) for c, s in zip(counts, planned, strict=True))

    def divides_by_observed(counts, planned):  # Neyman's chi-square, not Pearson's
        counts = np.asarray(counts, float)
        expected = counts.sum() * np.asarray(planned)
        return float(((counts - expected) ** 2 / counts).sum())

    def assumes_equal_split(counts, planned):
        counts = np.asarray(counts, float)
        expected = counts.mean()
        return float(((counts - expected) ** 2 / expected).sum())

    assert ex.q2.verdict(right).correct
    assert "'10,250 vs 9,750, planned 50/50'" in ex.q2.verdict(divides_by_observed).message
    assert "'three arms, planned 50/25/25'" in ex.q2.verdict(assumes_equal_split).message
    assert ex.q2.verdict(____).status == "not attempted"


def test_q3_cuped_theta():
    def right(metric, covariate):
        x, y = np.asarray(covariate, float), np.asarray(metric, float)
        return float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())

    def correlation(metric, covariate):  # corr, not the slope
        return float(np.corrcoef(covariate, metric)[0, 1])

    def mixed_ddof(metric, covariate):  # sample covariance over population variance
        return float(np.cov(covariate, metric)[0, 1] / np.var(covariate))

    assert ex.q3.verdict(right).correct
    assert "'a hand-made example'" in ex.q3.verdict(correlation).message
    assert "'a hand-made example'" in ex.q3.verdict(mixed_ddof).message
    assert ex.q3.verdict(____).status == "not attempted"


def test_reasoning_questions():
    assert ex.q4.verdict(0.05).correct and not ex.q4.verdict(0.25).correct
    assert ex.q5.verdict("Higher").correct and ex.q5.verdict("more").correct
    assert not ex.q5.verdict("lower").correct
    assert ex.q6.verdict("equal").correct and ex.q6.verdict("the same").correct
    assert not ex.q6.verdict("larger").correct and not ex.q6.verdict("smaller").correct
    for q in (ex.q4, ex.q5, ex.q6):
        assert q.verdict(____).status == "not attempted"
