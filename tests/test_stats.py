"""recsys_lab.stats: scipy as the reference, hand enumerations, seeded simulations, bad input."""

import itertools
import math

import numba
import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs

from recsys_lab.evaluation import stats


def _pair(n, seed, shift=0.05):
    rng = np.random.default_rng(seed)
    b = rng.random(n)
    return b + rng.normal(shift, 0.2, n), b


# ----------------------------------------------------------------- against scipy
@pytest.mark.parametrize(("n", "seed"), [(5, 0), (30, 1), (400, 2)])
def test_t_test_is_scipys_ttest_rel(n, seed):
    a, b = _pair(n, seed)
    ours = stats.paired_test(a, b, method="t", confidence=0.9)
    ref = st.ttest_rel(a, b)
    assert (ours.statistic, ours.pvalue) == (ref.statistic, ref.pvalue)
    assert ours.ci == tuple(ref.confidence_interval(0.9))
    assert ours.mean_difference == pytest.approx(np.mean(a - b)) and ours.n == n


@pytest.mark.parametrize(("n", "seed"), [(8, 0), (60, 1), (400, 2)])
def test_wilcoxon_is_scipys_wilcoxon(n, seed):
    a, b = _pair(n, seed)
    b[:2] = a[:2]  # zero differences, dropped by scipy's default
    a[5] = a[4] - b[4] + b[5]  # a tie in |d|
    ours = stats.paired_test(a, b, method="wilcoxon")
    ref = st.wilcoxon(a, b)
    assert (ours.statistic, ours.pvalue) == (ref.statistic, ref.pvalue)


def test_randomization_matches_scipys_exact_permutation_test():
    a, b = _pair(10, 3)
    ours = stats.paired_test(a, b, method="randomization")  # 2**10 <= 10_000: exact
    ref = st.permutation_test(
        (a, b),
        lambda x, y, axis: np.mean(x - y, axis=axis),
        permutation_type="samples",
        n_resamples=np.inf,
    )
    assert ours.pvalue == pytest.approx(ref.pvalue, abs=1e-12)


# ------------------------------------------------------------- hand enumerations
def test_randomization_by_hand():
    # d = (1, 2, 3), mean 2: of the 8 sign patterns only +++ and --- reach |sum| = 6
    result = stats.paired_test([2, 4, 6], [1, 2, 3], method="randomization")
    assert result.pvalue == 2 / 8 and result.statistic == 2.0
    # d = (1, 2, -4): |sum| >= 1 for every pattern (sums ±1, ±3, ±5, ±7)
    assert stats.paired_test([1, 2, -4], [0, 0, 0], method="randomization").pvalue == 1.0


@pytest.mark.parametrize("seed", range(4))
def test_randomization_exact_equals_itertools_enumeration(seed):
    d = np.round(np.random.default_rng(seed).normal(0.2, 1, 9), 2)
    observed = abs(d.sum())
    patterns = list(itertools.product([-1, 1], repeat=d.size))
    expected = sum(abs(np.dot(s, d)) >= observed - 1e-9 for s in patterns) / len(patterns)
    assert stats.paired_test(d, np.zeros_like(d), method="randomization").pvalue == expected


def test_monte_carlo_randomization_is_close_to_exact():
    d = np.random.default_rng(5).normal(0.3, 1, 16)
    signs = ((np.arange(2**16)[:, None] >> np.arange(16)) & 1) * 2 - 1
    exact = np.mean(np.abs(signs @ d) >= abs(d.sum()) - 1e-9)
    mc = stats.paired_test(d, np.zeros(16), method="randomization", n_resamples=10_000)
    assert exact > 0.01 and abs(mc.pvalue - exact) < 0.02  # 4 standard errors
    assert mc.pvalue >= 1 / 10_001  # (c + 1) / (B + 1) is never 0


def test_bootstrap_interval_by_hand():
    assert stats.bootstrap_ci([0.3, 0.3, 0.3]) == (0.3, 0.3)
    # resampled means of (0, 1): 0 (1/4), 1/2 (1/2), 1 (1/4): the 2.5 % and 97.5 % points
    assert stats.bootstrap_ci([0, 1]) == (0.0, 1.0)
    assert stats.bootstrap_ci([0, 1], confidence=0.4) == (0.5, 0.5)


def test_bootstrap_interval_is_close_to_scipys():
    x = np.random.default_rng(0).exponential(size=300)
    ours = stats.bootstrap_ci(x, confidence=0.9)
    ref = st.bootstrap((x,), np.mean, confidence_level=0.9, method="percentile", random_state=0)
    assert ours == pytest.approx(tuple(ref.confidence_interval), abs=0.01)


