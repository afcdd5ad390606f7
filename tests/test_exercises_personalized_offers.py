"""The personalized-offers notebook's exercises: right answers pass, typical wrong ones fail
with the failing case named, blanks are 'not attempted'."""

from pathlib import Path

import numpy as np
import pandas as pd

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import personalized_offers as ex

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def test_q1_policy_value():
    def right(click_probability, policy):
        total = 0.0
        for request in click_probability.index:
            for offer in click_probability.columns:
                share = policy.loc[request, offer] if offer in policy.columns else 0.0
                total += share * click_probability.loc[request, offer]
        return total / len(click_probability)

    def by_position(click_probability, policy):  # ignores the column names
        return float((policy.to_numpy() * click_probability.to_numpy()).sum(axis=1).mean())

    def summed(click_probability, policy):  # forgets to average over requests
        return float((policy * click_probability).sum().sum())

    assert ex.q1.verdict(right).correct
    assert "'the policy's columns in another order'" in ex.q1.verdict(by_position).message
    assert "'the best offer per request'" in ex.q1.verdict(summed).message

    def blank(click_probability, policy):
        return ____

    assert ex.q1.verdict(blank).status == "not attempted"


def test_q2_serving_probabilities():
    def right(scores, epsilon):
        scores = np.asarray(scores, dtype=float)
        out = np.full(scores.shape, epsilon / scores.shape[1])
        for i, row in enumerate(scores):
            best = np.flatnonzero(row == row.max())
            out[i, best] += (1 - epsilon) / len(best)
        return out

    def argmax_only(scores, epsilon):  # ties go to the first offer
        scores = np.asarray(scores, dtype=float)
        greedy = np.eye(scores.shape[1])[scores.argmax(axis=1)]
        return (1 - epsilon) * greedy + epsilon / scores.shape[1]

    def no_model_share_in_random(scores, epsilon):  # the pick gets 1 − ε, the rest ε/(K−1)
        scores = np.asarray(scores, dtype=float)
        k = scores.shape[1]
        greedy = np.eye(k)[scores.argmax(axis=1)]
        return np.where(greedy == 1, 1 - epsilon, epsilon / max(k - 1, 1))

    assert ex.q2.verdict(right).correct
    assert "'a tie between two offers'" in ex.q2.verdict(argmax_only).message
    assert "'90/10 serving'" in ex.q2.verdict(no_model_share_in_random).message
    assert ex.q2.verdict(____).status == "not attempted"


def test_q3_window_share():
    assert ex.q3.verdict(4 / 7).correct and ex.q3.verdict(0.571).correct
    assert not ex.q3.verdict(3 / 7).correct and not ex.q3.verdict(4).correct
    assert ex.q3.verdict(____).status == "not attempted"


def test_q4_cheapest_schedule_agrees_with_the_stored_runs():
    runs = pd.read_csv(RESULTS / "offers_retraining.csv")
    window = runs["day"].between(17, 20)
    before = runs[runs["day"].between(7, 16)].filter(like="share_").mean()
    victim = before.idxmax()  # the offer the models pushed most before it collapsed
    share = runs[window].groupby(["config", "seed"])[victim].mean().unstack("config")
    upper = share.mean() + 2.1 * share.std(ddof=1) / np.sqrt(len(share))  # ≈ the 95 % bound
    rows = runs.groupby(["config", "seed"])["train_rows"].sum().groupby("config").first()
    answer = rows[upper[upper < 0.30].index].idxmin()
    assert ex.q4.verdict(answer).correct and ex.q4.verdict("Daily").correct
    assert not ex.q4.verdict("every 7 d, last 7 d").correct
    assert ex.q4.verdict(____).status == "not attempted"
