r"""Online evaluation: rates with intervals, A/B tests, sample sizes, and the peeking trap.

Closed forms (the standard library's ``NormalDist`` gives the normal quantiles):

* Wilson interval for a proportion :math:`\hat p = s/n`, :math:`z = z_{1-\alpha/2}`:
  :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}`;
* two-proportion z-test with the pooled proportion :math:`\bar p`:
  :math:`z = (\hat p_B - \hat p_A) / \sqrt{\bar p(1-\bar p)(1/n_A + 1/n_B)}`;
* sample size per group to detect :math:`p_A \to p_B` with power :math:`1-\beta`:
  :math:`n = \big(z_{1-\alpha/2}\sqrt{2\bar p(1-\bar p)} + z_{1-\beta}\sqrt{p_A(1-p_A)
  + p_B(1-p_B)}\big)^2 / (p_B - p_A)^2`;
* relative lift :math:`\hat p_B/\hat p_A - 1` with a delta-method interval on its log.

Trustworthiness checks (Kohavi, Tang & Xu, *Trustworthy Online Controlled Experiments*,
2020), with scipy's chi-square and t distributions:

* :func:`srm_test` — sample-ratio mismatch, a chi-square goodness-of-fit test of the arms'
  sizes against the planned split;
* :func:`cuped` — variance reduction with a pre-period covariate (Deng et al., 2013);
* :func:`welch_test`, :func:`bootstrap_difference` — intervals on a difference of means;
* :func:`ratio_metric`, :func:`ratio_difference` — the delta method for a ratio of means
  such as clicks per impression over users (Deng, Knoblich & Lu, 2018);
* :func:`msprt_pvalues`, :func:`sequential_simulation` — always-valid p-values that may be
  read after every observation (Johari, Koomen, Pekelis & Walsh, 2017);
* :func:`segment_differences` — per-segment differences with simultaneous intervals and
  p-values corrected for testing many segments.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from recsys_lab._validation import as_vectors, check_positive_int
from recsys_lab.evaluation.stats import (
    adjust_pvalues,
    bootstrap_ci,
    check_confidence,
    resampled_sums,
)

_N = NormalDist()


def _z(confidence: float) -> float:
    return _N.inv_cdf(1 - (1 - check_confidence(confidence)) / 2)


def _counts(successes: int, trials: int) -> tuple[int, int]:
    if trials <= 0:
        raise ValueError(f"zero traffic: trials must be > 0, got {trials}.")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials ({trials}), got {successes}.")
    return int(successes), int(trials)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a click-through or conversion rate.

    >>> [round(x, 4) for x in wilson_interval(10, 100)]
    [0.0552, 0.1744]
    """
    s, n = _counts(successes, trials)
    z = _z(confidence)
    p = s / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def bootstrap_interval(
    values: ArrayLike,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int | np.random.Generator = 0,
) -> tuple[float, float]:
    r"""Percentile bootstrap interval of a mean per user (e.g. revenue per user).

    :func:`recsys_lab.evaluation.stats.bootstrap_ci` with ``n_boot`` resamples: the
    :math:`\alpha/2` and :math:`1 - \alpha/2` quantiles of the resampled means.

    >>> lo, hi = bootstrap_interval([0, 0, 1, 1, 1, 0, 1, 0, 1, 1])
    >>> lo < 0.6 < hi
    True
    """
    return bootstrap_ci(values, confidence, n_resamples=n_boot, random_state=random_state)


def two_proportion_test(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int
) -> tuple[float, float]:
    """Two-sided z-test of :math:`p_A = p_B`; returns ``(z, p_value)``.

    >>> z, p = two_proportion_test(100, 1000, 130, 1000)
    >>> round(z, 3), round(p, 4)
    (2.103, 0.0355)
    """
    sa, na = _counts(successes_a, trials_a)
    sb, nb = _counts(successes_b, trials_b)
    pooled = (sa + sb) / (na + nb)
    se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    if se == 0:
        return 0.0, 1.0
    z = (sb / nb - sa / na) / se
    return z, 2 * (1 - _N.cdf(abs(z)))


