"""Trustworthy A/B analysis: SRM, CUPED, Welch and bootstrap differences, the delta method
and the mSPRT, against hand computations, scipy and simulation."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from recsys_lab.evaluation import abtest
from recsys_lab.evaluation import stats as rstats


def test_srm_by_hand_and_equal_to_scipy():
    # 20,000 users planned 50/50, observed 10,250 / 9,750: χ² = 2 · 250² / 10,000 = 12.5
    result = abtest.srm_test([10_250, 9_750])
    assert result.statistic == pytest.approx(12.5)
    assert result.pvalue == pytest.approx(stats.chi2.sf(12.5, 1))
    counts, planned = [5_100, 2_450, 2_450], [0.5, 0.25, 0.25]
    want = stats.chisquare(counts, np.sum(counts) * np.array(planned))
    got = abtest.srm_test(counts, planned)
    assert got.statistic == pytest.approx(want.statistic)
    assert got.pvalue == pytest.approx(want.pvalue)
    assert abtest.srm_test([100, 100]).pvalue == pytest.approx(1.0)


def test_srm_false_alarm_rate_under_a_correct_split():
    rng = np.random.default_rng(0)
    treated = rng.binomial(10_000, 0.5, 2000)
    pvalues = np.array([abtest.srm_test([t, 10_000 - t]).pvalue for t in treated])
    assert 0.03 < (pvalues < 0.05).mean() < 0.07


def test_cuped_by_hand():
    # X = 1..4, Y = (2, 4, 5, 9): cov = 11/3, var X = 5/3 -> θ = 2.2,
    # Y − 2.2 (X − 2.5) = (5.3, 5.1, 3.9, 5.7); variance removed = corr² = 121/130
    out = abtest.cuped([2, 4, 5, 9], [1, 2, 3, 4])
    assert out.theta == pytest.approx(2.2)
    np.testing.assert_allclose(out.adjusted, [5.3, 5.1, 3.9, 5.7])
    assert out.variance_reduction == pytest.approx(121 / 130)


def test_cuped_keeps_the_effect_and_narrows_the_interval():
    rng = np.random.default_rng(1)
    n = 4000
    pre = rng.gamma(2.0, 10.0, n)  # last month's spend
    arm = rng.random(n) < 0.5
    spend = 0.8 * pre + rng.normal(0, 5, n) + 2.0 * arm  # true effect 2.0
    out = abtest.cuped(spend, pre)
    raw = abtest.welch_test(spend[~arm], spend[arm])
    adj = abtest.welch_test(out.adjusted[~arm], out.adjusted[arm])
    assert adj.low < 2.0 < adj.high
    assert (adj.high - adj.low) < 0.5 * (raw.high - raw.low)
    assert out.variance_reduction == pytest.approx(np.corrcoef(pre, spend)[0, 1] ** 2)


def test_welch_equals_scipy():
    rng = np.random.default_rng(2)
    a, b = rng.exponential(3.0, 300), rng.exponential(3.5, 170)
    got = abtest.welch_test(a, b, confidence=0.9)
    want = stats.ttest_ind(b, a, equal_var=False)
    assert got.statistic == pytest.approx(want.statistic)
    assert got.pvalue == pytest.approx(want.pvalue)
    assert (got.low, got.high) == pytest.approx(tuple(want.confidence_interval(0.9)))
    assert got.difference == pytest.approx(b.mean() - a.mean())


def test_bootstrap_difference_agrees_with_welch_for_large_samples():
    rng = np.random.default_rng(3)
    a, b = rng.normal(10, 2, 2000), rng.normal(10.3, 3, 1500)
    diff, low, high = abtest.bootstrap_difference(a, b, random_state=0)
    welch = abtest.welch_test(a, b)
    assert diff == pytest.approx(welch.difference)
    assert low == pytest.approx(welch.low, abs=0.03) and high == pytest.approx(welch.high, abs=0.03)
    assert abtest.bootstrap_difference(a, b, random_state=0) == (diff, low, high)


def test_ratio_metric_by_hand():
    # y = clicks (1, 0, 2, 1), x = impressions (2, 1, 4, 3): R = 1 / 2.5 = 0.4;
    # s_y² = 2/3, s_x² = 5/3, s_xy = 1 ->
    # Var = (2/3 / 2.5² − 2·1·1 / 2.5³ + 1·5/3 / 2.5⁴) / 4
    r = abtest.ratio_metric([1, 0, 2, 1], [2, 1, 4, 3])
    var = (2 / 3 / 2.5**2 - 2 / 2.5**3 + 5 / 3 / 2.5**4) / 4
    assert r.ratio == pytest.approx(0.4)
    assert r.se == pytest.approx(math.sqrt(var))
    z = stats.norm.ppf(0.975)
    assert (r.low, r.high) == pytest.approx((0.4 - z * r.se, 0.4 + z * r.se))


def test_delta_method_matches_simulation_and_the_binomial_se_does_not():
    rng = np.random.default_rng(4)
    n_exp, n_users = 2000, 400
    impressions = 1 + rng.poisson(4, (n_exp, n_users))
    ctr = rng.beta(1, 9, (n_exp, n_users))  # users differ: clicks are clustered
    clicks = rng.binomial(impressions, ctr)
    ratios = clicks.sum(axis=1) / impressions.sum(axis=1)
    empirical_sd = ratios.std(ddof=1)
    pairs = zip(clicks, impressions, strict=True)
    delta_se = np.mean([abtest.ratio_metric(c, i).se for c, i in pairs])
    assert delta_se == pytest.approx(empirical_sd, rel=0.07)
    p = ratios.mean()
    binomial_se = math.sqrt(p * (1 - p) / impressions.sum(axis=1).mean())
    assert binomial_se < 0.85 * empirical_sd  # per-impression s.e. is too optimistic


def test_ratio_difference_combines_two_arms():
    a = abtest.ratio_metric([1, 0, 2, 1], [2, 1, 4, 3])
    b = abtest.ratio_metric([2, 1, 2, 1], [2, 2, 4, 2])
    d = abtest.ratio_difference([1, 0, 2, 1], [2, 1, 4, 3], [2, 1, 2, 1], [2, 2, 4, 2])
    se = math.hypot(a.se, b.se)
    assert d.difference == pytest.approx(b.ratio - a.ratio)
    assert d.statistic == pytest.approx((b.ratio - a.ratio) / se)
    assert d.pvalue == pytest.approx(2 * stats.norm.sf(abs(d.statistic)))


def test_msprt_by_hand():
    # known σ² = 0.25, τ = 0.5; after n pairs V = 2σ²/n = 0.5/n,
    # Λ = √(V/(V+τ²)) · exp(τ² δ² / (2V(V+τ²))), p = min(1, min 1/Λ so far)
    a, b = [0.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]
    deltas = [1.0, 1.0, 2 / 3, 3 / 4]
    lam = []
    for n, d in enumerate(deltas, start=1):
        v = 0.5 / n
        lam.append(math.sqrt(v / (v + 0.25)) * math.exp(0.25 * d**2 / (2 * v * (v + 0.25))))
    want = np.minimum(1, np.minimum.accumulate(1 / np.array(lam)))
    np.testing.assert_allclose(abtest.msprt_pvalues(a, b, tau=0.5, variance=0.25), want)


def test_msprt_keeps_the_false_positive_rate_under_continuous_peeking():
    # 2000 A/A experiments, 1000 users per arm, the p-value read after every user
    out = abtest.sequential_simulation(0.1, 1000, tau=0.05, n_experiments=2000, random_state=0)
    se = math.sqrt(0.05 * 0.95 / 2000)
    assert out["msprt"] <= 0.05 + 2 * se
    assert 0.03 < out["fixed_horizon"] < 0.07
    naive = abtest.peeking_simulation(0.1, 1000, looks=20, n_experiments=2000, random_state=0)
    assert naive["peeking"] > 3 * out["msprt"]
    # and it still finds a real 50 % lift (10 % -> 15 %), stopping early on average
    power = abtest.sequential_simulation(
        0.1, 1000, tau=0.05, lift=0.5, n_experiments=500, random_state=1
    )
    assert power["msprt"] > 0.6 and power["mean_stop"] < 700


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: abtest.srm_test([10]), ValueError, "at least two arms"),
        (lambda: abtest.srm_test([10, -1]), ValueError, "non-negative whole numbers"),
        (lambda: abtest.srm_test([10.5, 3]), ValueError, "non-negative whole numbers"),
        (lambda: abtest.srm_test([10, 10], [0.5, 0.6]), ValueError, "summing to 1"),
        (lambda: abtest.srm_test([10, 10], [1.0]), ValueError, "one positive share per arm"),
        (lambda: abtest.cuped([1, 2, 3], [1, 1, 1]), ValueError, "covariate must vary"),
        (lambda: abtest.cuped([1, 2, 3], [1, 2]), ValueError, "equal lengths"),
        (lambda: abtest.welch_test([1], [1, 2]), ValueError, "at least two values"),
        (lambda: abtest.welch_test([1, 1], [1, 1]), ValueError, "both groups are constant"),
        (lambda: abtest.welch_test([1, np.nan], [1, 2]), ValueError, "a has 1 NaN"),
        (lambda: abtest.welch_test([1, 2], [1, 2], confidence=2), ValueError, "confidence"),
        (lambda: abtest.bootstrap_difference([1, 2], ["x"]), TypeError, "b must hold numbers"),
        (lambda: abtest.ratio_metric([1, 2], [0, 0]), ValueError, "mean is 0"),
        (lambda: abtest.msprt_pvalues([0, 1], [1, 1], tau=0), ValueError, "tau must be > 0"),
        (lambda: abtest.msprt_pvalues([0, 1], [1], tau=0.1), ValueError, "equal lengths"),
        (lambda: abtest.msprt_pvalues([0], [1], 0.1, variance=-1), ValueError, "variance"),
        (lambda: abtest.sequential_simulation(0.9, 10, 0.1, lift=0.5), ValueError, "rate"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_bootstrap_interval_is_stats_bootstrap_ci():
    values = np.r_[np.zeros(90), np.full(10, 50.0)]
    got = abtest.bootstrap_interval(values, n_boot=500, random_state=3)
    assert got == rstats.bootstrap_ci(values, n_resamples=500, random_state=3)
    assert got[0] < 5 < got[1]


def test_resampled_sums_resample_rows_together():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(50, 3))
    sums = rstats.resampled_sums(rows, 40, np.random.default_rng(1))
    # the same draws, made by hand: each resample's row indices, then the column sums
    picks = np.random.default_rng(1).integers(0, 50, size=(40, 50), dtype=np.int32)
    np.testing.assert_allclose(sums, rows[picks].sum(axis=1))
    one = rstats.resampled_sums(rows[:, 0], 40, np.random.default_rng(1))  # the 1-D path agrees
    np.testing.assert_allclose(one, sums[:, 0])


def test_segment_differences_by_hand():
    rng = np.random.default_rng(5)
    n = 600
    users = pd.DataFrame(
        {
            "group": np.where(rng.random(n) < 0.5, "control", "treatment"),
            "segment": rng.choice(["a", "b", "c"], n),
            "impressions": rng.integers(1, 6, n),
        }
    )
    users["clicks"] = rng.binomial(
        users["impressions"], 0.2 + 0.1 * (users["group"] == "treatment")
    )
    users["spend"] = rng.gamma(2.0, 5.0, n)
    table = abtest.segment_differences(users, "segment", "clicks", "impressions")
    assert list(table.index) == ["a", "b", "c"]
    b = users[users["segment"] == "b"]
    pick = [
        b.loc[b["group"] == g, c]
        for g in ("control", "treatment")
        for c in ("clicks", "impressions")
    ]
    want = abtest.ratio_difference(*pick, confidence=1 - 0.05 / 3)  # Bonferroni over 3 segments
    row = table.loc["b"]
    assert (row["difference"], row["low"], row["high"]) == pytest.approx(want[:3])
    assert row["n_control"] == (b["group"] == "control").sum()
    np.testing.assert_allclose(table["adjusted"], rstats.adjust_pvalues(table["pvalue"].to_numpy()))
    means = abtest.segment_differences(users, "segment", "spend", method="bonferroni")
    a = users[users["segment"] == "a"]
    welch = abtest.welch_test(
        a.loc[a["group"] == "control", "spend"], a.loc[a["group"] == "treatment", "spend"],
        confidence=1 - 0.05 / 3,
    )  # fmt: skip
    assert (means.loc["a", "low"], means.loc["a", "high"]) == pytest.approx((welch.low, welch.high))
    assert means["adjusted"].tolist() == pytest.approx(np.minimum(1, 3 * means["pvalue"]).tolist())
    with pytest.raises(ValueError, match=r"users lack column\(s\) \['visits'\]"):
        abtest.segment_differences(users, "segment", "clicks", "visits")
