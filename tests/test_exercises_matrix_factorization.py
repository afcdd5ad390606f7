"""The matrix-factorization notebook's exercises: right answers pass, typical wrong ones fail
with a message naming the case, blanks are "not attempted"."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import matrix_factorization as ex

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ q1: one SGD step
def sgd_step_by_loops(r, mu, b_u, b_i, p_u, q_i, lr, reg):
    """Written out factor by factor, from the values before the step."""
    err = r - mu - b_u - b_i - sum(a * b for a, b in zip(p_u, q_i, strict=True))
    new_p = [p + lr * (err * q - reg * p) for p, q in zip(p_u, q_i, strict=True)]
    new_q = [q + lr * (err * p - reg * q) for p, q in zip(p_u, q_i, strict=True)]
    return b_u + lr * (err - reg * b_u), b_i + lr * (err - reg * b_i), new_p, new_q


def sgd_step_sequential(r, mu, b_u, b_i, p_u, q_i, lr, reg):
    """Wrong: q_i's update uses the *new* p_u."""
    err = r - (mu + b_u + b_i + p_u @ q_i)
    p_u = p_u + lr * (err * q_i - reg * p_u)
    q_i = q_i + lr * (err * p_u - reg * q_i)
    return b_u + lr * (err - reg * b_u), b_i + lr * (err - reg * b_i), p_u, q_i


def sgd_step_unregularised_biases(r, mu, b_u, b_i, p_u, q_i, lr, reg):
    """Wrong: the biases are not regularised."""
    err = r - (mu + b_u + b_i + p_u @ q_i)
    return (
        b_u + lr * err,
        b_i + lr * err,
        p_u + lr * (err * q_i - reg * p_u),
        q_i + lr * (err * p_u - reg * q_i),
    )


def test_q1_sgd_step():
    assert ex.q1.verdict(sgd_step_by_loops).correct
    wrong = ex.q1.verdict(sgd_step_sequential)
    assert not wrong.correct and "Incorrect on the case 'a typical rating'" in wrong.message
    wrong = ex.q1.verdict(sgd_step_unregularised_biases)
    assert not wrong.correct and "'a typical rating'" in wrong.message
    assert "sgd_step(4.0, 3.5, 0.1, -0.2" in wrong.message  # shows the call

    def blank(r, mu, b_u, b_i, p_u, q_i, lr, reg):
        return ____

    assert ex.q1.verdict(blank).status == "not attempted"
    assert ex.q1.verdict(____).status == "not attempted"


def test_q1_cases_cover_the_edges():
    names = [case.name for case in ex.q1.cases()]
    assert "zero regularisation" in names and "a fresh model: factors at zero" in names
    fresh = next(c for c in ex.q1.cases() if c.name.startswith("a fresh model"))
    _, _, p, q = fresh.call(sgd_step_by_loops)
    assert p == [0.0, 0.0, 0.0] and q == [0.0, 0.0, 0.0]  # zero factors get no gradient


# --------------------------------------------------------------------- q2: ALS fold-in
def fold_in_by_augmented_least_squares(q, b_i, r, mu, reg):
    """Ridge as ordinary least squares on rows augmented with sqrt(reg·n)·I."""
    n, f = q.shape
    X = np.column_stack([q, np.ones(n)])
    X_aug = np.vstack([X, np.sqrt(reg * n) * np.eye(f + 1)])
    y_aug = np.concatenate([r - mu - b_i, np.zeros(f + 1)])
    w, *_ = np.linalg.lstsq(X_aug, y_aug, rcond=None)
    return w[:f], w[f]


def fold_in_fixed_penalty(q, b_i, r, mu, reg):
    """Wrong: λ not multiplied by the number of ratings."""
    X = np.column_stack([q, np.ones(len(q))])
    w = np.linalg.solve(X.T @ X + reg * np.eye(X.shape[1]), X.T @ (r - mu - b_i))
    return w[:-1], w[-1]


def fold_in_without_bias(q, b_i, r, mu, reg):
    """Wrong: no bias column, b_u = 0."""
    p = np.linalg.solve(q.T @ q + reg * len(q) * np.eye(q.shape[1]), q.T @ (r - mu - b_i))
    return p, 0.0


def test_q2_fold_in():
    assert ex.q2.verdict(fold_in_by_augmented_least_squares).correct
    wrong = ex.q2.verdict(fold_in_fixed_penalty)
    assert not wrong.correct and "'three ratings, two factors'" in wrong.message
    wrong = ex.q2.verdict(fold_in_without_bias)
    assert not wrong.correct and "'three ratings, two factors'" in wrong.message

    def raises(q, b_i, r, mu, reg):
        return np.linalg.solve(np.zeros((2, 2)), np.ones(2))

    assert "raised LinAlgError" in ex.q2.verdict(raises).message
    assert ex.q2.verdict(lambda q, b_i, r, mu, reg: ____).status == "not attempted"


def test_q2_cases_cover_a_single_rating_and_zero_regularisation():
    cases = {case.name: case for case in ex.q2.cases()}
    assert len(cases["a single rating"].args[2]) == 1
    assert cases["zero regularisation"].args[4] == 0.0
    p, b = cases["ratings exactly at the baseline"].call(fold_in_by_augmented_least_squares)
    np.testing.assert_allclose(p, 0, atol=1e-12)
    assert b == pytest.approx(0, abs=1e-12)


# ---------------------------------------------------------------- q3, q4: reasoning
def test_q3_stronger_regularisation_over_fits_later():
    train, validation, _ = ex.tuning_split()
    assert len(train) == 64_005 and len(validation) == 15_995
    assert ex.q3.verdict("later").correct and ex.q3.verdict(" After ").correct
    assert not ex.q3.verdict("earlier").correct and not ex.q3.verdict("same").correct
    assert ex.q3.verdict(____).status == "not attempted"


def _users_for_power(effect: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Smallest n whose two-sided paired t-test has the power, by the noncentral t."""
    n = 2
    while True:
        df, nc = n - 1, effect / (sd / np.sqrt(n))
        crit = st.t.ppf(1 - alpha / 2, df)
        achieved = st.nct.sf(crit, df, nc) + st.nct.cdf(-crit, df, nc)
        if achieved >= power:
            return n
        n += 1


def test_q4_users_needed():
    d = ex.per_user_rmse_difference()
    assert len(d) == 943 and d.mean() < 0  # SGD's per-user RMSE is the lower one
    right = _users_for_power(abs(d.mean()), d.std())
    assert ex.q4.verdict(right).correct
    assert not ex.q4.verdict(943).correct  # "all of them"
    rough = (st.norm.ppf(0.975) + st.norm.ppf(0.8)) ** 2 * (d.std() / d.mean()) ** 2
    assert not ex.q4.verdict(rough / 2).correct  # forgot the square on the ratio
    assert ex.q4.verdict(____).status == "not attempted"


def test_the_tuned_parameters_are_the_benchmarks_winners():
    table = pd.read_csv(ROOT / "benchmarks" / "results" / "movielens_100k_tuning.csv")
    for model, tuned in (("SGD", ex.TUNED_SGD), ("ALS", ex.TUNED_ALS)):
        winner = table[(table["model"] == model) & (table["rank"] == 1)].iloc[0]
        assert {name: winner[name] for name in tuned} == pytest.approx(tuned)