def test_bootstrap_test_shares_the_interval_and_agrees_with_it():
    a, b = _pair(200, 4, shift=0.0)
    for method in ("wilcoxon", "randomization", "bootstrap"):
        result = stats.paired_test(a, b, method=method, random_state=7)
        assert result.ci == stats.bootstrap_ci(a - b, random_state=7)
    clear = stats.paired_test(*_pair(200, 4, shift=0.2), method="bootstrap")
    assert clear.ci[0] > 0 and clear.pvalue == 2 / 10_001
    null = stats.paired_test(a, b, method="bootstrap")
    assert (null.ci[0] < 0 < null.ci[1]) == (null.pvalue >= 0.05)


def test_nothing_to_test_when_every_difference_is_zero():
    for method in stats.METHODS:
        result = stats.paired_test([0.1, 0.5, 0.2], [0.1, 0.5, 0.2], method=method)
        assert (result.statistic, result.pvalue, result.ci) == (0.0, 1.0, (0.0, 0.0))


# ------------------------------------------------- compiled resampling (bootstrap_cis)
def test_compiled_draws_are_multinomial_counts():
    # resampling the rows of the identity counts each row's draws: for 3 rows, the 10
    # possible count vectors have the multinomial probabilities 3! / (c1! c2! c3!) / 27
    counts = stats.resampled_sums(np.eye(3), 27_000, np.random.default_rng(5), compiled=True)
    assert (counts.sum(axis=1) == 3).all()
    outcomes, seen = np.unique(counts.astype(int), axis=0, return_counts=True)
    expected = [27_000 * math.factorial(3) / np.prod([math.factorial(c) for c in row]) / 27
                for row in outcomes]  # fmt: skip
    assert len(outcomes) == 10
    assert st.chisquare(seen, expected).pvalue > 0.001


def test_bootstrap_cis_is_a_plain_bootstrap_loop():
    """The percentile interval of the mean, as a loop drawing n of n users with replacement."""
    rng = np.random.default_rng(3)
    x = np.column_stack([rng.exponential(size=40), rng.random(40) < 0.2, rng.normal(size=40)])
    means = np.array([x[rng.integers(0, 40, 40)].mean(axis=0) for _ in range(20_000)])
    loop = np.quantile(means, [0.025, 0.975], axis=0).T
    ours = stats.bootstrap_cis(x, n_resamples=20_000)
    spread = x.std(axis=0) / np.sqrt(40)  # the bootstrap standard error of each mean
    assert (np.abs(ours - loop) < 0.1 * spread[:, None]).all()  # Monte Carlo error: ~0.03
    assert np.allclose(ours, [stats.bootstrap_ci(c, n_resamples=20_000) for c in x.T],
                       atol=0.1 * spread.max())  # fmt: skip


def test_bootstrap_cis_shares_its_draws_and_is_deterministic():
    x = np.random.default_rng(0).random((300, 3))
    both = stats.bootstrap_cis(x, random_state=4)
    # the draws depend on the number of users and the seed only: a column alone, or
    # repeated, gets the interval it gets among others
    assert (stats.bootstrap_cis(x[:, [1]], random_state=4) == both[[1]]).all()
    assert (stats.bootstrap_cis(x[:, [2, 2]], random_state=4) == both[[2, 2]]).all()
    assert (stats.bootstrap_cis(x, random_state=np.random.default_rng(4)) == both).all()
    assert not (stats.bootstrap_cis(x, random_state=5) == both).all()
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert (stats.bootstrap_cis(x, random_state=4) == both).all()  # any number of cores
    finally:
        numba.set_num_threads(threads)
    assert stats.bootstrap_cis([[0.1, 2.0], [0.1, 3.0]])[0].tolist() == [0.1, 0.1]


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ([1.0, 2.0], ValueError, "two-dimensional"),
        ([[1.0, 2.0], [np.nan, 1.0]], ValueError, "column 0 of values has 1 missing"),
        ([[1.0], [np.inf]], ValueError, "infinite"),
        ([[1.0, 2.0]], ValueError, "at least 2 values"),
        ([["a"], ["b"]], TypeError, "must hold numbers"),
    ],
)
def test_bootstrap_cis_bad_input(values, error, match):
    with pytest.raises(error, match=match):
        stats.bootstrap_cis(values)


