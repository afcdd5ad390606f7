"""The distance-norms notebook's questions: right answers pass, typical wrong ones fail.

Every right answer here is written independently of the package (plain pandas / arithmetic),
never taken from the question's own ``expected`` or ``reference``.
"""

import math

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import distance_norms as ex


def _msd_similarity(a, b):
    sq = ((a - b) ** 2).dropna()
    return 1 / (sq.mean() + 1) if len(sq) else 0.0


def _normalized_minkowski(a, b, p):
    gaps = (a - b).abs().dropna()
    return (gaps**p).mean() ** (1 / p) if len(gaps) else float("nan")


def test_blanks_are_not_attempted():
    for q in (ex.q1, ex.q2, ex.q3, ex.q4, ex.q5):
        assert q.verdict(____).status == "not attempted"

    def msd_similarity(a, b):
        return ____

    assert ex.q1.verdict(msd_similarity).status == "not attempted"


def test_q1_msd_similarity():
    assert ex.q1.verdict(_msd_similarity).correct

    def one_when_nothing_shared(a, b):  # the mean of nothing is NaN; 1 / (NaN + 1) is NaN
        return 1 / (((a - b) ** 2).mean() + 1) if ((a - b) ** 2).notna().any() else 1.0

    message = ex.q1.verdict(one_when_nothing_shared).message
    assert message.startswith("Incorrect on the case 'no shared value'")

    def summed_not_mean(a, b):
        sq = ((a - b) ** 2).dropna()
        return 1 / (sq.sum() + 1) if len(sq) else 0.0

    message = ex.q1.verdict(summed_not_mean).message
    assert "Incorrect on the case 'Alyssa and Chloe (three shared clients)'" in message


def test_q2_normalized_minkowski():
    assert ex.q2.verdict(_normalized_minkowski).correct

    def raw_minkowski(a, b, p):
        gaps = (a - b).abs().dropna()
        return (gaps**p).sum() ** (1 / p) if len(gaps) else float("nan")

    message = ex.q2.verdict(raw_minkowski).message
    assert "Incorrect on the case 'Alyssa and Chloe (three shared clients), p = 2'" in message

    def divided_outside_the_root(a, b, p):
        gaps = (a - b).abs().dropna()
        return (gaps**p).sum() ** (1 / p) / len(gaps) if len(gaps) else float("nan")

    assert "Incorrect on the case" in ex.q2.verdict(divided_outside_the_root).message

    def zero_when_nothing_shared(a, b, p):
        gaps = (a - b).abs().dropna()
        return (gaps**p).mean() ** (1 / p) if len(gaps) else 0.0

    message = ex.q2.verdict(zero_when_nothing_shared).message
    assert message.startswith("Incorrect on the case 'no shared value, p = 2'")
    assert "should give nan, your function gave 0.0" in message


def test_q3_the_factor_is_the_root_of_the_overlap():
    assert ex.q3.verdict(math.sqrt(9)).correct
    assert not ex.q3.verdict(9).correct  # the overlap itself
    assert not ex.q3.verdict(1).correct  # "normalising changes nothing"


def test_q4_nadia_with_one_lucky_match():
    assert ex.q4.verdict(["Mike", "Nadia"]).correct
    assert ex.q4.verdict(["nadia", "MIKE"]).correct
    assert not ex.q4.verdict(["Mike", "Brandon"]).correct  # "normalising removes her"


def test_q5_min_overlap():
    assert ex.q5.verdict(2).correct
    assert not ex.q5.verdict(1).correct
    assert not ex.q5.verdict(3).correct