def sample_size(
    baseline: float, relative_lift: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Users needed *per group* to detect a relative lift of a rate (two-sided test).

    >>> sample_size(0.05, 0.10)  # 5 % -> 5.5 % conversion
    31234
    """
    if not 0 < baseline < 1:
        raise ValueError(
            f"baseline must be a probability strictly between 0 and 1, got {baseline}."
        )
    target = baseline * (1 + relative_lift)
    if not 0 < target < 1 or relative_lift == 0:
        raise ValueError(f"baseline × (1 + lift) must be a different probability, got {target}.")
    if not 0 < power < 1:
        raise ValueError(f"power must be strictly between 0 and 1, got {power}.")
    za = _z(1 - alpha)
    zb = _N.inv_cdf(power)
    mean = (baseline + target) / 2
    num = za * math.sqrt(2 * mean * (1 - mean)) + zb * math.sqrt(
        baseline * (1 - baseline) + target * (1 - target)
    )
    return math.ceil(num**2 / (target - baseline) ** 2)


def relative_lift(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Relative lift of B over A and its interval: ``(lift, low, high)``.

    >>> [round(x, 3) for x in relative_lift(100, 1000, 130, 1000)]
    [0.3, 0.017, 0.662]
    """
    sa, na = _counts(successes_a, trials_a)
    sb, nb = _counts(successes_b, trials_b)
    if sa == 0 or sb == 0:
        raise ValueError("a lift needs at least one success in each group.")
    log_ratio = math.log((sb / nb) / (sa / na))
    se = math.sqrt(1 / sa - 1 / na + 1 / sb - 1 / nb)
    z = _z(confidence)
    return (
        math.exp(log_ratio) - 1,
        math.exp(log_ratio - z * se) - 1,
        math.exp(log_ratio + z * se) - 1,
    )


def _pooled_z(clicks_a: np.ndarray, clicks_b: np.ndarray, m: int) -> np.ndarray:
    """Vectorized two-proportion z statistics for ``m`` users per group (floored s.e.)."""
    pa, pb = clicks_a / m, clicks_b / m
    pooled = (pa + pb) / 2
    se = np.sqrt(np.maximum(pooled * (1 - pooled) * 2 / m, 1e-12))
    return (pb - pa) / se


def peeking_simulation(
    rate: float,
    n_per_group: int,
    looks: int = 20,
    n_experiments: int = 1000,
    alpha: float = 0.05,
    random_state: int = 0,
) -> dict[str, float]:
    """False-positive rate of an A/A test (no real difference) read once vs at every look.

    Stopping as soon as any of ``looks`` interim tests is "significant" inflates the
    false-positive rate far above ``alpha``.

    >>> out = peeking_simulation(0.1, 2000, looks=10, n_experiments=300)
    >>> out["peeking"] > out["fixed_horizon"]
    True
    """
    if not 0 < rate < 1:
        raise ValueError(f"rate must be strictly between 0 and 1, got {rate}.")
    n = check_positive_int(n_per_group, "n_per_group")
    looks = check_positive_int(looks, "looks")
    rng = np.random.default_rng(random_state)
    a = (rng.random((n_experiments, n)) < rate).cumsum(axis=1)
    b = (rng.random((n_experiments, n)) < rate).cumsum(axis=1)
    checkpoints = np.linspace(n / looks, n, looks).astype(int)
    z_crit = _z(1 - alpha)
    significant = np.zeros((n_experiments, looks), dtype=bool)
    for j, m in enumerate(checkpoints):
        significant[:, j] = np.abs(_pooled_z(a[:, m - 1], b[:, m - 1], m)) > z_crit
    return {
        "fixed_horizon": float(significant[:, -1].mean()),
        "peeking": float(significant.any(axis=1).mean()),
        "alpha": alpha,
    }


def summarize(
    log: pd.DataFrame, group: str = "group", success: str = "clicked", confidence: float = 0.95
) -> pd.DataFrame:
    """Per group: ``n``, ``successes``, ``rate`` and its Wilson interval.

    >>> log = pd.DataFrame({"group": ["A", "A", "B", "B"], "clicked": [0, 1, 1, 1]})
    >>> summarize(log)["rate"].tolist()
    [0.5, 1.0]
    """
    for col in (group, success):
        if col not in log.columns:
            raise ValueError(f"the log has no column {col!r}; it has {list(log.columns)}.")
    values = log[success]
    if values.isna().any() or not values.isin([0, 1, True, False]).all():
        raise ValueError(f"{success!r} must be 0/1 for every row.")
    table = log.groupby(group)[success].agg(n="size", successes="sum").reset_index()
    table["rate"] = table["successes"] / table["n"]
    bounds = [
        wilson_interval(s, n, confidence)
        for s, n in zip(table["successes"], table["n"], strict=True)
    ]
    table["low"], table["high"] = zip(*bounds, strict=True)
    return table


# --- trustworthy A/B analysis ----------------------------------------------------------


class GoodnessOfFit(NamedTuple):
    """A chi-square statistic and its p-value."""

    statistic: float
    pvalue: float


class Difference(NamedTuple):
    """Difference B − A with its interval, test statistic and two-sided p-value."""

    difference: float
    low: float
    high: float
    statistic: float
    pvalue: float


def srm_test(counts: ArrayLike, planned: ArrayLike | None = None) -> GoodnessOfFit:
    r"""Sample-ratio mismatch: do the arms' sizes fit the planned split.

    Pearson's chi-square goodness of fit of the observed counts :math:`n_k` against
    :math:`N s_k` (planned shares :math:`s_k`, :math:`N = \sum_k n_k`):

    .. math:: \chi^2 = \sum_k \frac{(n_k - N s_k)^2}{N s_k}, \qquad K - 1
              \text{ degrees of freedom.}

    Run it before reading any metric: a mismatch means assignment or logging is broken
    and every comparison is suspect. Because it runs on every experiment, a strict alarm
    threshold (e.g. p < 0.001) is usual (Kohavi, Tang & Xu, 2020, ch. 21). Equals
    ``scipy.stats.chisquare(counts, N * shares)``.

    Parameters
    ----------
    counts : array of int
        Users (or requests) per arm, e.g. ``log["group"].value_counts().sort_index()``.
    planned : array of float, optional
        Planned shares per arm, summing to 1 (default: equal).

    >>> statistic, pvalue = srm_test([10_250, 9_750])  # 50/50 planned
    >>> round(statistic, 2), round(pvalue, 4)
    (12.5, 0.0004)
    """
    (n,) = as_vectors(counts=counts)
    if len(n) < 2:
        raise ValueError("srm_test needs the sizes of at least two arms.")
    if (n < 0).any() or not np.array_equal(n, np.round(n)) or n.sum() == 0:
        raise ValueError("counts must be non-negative whole numbers with a positive total.")
    shares = np.full(len(n), 1 / len(n)) if planned is None else as_vectors(planned=planned)[0]
    if len(shares) != len(n) or (shares <= 0).any() or not np.isclose(shares.sum(), 1):
        raise ValueError(f"planned must give one positive share per arm ({len(n)}), summing to 1.")
    expected = n.sum() * shares
    statistic = float(((n - expected) ** 2 / expected).sum())
    return GoodnessOfFit(statistic, float(stats.chi2.sf(statistic, len(n) - 1)))


class Cuped(NamedTuple):
    """CUPED-adjusted metric, its coefficient and the share of variance removed."""

    adjusted: np.ndarray
    theta: float
    variance_reduction: float


def cuped(metric: ArrayLike, covariate: ArrayLike) -> Cuped:
    r"""CUPED: remove from a metric the part a pre-period covariate predicts.

    .. math:: \theta = \frac{\operatorname{cov}(X, Y)}{\operatorname{var}(X)}, \qquad
              Y^{\text{cuped}}_i = Y_i - \theta\,(X_i - \bar X)

    :math:`X` must be measured before assignment (e.g. last month's spend), so it is
    independent of the arm and the adjusted means differ by the same expected effect.
    Pass every user of every arm together (one pooled :math:`\theta`), then compare the
    adjusted metric between arms as usual. The variance falls by the share
    :math:`1 - \operatorname{var}(Y^{\text{cuped}})/\operatorname{var}(Y) =
    \operatorname{corr}(X, Y)^2` (Deng, Xu, Kohavi & Walker, 2013, "Improving the
    sensitivity of online controlled experiments by utilizing pre-experiment data", WSDM).

    >>> out = cuped([2, 4, 5, 9], [1, 2, 3, 4])  # cov = 11/3, var = 5/3
    >>> round(out.theta, 6), out.adjusted.round(1).tolist()
    (2.2, [5.3, 5.1, 3.9, 5.7])
    """
    y, x = as_vectors(metric=metric, covariate=covariate)
    if len(y) < 2 or np.var(x) == 0:
        raise ValueError("the covariate must vary across at least two users to adjust by.")
    theta = float(np.cov(x, y)[0, 1] / np.var(x, ddof=1))
    adjusted = y - theta * (x - x.mean())
    var_y = np.var(y)
    reduction = float(1 - np.var(adjusted) / var_y) if var_y > 0 else 0.0
    return Cuped(adjusted, theta, reduction)


def welch_test(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> Difference:
    r"""Difference of means B − A with Welch's t interval and test (unequal variances).

    .. math:: t = \frac{\bar b - \bar a}{\sqrt{s_a^2/n_a + s_b^2/n_b}}, \qquad
              \nu = \frac{(s_a^2/n_a + s_b^2/n_b)^2}{\frac{(s_a^2/n_a)^2}{n_a - 1}
              + \frac{(s_b^2/n_b)^2}{n_b - 1}}

    and the interval :math:`\bar b - \bar a \pm t_{1-\alpha/2,\nu}\,\mathrm{se}` (Welch,
    1947). The statistic equals ``scipy.stats.ttest_ind(b, a, equal_var=False)``.

    >>> d = welch_test([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0, 10.0])
    >>> round(d.difference, 2), round(d.statistic, 3)
    (3.5, 2.251)
    """
    (x,) = as_vectors(a=a)
    (y,) = as_vectors(b=b)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("each group needs at least two values to estimate its variance.")
    va, vb = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = math.sqrt(va + vb)
    if se == 0:
        raise ValueError("both groups are constant: there is no variance to test against.")
    df = (va + vb) ** 2 / (va**2 / (len(x) - 1) + vb**2 / (len(y) - 1))
    diff = float(y.mean() - x.mean())
    t = diff / se
    half = float(stats.t.ppf(1 - (1 - check_confidence(confidence)) / 2, df)) * se
    return Difference(diff, diff - half, diff + half, t, float(2 * stats.t.sf(abs(t), df)))


def bootstrap_difference(
    a: ArrayLike,
    b: ArrayLike,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[float, float, float]:
    """Difference of means B − A with a percentile bootstrap interval: ``(diff, low, high)``.

    Each group is resampled with replacement on its own (users stay in their arm); no
    normality assumed, which suits skewed metrics such as revenue per user (Efron &
    Tibshirani, 1993).

    >>> diff, low, high = bootstrap_difference(np.zeros(50), np.r_[np.zeros(40), np.ones(10)])
    >>> diff, bool(low < 0.2 < high)
    (0.2, True)
    """
    (x,) = as_vectors(a=a)
    (y,) = as_vectors(b=b)
    n_boot = check_positive_int(n_boot, "n_boot")
    tail = (1 - check_confidence(confidence)) / 2
    rng = np.random.default_rng(random_state)
    means_a = resampled_sums(x[:, None], n_boot, rng)[:, 0] / len(x)
    means_b = resampled_sums(y[:, None], n_boot, rng)[:, 0] / len(y)
    low, high = np.quantile(means_b - means_a, [tail, 1 - tail])
    return float(y.mean() - x.mean()), float(low), float(high)


class Ratio(NamedTuple):
    """A ratio of means with its delta-method standard error and interval."""

    ratio: float
    se: float
    low: float
    high: float


def ratio_metric(numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95) -> Ratio:
    r"""A ratio of per-user means (e.g. clicks / impressions) with a delta-method interval.

    When users are randomized but the metric is per impression, impressions of one user
    are correlated and the binomial standard error is wrong. With per-user totals
    :math:`y_i` (numerator) and :math:`x_i` (denominator), :math:`R = \bar y / \bar x` and

    .. math:: \operatorname{Var}(R) \approx \frac{1}{n}\Bigl(\frac{s_y^2}{\bar x^2}
              - 2\frac{\bar y\, s_{xy}}{\bar x^3} + \frac{\bar y^2 s_x^2}{\bar x^4}\Bigr)

    (Deng, Knoblich & Lu, 2018, "Applying the delta method in metric analytics", KDD).

    >>> r = ratio_metric([1, 0, 2, 1], [2, 1, 4, 3])  # 4 clicks / 10 impressions
    >>> round(r.ratio, 2), round(r.se, 4)  # √((2/3 / 2.5² − 2·1 / 2.5³ + 5/3 / 2.5⁴) / 4)
    (0.4, 0.073)
    """
    y, x = as_vectors(numerator=numerator, denominator=denominator)
    if len(y) < 2:
        raise ValueError("the delta method needs at least two users.")
    mx, my = x.mean(), y.mean()
    if mx == 0:
        raise ValueError("the denominator's mean is 0: the ratio is undefined.")
    cov = np.cov(x, y)  # [[s_x², s_xy], [s_xy, s_y²]], ddof = 1
    var = (cov[1, 1] / mx**2 - 2 * my * cov[0, 1] / mx**3 + my**2 * cov[0, 0] / mx**4) / len(y)
    se = math.sqrt(max(float(var), 0.0))
    z = _z(confidence)
    ratio = float(my / mx)
    return Ratio(ratio, se, ratio - z * se, ratio + z * se)


def ratio_difference(
    numerator_a: ArrayLike,
    denominator_a: ArrayLike,
    numerator_b: ArrayLike,
    denominator_b: ArrayLike,
    confidence: float = 0.95,
) -> Difference:
    r"""Difference :math:`R_B - R_A` of two arms' ratio metrics, delta-method z interval and test.

    The arms are independent, so :math:`\mathrm{se} = \sqrt{\mathrm{se}_A^2 + \mathrm{se}_B^2}`
    with each from :func:`ratio_metric`.

    >>> d = ratio_difference([1, 0, 2, 1], [2, 1, 4, 3], [2, 1, 2, 1], [2, 2, 4, 2])
    >>> round(d.difference, 2)
    0.2
    """
    ra = ratio_metric(numerator_a, denominator_a, confidence)
    rb = ratio_metric(numerator_b, denominator_b, confidence)
    diff = rb.ratio - ra.ratio
    se = math.hypot(ra.se, rb.se)
    if se == 0:
        raise ValueError("both ratios have zero variance: there is nothing to test against.")
    z = _z(confidence)
    statistic = diff / se
    return Difference(
        diff, diff - z * se, diff + z * se, statistic, 2 * (1 - _N.cdf(abs(statistic)))
    )


def _msprt(a: np.ndarray, b: np.ndarray, tau: float, variance: float | None) -> np.ndarray:
    """Always-valid p-values along the last axis of paired outcome arrays (see msprt_pvalues)."""
    n = np.arange(1, a.shape[-1] + 1)
    sum_a, sum_b = a.cumsum(axis=-1), b.cumsum(axis=-1)
    diff = (sum_b - sum_a) / n
    if variance is None:  # plug-in: variance of all 2n observations so far
        mean = (sum_a + sum_b) / (2 * n)
        sq = ((a**2).cumsum(axis=-1) + (b**2).cumsum(axis=-1)) / (2 * n)
        variance_n = np.maximum(sq - mean**2, 1e-12)
    else:
        variance_n = np.full(diff.shape, float(variance))
    v = 2 * variance_n / n  # variance of the difference of means
    log_lr = 0.5 * np.log(v / (v + tau**2)) + tau**2 * diff**2 / (2 * v * (v + tau**2))
    return np.minimum(1.0, np.exp(-np.maximum.accumulate(log_lr, axis=-1)))


def msprt_pvalues(
    a: ArrayLike, b: ArrayLike, tau: float, variance: float | None = None
) -> np.ndarray:
    r"""Always-valid p-values of the mixture sequential probability ratio test (mSPRT).

    Users arrive in pairs (one per arm); after :math:`n` pairs, with
    :math:`\hat\delta_n = \bar b_n - \bar a_n`, :math:`V_n = 2\sigma^2 / n` and a normal
    mixture :math:`\delta \sim N(0, \tau^2)` over the alternatives,

    .. math:: \Lambda_n = \sqrt{\frac{V_n}{V_n + \tau^2}}
              \exp\Bigl(\frac{\tau^2 \hat\delta_n^2}{2 V_n (V_n + \tau^2)}\Bigr), \qquad
              p_n = \min\bigl(1, \min_{m \le n} 1/\Lambda_m\bigr).

    Under no difference :math:`\Lambda_n` is a martingale with mean 1, so by Ville's
    inequality :math:`P(\exists n: p_n \le \alpha) \le \alpha`: the p-value may be read
    after every user and the test stopped the first time :math:`p_n \le \alpha`
    (Johari, Koomen, Pekelis & Walsh, 2017, "Peeking at A/B tests", KDD).

    Parameters
    ----------
    a, b : arrays of float, equal length
        Outcomes in arrival order (e.g. clicks 0/1 per user), control and treatment.
    tau : float
        Scale of the effects the test looks for (e.g. the smallest lift worth shipping,
        in the metric's units); the test is valid for any ``tau`` and most powerful for
        effects near it.
    variance : float, optional
        Known per-user variance :math:`\sigma^2`; default the plug-in variance of all
        outcomes seen so far (close to :math:`\bar p(1 - \bar p)` for clicks).

    Returns
    -------
    array of float
        :math:`p_n` after each pair, non-increasing.

    >>> p = msprt_pvalues(np.zeros(400), np.r_[np.zeros(200), np.ones(200)], tau=0.1)
    >>> bool(p[0] == 1.0), bool(p[-1] < 0.001), bool((np.diff(p) <= 0).all())
    (True, True, True)
    """
    x, y = as_vectors(a=a, b=b)
    if not tau > 0:
        raise ValueError(f"tau must be > 0 (the effect size the test looks for), got {tau}.")
    if variance is not None and not variance > 0:
        raise ValueError(f"variance must be > 0 or None (plug-in), got {variance}.")
    return _msprt(x, y, float(tau), variance)


def sequential_simulation(
    rate: float,
    n_per_group: int,
    tau: float,
    lift: float = 0.0,
    n_experiments: int = 2000,
    alpha: float = 0.05,
    random_state: int = 0,
) -> dict[str, float]:
    r"""Seeded simulation of the mSPRT read after every user, beside a fixed-horizon z-test.

    Control clicks at ``rate``, treatment at ``rate × (1 + lift)``. With ``lift=0`` the
    share of experiments ever stopped (``"msprt"``) is the false-positive rate under
    continuous peeking, at most ``alpha``; with a lift it is the power.

    Returns
    -------
    dict
        ``msprt`` (share of experiments with :math:`p_n \le \alpha` at some ``n``),
        ``fixed_horizon`` (share significant in one z-test at the end), ``mean_stop``
        (mean users per group when the mSPRT stopped, NaN if it never did), ``alpha``.

    >>> out = sequential_simulation(0.1, 1000, tau=0.02, n_experiments=300)
    >>> out["msprt"] <= 0.05
    True
    """
    if not 0 < rate < 1 or not 0 < rate * (1 + lift) < 1:
        raise ValueError("rate and rate × (1 + lift) must be strictly between 0 and 1.")
    n = check_positive_int(n_per_group, "n_per_group")
    n_experiments = check_positive_int(n_experiments, "n_experiments")
    if not tau > 0:
        raise ValueError(f"tau must be > 0 (the effect size the test looks for), got {tau}.")
    rng = np.random.default_rng(random_state)
    a = (rng.random((n_experiments, n)) < rate).astype(float)
    b = (rng.random((n_experiments, n)) < rate * (1 + lift)).astype(float)
    stopped = _msprt(a, b, float(tau), None) <= alpha
    ever = stopped.any(axis=1)
    first = stopped.argmax(axis=1) + 1
    z = _pooled_z(a.sum(axis=1), b.sum(axis=1), n)
    return {
        "msprt": float(ever.mean()),
        "fixed_horizon": float((np.abs(z) > _z(1 - alpha)).mean()),
        "mean_stop": float(first[ever].mean()) if ever.any() else float("nan"),
        "alpha": alpha,
    }


def segment_differences(
    users: pd.DataFrame,
    segment: str,
    numerator: str,
    denominator: str | None = None,
    group: str = "group",
    arms: tuple[str, str] = ("control", "treatment"),
    confidence: float = 0.95,
    method: str = "holm",
) -> pd.DataFrame:
    r"""Treatment − control per segment, with intervals and p-values corrected for many tests.

    With :math:`m` segments, eight tests at 5 % each would find a "significant" segment by
    chance a third of the time. Each segment's difference gets a **simultaneous** interval
    at level :math:`1 - (1 - \text{confidence})/m` (Bonferroni: all :math:`m` intervals
    cover together with probability at least ``confidence``) and its p-value is adjusted
    with :func:`recsys_lab.evaluation.stats.adjust_pvalues` (``method``: Holm by default).

    Parameters
    ----------
    users : DataFrame
        One row per user: ``group``, ``segment`` and the metric column(s).
    segment : str
        The column that defines the segments.
    numerator, denominator : str
        The metric: the mean of ``numerator`` (Welch, :func:`welch_test`), or the ratio
        of means ``numerator / denominator`` (delta method, :func:`ratio_difference`),
        e.g. clicks / impressions.
    group, arms : str, (str, str)
        The arm column and the (control, treatment) labels.
    confidence : float
        Family-wise level of the intervals.
    method : {"holm", "bonferroni", "fdr_bh"}

    Returns
    -------
    DataFrame
        Indexed by segment: ``n_control, n_treatment, control, treatment, difference,
        low, high, pvalue, adjusted``.

    Examples
    --------
    >>> users = pd.DataFrame({"group": ["control", "treatment"] * 4, "segment": list("aabbaabb"),
    ...                       "spend": [1.0, 2.0, 1.0, 1.0, 2.0, 4.0, 2.0, 2.5]})
    >>> segment_differences(users, "segment", "spend")["difference"].tolist()
    [1.5, 0.25]
    """
    needed = [group, segment, numerator, *([denominator] if denominator else [])]
    missing = [c for c in needed if c not in users.columns]
    if missing:
        raise ValueError(f"users lack column(s) {missing}; it has {list(users.columns)}.")
    control, treatment = arms
    segments = sorted(users[segment].unique())
    level = 1 - (1 - check_confidence(confidence)) / len(segments)
    rows = {}
    for name in segments:
        part = users[users[segment] == name]
        a, b = part[part[group] == control], part[part[group] == treatment]
        if denominator is None:
            d = welch_test(a[numerator], b[numerator], confidence=level)
            means = a[numerator].mean(), b[numerator].mean()
        else:
            d = ratio_difference(
                a[numerator], a[denominator], b[numerator], b[denominator], confidence=level
            )
            means = (
                a[numerator].sum() / a[denominator].sum(),
                b[numerator].sum() / b[denominator].sum(),
            )
        rows[name] = {
            "n_control": len(a),
            "n_treatment": len(b),
            "control": means[0],
            "treatment": means[1],
            "difference": d.difference,
            "low": d.low,
            "high": d.high,
            "pvalue": d.pvalue,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = segment
    table["adjusted"] = adjust_pvalues(table["pvalue"].to_numpy(), method=method)
    return table
