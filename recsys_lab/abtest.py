r"""Online evaluation: rates with intervals, A/B tests, sample sizes, and the peeking trap.

Closed forms only (the standard library's ``NormalDist`` gives the normal quantiles):

* Wilson interval for a proportion :math:`\hat p = s/n`, :math:`z = z_{1-\alpha/2}`:
  :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}`;
* two-proportion z-test with the pooled proportion :math:`\bar p`:
  :math:`z = (\hat p_B - \hat p_A) / \sqrt{\bar p(1-\bar p)(1/n_A + 1/n_B)}`;
* sample size per group to detect :math:`p_A \to p_B` with power :math:`1-\beta`:
  :math:`n = \big(z_{1-\alpha/2}\sqrt{2\bar p(1-\bar p)} + z_{1-\beta}\sqrt{p_A(1-p_A)
  + p_B(1-p_B)}\big)^2 / (p_B - p_A)^2`;
* relative lift :math:`\hat p_B/\hat p_A - 1` with a delta-method interval on its log.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int

_N = NormalDist()


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}.")
    return _N.inv_cdf(1 - (1 - confidence) / 2)


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
    values: Sequence[float],
    statistic: Callable[[np.ndarray], float] = np.mean,
    confidence: float = 0.95,
    n_boot: int = 2000,
    random_state: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of any statistic (e.g. revenue per user).

    >>> lo, hi = bootstrap_interval([0, 0, 1, 1, 1, 0, 1, 0, 1, 1])
    >>> lo < 0.6 < hi
    True
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("no values to bootstrap.")
    _z(confidence)  # validates confidence
    rng = np.random.default_rng(random_state)
    idx = rng.integers(0, x.size, size=(check_positive_int(n_boot, "n_boot"), x.size))
    stats = np.array([statistic(x[row]) for row in idx])
    alpha = (1 - confidence) / 2
    return float(np.quantile(stats, alpha)), float(np.quantile(stats, 1 - alpha))


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
        pa, pb = a[:, m - 1] / m, b[:, m - 1] / m
        pooled = (pa + pb) / 2
        se = np.sqrt(np.maximum(pooled * (1 - pooled) * 2 / m, 1e-12))
        significant[:, j] = np.abs(pb - pa) / se > z_crit
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
