"""The off-policy-evaluation notebook's exercises: right answers pass, typical wrong ones
fail with the failing case named, blanks are 'not attempted'."""

import numpy as np

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import off_policy_evaluation as ex


def test_q1_ips():
    def right(reward, pscore, target_pscore):
        terms = [t / p * r for r, p, t in zip(reward, pscore, target_pscore, strict=True)]
        return sum(terms) / len(terms)

    def self_normalised(reward, pscore, target_pscore):  # SNIPS, not IPS
        w = np.asarray(target_pscore) / np.asarray(pscore)
        return float((w * reward).sum() / w.sum())

    def inverted(reward, pscore, target_pscore):  # the weight upside down
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.mean(np.asarray(pscore) / np.asarray(target_pscore) * reward))

    assert ex.q1.verdict(right).correct
    assert "'a six-request log'" in ex.q1.verdict(self_normalised).message
    message = ex.q1.verdict(inverted).message
    assert "'a six-request log'" in message or "'a target probability of 0'" in message

    def blank(reward, pscore, target_pscore):
        return ____

    assert ex.q1.verdict(blank).status == "not attempted"


def test_q2_snips():
    def right(reward, pscore, target_pscore):
        weights = [t / p for p, t in zip(pscore, target_pscore, strict=True)]
        return sum(w * r for w, r in zip(weights, reward, strict=True)) / sum(weights)

    def ips(reward, pscore, target_pscore):
        return float(np.mean(np.asarray(target_pscore) / np.asarray(pscore) * reward))

    def divides_by_target(reward, pscore, target_pscore):  # Σ w·r / Σ target
        w = np.asarray(target_pscore) / np.asarray(pscore)
        return float((w * reward).sum() / np.sum(target_pscore))

    assert ex.q2.verdict(right).correct
    assert "'a six-request log'" in ex.q2.verdict(ips).message
    assert "Incorrect on the case" in ex.q2.verdict(divides_by_target).message
    assert ex.q2.verdict(____).status == "not attempted"


def test_q3_effective_sample_size():
    def right(weights):
        total, squares = 0.0, 0.0
        for w in weights:
            total, squares = total + w, squares + w * w
        return total * total / squares if squares else 0.0

    def unguarded(weights):
        w = np.asarray(weights, dtype=float)
        with np.errstate(invalid="ignore"):
            return float(w.sum() ** 2 / (w**2).sum())

    def count_of_positive(weights):  # how many requests have weight, not what they are worth
        return float(np.count_nonzero(weights))

    assert ex.q3.verdict(right).correct
    message = ex.q3.verdict(unguarded).message
    assert "'every weight 0'" in message
    assert "'one weight dominates'" in ex.q3.verdict(count_of_positive).message
    assert ex.q3.verdict(____).status == "not attempted"


def test_q4_support_deficit_and_q5_weight():
    assert ex.q4.verdict(1 - 0.1 / 6).correct and ex.q4.verdict(0.983).correct
    assert not ex.q4.verdict(0.1 / 6).correct and not ex.q4.verdict(0.9).correct
    assert ex.q5.verdict((0.9 + 0.1 / 6) / (0.1 / 6)).correct and ex.q5.verdict(55).correct
    assert not ex.q5.verdict(60).correct and not ex.q5.verdict(1 / 55).correct
    assert ex.q4.verdict(____).status == ex.q5.verdict(____).status == "not attempted"


def test_q6_choice_of_epsilon_agrees_with_the_stored_study():
    from pathlib import Path

    import pandas as pd

    from recsys_lab.simulation import ope_study

    runs = pd.read_csv(
        Path(__file__).resolve().parent.parent / "benchmarks/results/off_policy_repeated_logs.csv"
    )
    dr = ope_study.summarize(runs).xs("DR", level="estimator")
    worst = dr.drop(index="production", level="policy")["rmse"].groupby(level="epsilon").max()
    answer = min(e for e in (0.01, 0.1, 0.2) if worst[e] < 0.02)
    assert ex.q6.verdict(answer).correct and ex.q6.verdict(0.1).correct
    assert not ex.q6.verdict(0.01).correct and not ex.q6.verdict(10).correct
    assert ex.q6.verdict(____).status == "not attempted"