# ------------------------------------------------------------ seeded simulations
@pytest.mark.parametrize(
    ("draw", "true_mean"),
    [
        (lambda rng: rng.random(100) < 0.3, 0.3),  # a per-user hit rate
        (lambda rng: rng.exponential(2.0, 50), 2.0),  # a skewed metric, few users
    ],
)
def test_bootstrap_intervals_cover_the_true_mean(draw, true_mean):
    # 1,000 seeded data sets, 2,000 resamples each: the 95 % interval should cover the
    # true mean 90-97.5 % of the time (the percentile method runs a little short).
    rng = np.random.default_rng(2024)
    covered = [
        low <= true_mean <= high
        for low, high in (
            stats.bootstrap_ci(draw(rng), n_resamples=2000, random_state=i) for i in range(1000)
        )
    ]
    assert 0.90 <= np.mean(covered) <= 0.975


def test_randomization_test_holds_its_level_under_no_difference():
    # 400 seeded A/A comparisons of 30 users, 999 sign patterns each
    rng = np.random.default_rng(11)
    pvalues = [
        stats.paired_test(
            rng.normal(size=30), rng.normal(size=30), "randomization", 999, random_state=i
        ).pvalue
        for i in range(400)
    ]
    assert 0.02 <= np.mean(np.array(pvalues) < 0.05) <= 0.09


def test_users_needed_reaches_the_promised_power_in_simulation():
    n = stats.users_needed(0.1, 0.4)  # d_z = 0.25
    rng = np.random.default_rng(3)
    diffs = rng.normal(0.1, 0.4, size=(4000, n))  # 4,000 seeded experiments
    power = np.mean(st.ttest_1samp(diffs, 0.0, axis=1).pvalue < 0.05)
    assert abs(power - 0.8) < 0.025


# ------------------------------------------------------------------------ power
@pytest.mark.parametrize(("d_z", "n"), [(0.2, 199), (0.5, 34), (0.8, 15)])
def test_users_needed_matches_gpower(d_z, n):
    # G*Power 3.1, t-test, matched pairs, two tails, alpha = 0.05, power = 0.80
    assert stats.users_needed(d_z, 1.0) == n
    assert stats.users_needed(-d_z * 0.3, 0.3) == n  # only |effect| / sd matters
    assert stats.paired_power(d_z, 1.0, n) >= 0.8 > stats.paired_power(d_z, 1.0, n - 1)


def test_min_detectable_effect_inverts_the_power():
    effect = stats.min_detectable_effect(0.25, 500, alpha=0.01, power=0.9)
    assert stats.paired_power(effect, 0.25, 500, alpha=0.01) == pytest.approx(0.9, abs=1e-9)
    assert stats.users_needed(effect, 0.25, alpha=0.01, power=0.9) == 500
    normal = (st.norm.ppf(0.995) + st.norm.ppf(0.9)) * 0.25 / np.sqrt(500)
    assert normal < effect < 1.01 * normal  # the t-test needs a little more than z
    assert stats.paired_power(0.0, 1.0, 50) == pytest.approx(0.05)


# -------------------------------------------------------------- p-value adjustment
def test_adjust_pvalues_by_hand():
    p = [0.01, 0.04, 0.03, 0.005]
    assert stats.adjust_pvalues(p, "bonferroni") == pytest.approx([0.04, 0.16, 0.12, 0.02])
    # Holm, sorted: 4×0.005, 3×0.01, 2×0.03, max(1×0.04, 0.06)
    assert stats.adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # BH, sorted: 0.005×4/1, 0.01×4/2, 0.03×4/3, 0.04×4/4, then running minima from the top
    assert stats.adjust_pvalues(p, "fdr_bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert stats.adjust_pvalues([0.5, 0.9], "holm").tolist() == [1.0, 1.0]


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.floats(0, 1), min_size=1, max_size=30))
def test_adjustments_are_ordered_and_bh_is_scipys(p):
    bonferroni, holm, bh = (stats.adjust_pvalues(p, m) for m in ("bonferroni", "holm", "fdr_bh"))
    assert (np.array(p) <= bh + 1e-12).all() and (bh <= holm + 1e-12).all()
    assert (holm <= bonferroni + 1e-12).all() and (bonferroni <= 1).all()
    assert bh == pytest.approx(st.false_discovery_control(p, method="bh"), abs=1e-12)
    order = np.argsort(p, kind="stable")
    assert (np.diff(holm[order]) >= -1e-12).all()  # adjusting keeps the order


# ------------------------------------------------------------ inputs and determinism
def test_series_are_aligned_and_inputs_untouched():
    a = pd.Series([0.5, 0.9, 0.1, 0.4], index=["u1", "u2", "u3", "u4"])
    b = pd.Series([0.2, 0.3, 0.8, 0.1], index=["u4", "u3", "u2", "u1"])
    a_copy, b_copy = a.copy(), b.copy()
    aligned = stats.paired_test(a, b, method="t")
    assert aligned.pvalue == stats.paired_test(a, b.loc[a.index].to_numpy(), method="t").pvalue
    pd.testing.assert_series_equal(a, a_copy)
    pd.testing.assert_series_equal(b, b_copy)


