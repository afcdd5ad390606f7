"""The salesperson-example notebook's questions: right answers pass, typical wrong ones fail.

Every right answer here is written independently of the package (plain pandas / arithmetic),
never taken from the question's own ``expected`` or ``reference``.
"""

import numpy as np
import pandas as pd

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import salesperson_example as ex


def _distance(a, b):
    gaps = (a - b).abs().dropna()
    return gaps.sum() if len(gaps) else float("nan")


def _rank_vote(R, user, item, k):
    voters = [v for v in R.index if v != user and pd.notna(R.loc[v, item])]
    d = pd.Series({v: _distance(R.loc[user], R.loc[v]) for v in voters}, dtype=float)
    nearest = d.dropna().sort_values(kind="stable").head(k).index
    w = 1 / np.arange(1, len(nearest) + 1)
    return float((w * R.loc[nearest, item]).sum() / w.sum())


def test_blanks_are_not_attempted():
    for q in (ex.q1, ex.q2, ex.q3, ex.q4, ex.q5):
        assert q.verdict(____).status == "not attempted"
        assert "Not attempted" in q.verdict(____).message

    def corated_distance(a, b):
        return ____

    assert ex.q3.verdict(corated_distance).status == "not attempted"


def test_q1_mike_with_an_exxonmobil_booking():
    assert ex.q1.verdict(100_000).correct
    assert ex.q1.verdict(100_500).correct  # within 1 %
    assert not ex.q1.verdict(0).correct  # "Mike is always at 0"
    assert not ex.q1.verdict(300_000).correct  # his booking, not the gap
    assert "expected a number" in ex.q1.verdict("100k").message


def test_q2_the_tie_in_any_order_and_any_case():
    assert ex.q2.verdict(["Alyssa", "Mike"]).correct
    assert ex.q2.verdict(["mike", "alyssa"]).correct
    assert not ex.q2.verdict(["Diego", "Alyssa"]).correct
    assert "expected 2 items, got 1" in ex.q2.verdict(["Alyssa"]).message


def test_q3_corated_distance():
    assert ex.q3.verdict(_distance).correct

    def zero_when_nothing_shared(a, b):  # pandas' sum of nothing is 0
        return (a - b).abs().sum()

    message = ex.q3.verdict(zero_when_nothing_shared).message
    assert message.startswith("Incorrect on the case 'no shared client'")
    assert "should give nan, your function gave" in message

    def by_position(a, b):  # ignores the client labels
        gaps = np.abs(a.to_numpy() - b.to_numpy())
        gaps = gaps[~np.isnan(gaps)]
        return gaps.sum() if gaps.size else float("nan")

    assert "'the same clients listed in another order'" in ex.q3.verdict(by_position).message

    def signed(a, b):
        gaps = (a - b).dropna()
        return gaps.sum() if len(gaps) else float("nan")

    assert "'differences in both directions (Erin and Alyssa)'" in ex.q3.verdict(signed).message


def test_q4_rank_weighted_vote():
    assert ex.q4.verdict(_rank_vote).correct

    def equal_weights(R, user, item, k):
        voters = [v for v in R.index if v != user and pd.notna(R.loc[v, item])]
        d = pd.Series({v: _distance(R.loc[user], R.loc[v]) for v in voters}, dtype=float)
        return float(R.loc[d.dropna().sort_values(kind="stable").head(k).index, item].mean())

    message = ex.q4.verdict(equal_weights).message
    assert message.startswith("Incorrect on the case 'the article: Alyssa × Staples, N = 2'")
    assert "should give 433333.33" in message

    def nobody_left_out(R, user, item, k):  # NaN distances sort last but still vote
        voters = [v for v in R.index if v != user and pd.notna(R.loc[v, item])]
        d = pd.Series({v: _distance(R.loc[user], R.loc[v]) for v in voters}, dtype=float)
        nearest = d.fillna(0).sort_values(kind="stable").head(k).index
        w = 1 / np.arange(1, len(nearest) + 1)
        return float((w * R.loc[nearest, item]).sum() / w.sum())

    assert "Nadia" in ex.q4.verdict(nobody_left_out).message

    def last_of_a_tie(R, user, item, k):  # reverses the row order among ties
        voters = [v for v in R.index if v != user and pd.notna(R.loc[v, item])][::-1]
        d = pd.Series({v: _distance(R.loc[user], R.loc[v]) for v in voters}, dtype=float)
        nearest = d.dropna().sort_values(kind="stable").head(k).index
        w = 1 / np.arange(1, len(nearest) + 1)
        return float((w * R.loc[nearest, item]).sum() / w.sum())

    assert "'a tie at the N-th place: u × y, N = 2" in ex.q4.verdict(last_of_a_tie).message


def test_q5_losing_erin():
    # by hand: ExxonMobil falls from Erin's 600k to Chloe's 300k; the rest keep their value
    assert ex.q5.verdict(600_000 - 300_000).correct
    assert not ex.q5.verdict(600_000).correct  # all of Erin's value
    assert not ex.q5.verdict(1_700_000).correct  # the new total, not the loss