def test_seeded_and_generator_random_states():
    a, b = _pair(300, 9)
    first = stats.paired_test(a, b, "randomization", random_state=1)
    assert first == stats.paired_test(a, b, "randomization", random_state=1)
    assert first.pvalue != stats.paired_test(a, b, "randomization", random_state=2).pvalue
    generator = stats.paired_test(a, b, "bootstrap", random_state=np.random.default_rng(1))
    assert generator.ci == stats.paired_test(a, b, "bootstrap", random_state=1).ci


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: stats.paired_test([1, 2, 3], [1, 2]), ValueError, "equal length"),
        (lambda: stats.paired_test([1, np.nan, 3], [1, 2, 3]), ValueError, "a has 1 missing"),
        (lambda: stats.paired_test([1.0], [2.0]), ValueError, "at least 2 values"),
        (lambda: stats.paired_test([1, 2], [1, 3], confidence=95), ValueError, "between 0 and 1"),
        (lambda: stats.paired_test([1, 2], [1, 3], method="z"), ValueError, "Unknown method"),
        (lambda: stats.paired_test([1, 2], [1, 3], n_resamples=0), ValueError, "n_resamples"),
        (lambda: stats.paired_test(["x", "y"], [1, 3]), TypeError, "must hold numbers"),
        (lambda: stats.bootstrap_ci([1, np.inf]), ValueError, "infinite"),
        (lambda: stats.bootstrap_ci([1, 2], confidence=1), ValueError, "between 0 and 1"),
        (lambda: stats.bootstrap_ci([[1, 2], [3, 4]]), ValueError, "one-dimensional"),
        (lambda: stats.adjust_pvalues([0.1, 1.2]), ValueError, "between 0 and 1"),
        (lambda: stats.adjust_pvalues([]), ValueError, "at least 1"),
        (lambda: stats.adjust_pvalues([0.1], "sidak"), ValueError, "Unknown method"),
        (lambda: stats.users_needed(0.0, 1.0), ValueError, "non-zero"),
        (lambda: stats.users_needed(0.1, 0.0), ValueError, "sd must be a positive"),
        (lambda: stats.users_needed(0.1, 1.0, power=0.01), ValueError, "power must exceed"),
        (lambda: stats.min_detectable_effect(1.0, 1), ValueError, "n must be >= 2"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ resampled power
def test_resampled_power_is_scipys_t_test_on_the_same_draws():
    d = np.random.default_rng(4).normal(0.1, 0.5, 300)
    n, repeats = 40, 500
    picks = np.random.default_rng(9).integers(0, d.size, size=(repeats, n), dtype=np.int64)
    reference = np.mean(st.ttest_1samp(d[picks], 0.0, axis=1).pvalue < 0.05)
    assert stats.resampled_power(d, n, n_repeats=repeats, random_state=9) == reference


@pytest.mark.parametrize("n", [20, 60, 150])
def test_resampled_power_agrees_with_the_formula_for_normal_differences(n):
    d = np.random.default_rng(n).normal(0.1, 0.4, 20_000)
    formula = stats.paired_power(d.mean(), d.std(ddof=1), n)
    resampled = stats.resampled_power(d, n, n_repeats=4000, random_state=1)
    assert abs(resampled - formula) < 4 * np.sqrt(formula * (1 - formula) / 4000) + 0.005


def test_resampled_power_edge_cases_and_seeds():
    assert stats.resampled_power([0.3] * 10, 5) == 1.0  # no spread, non-zero mean: always seen
    assert stats.resampled_power([0.0] * 10, 5) == 0.0  # nothing to see
    d = np.random.default_rng(2).normal(0.05, 0.3, 500)
    first = stats.resampled_power(d, 50, random_state=3)
    assert first == stats.resampled_power(d, 50, random_state=np.random.default_rng(3))
    assert stats.resampled_power(d, 50, alpha=0.01) < stats.resampled_power(d, 50, alpha=0.2)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: stats.resampled_power([0.1, 0.2], 1), ValueError, "n must be >= 2"),
        (lambda: stats.resampled_power([0.1, np.nan], 5), ValueError, "1 missing value"),
        (lambda: stats.resampled_power([0.1, 0.2], 5, alpha=1.5), ValueError, "alpha must"),
        (lambda: stats.resampled_power([0.1, 0.2], 5, n_repeats=0), ValueError, "n_repeats"),
        (lambda: stats.resampled_power(["a", "b"], 5), TypeError, "must hold numbers"),
    ],
)
def test_resampled_power_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
