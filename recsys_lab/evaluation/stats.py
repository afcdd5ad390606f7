r"""Is model A really better than model B? Intervals, paired tests, corrections and power.

Offline, two recommenders are scored on the *same* users, so every per-user metric
gives pairs :math:`(a_u, b_u)`; the comparison rests on the differences
:math:`d_u = a_u - b_u`, :math:`u = 1 \dots n`, with mean :math:`\bar d` and standard
deviation :math:`s_d` (Smucker, Allan & Carterette, CIKM 2007; Sakai, *Statistical
Significance Testing in Information Retrieval*, 2014).

* :func:`bootstrap_ci` — percentile bootstrap interval of a mean: resample the users with
  replacement :math:`B` times, take the :math:`\alpha/2` and :math:`1-\alpha/2` quantiles
  of the resampled means (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993);
  :func:`bootstrap_cis` does the same for several per-user columns from one set of
  resamples, in compiled code.
* :func:`paired_test` — paired t-test :math:`t = \bar d / (s_d/\sqrt n)` with :math:`n-1`
  degrees of freedom, Wilcoxon's signed-rank test, the randomization (sign-flip) test and
  a bootstrap test, each with an interval of :math:`\bar d`.
* :func:`adjust_pvalues` — Bonferroni, Holm (1979) and Benjamini–Hochberg (1995), for
  when several models are compared.
* :func:`paired_power`, :func:`users_needed`, :func:`min_detectable_effect` — how many
  users it takes to see a difference of a given size; :func:`resampled_power` checks
  the formula on measured per-user differences.

Every random process takes ``random_state`` (an int or a ``numpy.random.Generator``), so
the same call gives the same numbers.

>>> result = paired_test([0.5, 0.6, 0.9, 0.7], [0.4, 0.6, 0.5, 0.6], method="t")
>>> round(result.mean_difference, 3), round(result.pvalue, 3)
(0.15, 0.182)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from scipy import optimize
from scipy import stats as st

from recsys_lab._validation import as_pair, check_choice, check_positive_int

METHODS = ("t", "wilcoxon", "randomization", "bootstrap")
ADJUSTMENTS = ("holm", "bonferroni", "fdr_bh")
_BLOCK = 2**21  # resampled values drawn at once: bounds the memory of a bootstrap

RandomState = int | np.random.Generator


@dataclass(frozen=True)
class PairedTest:
    r"""The result of :func:`paired_test`.

    Attributes
    ----------
    method : str
    statistic : float
        t for ``"t"``, Wilcoxon's :math:`W` for ``"wilcoxon"``, :math:`\bar d` otherwise.
    pvalue : float
        Two-sided.
    ci : (float, float)
        Interval of the mean difference :math:`\bar d` at ``confidence``.
    mean_difference : float
        :math:`\bar d`, the mean of ``a − b``.
    n : int
        Number of pairs (users).
    confidence : float
    """

    method: str
    statistic: float
    pvalue: float
    ci: tuple[float, float]
    mean_difference: float
    n: int
    confidence: float


def check_confidence(confidence: float, name: str = "confidence") -> float:
    """Return ``confidence`` if it lies strictly between 0 and 1 (e.g. 0.95)."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating):
        raise TypeError(f"{name} must be a number such as 0.95, got {confidence!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1 (e.g. 0.95), got {confidence}.")
    return float(confidence)


def _check_values(x: np.ndarray, name: str, minimum: int = 2) -> np.ndarray:
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per user), got {x.shape}.")
    n_nan = int(np.isnan(x).sum())
    if n_nan:
        raise ValueError(
            f"{name} has {n_nan} missing value(s). Drop those users from every model, or fill "
            f"them with what they mean (e.g. 0 for a user with no hit)."
        )
    if np.isinf(x).any():
        raise ValueError(f"{name} has infinite values; a mean of them is undefined.")
    if x.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values (users), got {x.size}.")
    return x


def _as_values(values: object, name: str = "values") -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers; convert them with pd.to_numeric.") from None
    return _check_values(x, name)


@numba.njit(inline="always")
def _splitmix(state: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """SplitMix64's output function: 64 random bits from a counter (Steele et al. 2014)."""
    z = (state ^ (state >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(inline="always")
def _next_bits(state: np.uint64) -> tuple[np.uint64, np.uint64]:  # pragma: no cover - compiled
    """A SplitMix64 stream's next state and its 64 random bits: the stream keyed by ``state``."""
    state += np.uint64(0x9E3779B97F4A7C15)
    return state, _splitmix(state)


@numba.njit(inline="always")
def _scaled(bits: np.uint64, bound: int) -> tuple[bool, int]:  # pragma: no cover - compiled
    r"""An integer in ``[0, bound)`` from 32 random ``bits``, unless they must be rejected.

    :math:`\lfloor x\,\text{bound} / 2^{32} \rfloor` for the bits :math:`x`, rejecting
    the :math:`2^{32} \bmod \text{bound}` values of :math:`x` that would make some results
    likelier: every accepted integer is exactly equally likely (Lemire, *ACM TOMACS*
    2019). ``bound < 2**32``.
    """
    size = np.uint64(bound)
    x = bits * size
    fraction = x & np.uint64(0xFFFFFFFF)
    # x is rejected only if fraction < bound, which is rare: test that first
    rejected = fraction < size and fraction < np.uint64((1 << 32) % bound)
    return not rejected, int(x >> np.uint64(32))


@numba.njit(inline="always")
def _below(state: np.uint64, bound: int) -> tuple[np.uint64, int]:  # pragma: no cover
    """A random integer in ``[0, bound)`` from the stream at ``state``, and the new state."""
    while True:
        state, bits = _next_bits(state)
        accepted, draw = _scaled(bits >> np.uint64(32), bound)
        if accepted:
            return state, draw


@numba.njit(cache=True, parallel=True, fastmath={"reassoc", "contract"})
def _compiled_sums(
    columns: np.ndarray, keys: np.ndarray, rows: int
) -> np.ndarray:  # pragma: no cover - compiled; tested against the multinomial law
    r"""``resampled_sums(columns.T, ...)``, resample ``r`` drawn from the stream ``keys[r]``.

    ``rows`` resamples at a time count their draws (a row drawn 256 times among
    :math:`n \ge 256` draws, which would overflow a count, has probability below
    :math:`10^{-400}`), then go through the values a chunk of rows at a time, so that
    each chunk is read from the cache by all of them; a chunk is summed in the precision
    of ``columns``, the chunks' sums in double precision.

    Fast-math reassociation lets the compiler sum a chunk with vector instructions (twice
    as fast as a fixed order written out; measured at 100,000 users × 8 columns × 10,000
    resamples: 0.9 s against 1.8 s, 4.1 s in plain order). The bits are the same on every
    run and for any number of threads on one machine; a CPU with other vector widths may
    differ in the last bits (about 1e-8 of a sum), far below what any interval prints.
    """
    width, n = columns.shape
    sums = np.zeros((keys.size, width))
    chunk = 2048
    for block in numba.prange((keys.size + rows - 1) // rows):
        first = block * rows
        last = min(first + rows, keys.size)
        counts = np.zeros((last - first, n), dtype=np.uint8)
        for r in range(first, last):
            state, drawn = keys[r], 0
            while drawn < n:  # two draws from each 64 random bits
                state, bits = _next_bits(state)
                for half in (bits >> np.uint64(32), bits & np.uint64(0xFFFFFFFF)):
                    accepted, row = _scaled(half, n)
                    if accepted and drawn < n:
                        counts[r - first, row] += 1
                        drawn += 1
        weights = np.empty(chunk, dtype=columns.dtype)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            for r in range(first, last):
                drawn_here = counts[r - first, start:stop]
                for i in range(stop - start):
                    weights[i] = drawn_here[i]
                for j in range(width):
                    values = columns[j, start:stop]
                    total = weights.dtype.type(0)
                    for i in range(stop - start):
                        total += weights[i] * values[i]
                    sums[r, j] += total
    return sums


def resampled_sums(
    values: np.ndarray, n_resamples: int, rng: np.random.Generator, *, compiled: bool = False
) -> np.ndarray:
    r"""Sums of ``n_resamples`` bootstrap resamples of the rows of ``values``.

    Each resample draws the :math:`n` rows with replacement and sums them; a (rows ×
    columns) array gives (resamples × columns) sums, so ratio statistics such as
    :math:`\sum_i y_i / \sum_i x_i` resample their numerator and denominator together.
    Resamples are drawn a block at a time, so memory stays bounded whatever the sizes.
    :func:`bootstrap_ci`, :func:`recsys_lab.evaluation.abtest.bootstrap_difference` and
    :func:`recsys_lab.evaluation.ope.interval` all resample through it.

    ``compiled=True`` draws the same resamples — :math:`n` rows with replacement, each
    row equally likely — in compiled code on every core, from a SplitMix64 stream per
    resample keyed by ``rng`` (Steele, Lea & Flood, OOPSLA 2014): other draws than
    ``compiled=False`` for the same ``rng``, as random, and the same for any number of
    cores. It sums the rows' differences from the first row in single precision, then
    adds :math:`n` times the first row back: a constant column's sums are exact, and
    any sum is off by a few millionths of the resampled sums' spread at most.
    :func:`bootstrap_cis` resamples this way.

    >>> sums = resampled_sums(np.array([[1.0, 2.0], [3.0, 4.0]]), 3, np.random.default_rng(0))
    >>> sums.shape, bool(np.isin(sums[:, 0], [2.0, 4.0, 6.0]).all())
    ((3, 2), True)
    >>> counts = resampled_sums(np.eye(3), 4, np.random.default_rng(0), compiled=True)
    >>> counts.sum(axis=1).tolist()  # how often each row was drawn: 3 draws per resample
    [3.0, 3.0, 3.0, 3.0]
    """
    n = len(values)
    if compiled:
        if n >= 2**32:
            raise ValueError(f"compiled resampling draws rows with 32 bits: {n} rows are too many.")
        table = values.reshape(n, -1).astype(float)
        differences = np.ascontiguousarray((table - table[0]).T, dtype=np.float32)
        keys = rng.integers(0, 2**64, size=n_resamples, dtype=np.uint64)
        sums = _compiled_sums(differences, keys, max(1, min(16, _BLOCK // n))) + n * table[0]
        return sums.reshape(n_resamples, *values.shape[1:])
    rows = max(1, _BLOCK // n)
    sums = np.empty((n_resamples, *values.shape[1:]))
    for start in range(0, n_resamples, rows):
        stop = min(start + rows, n_resamples)
        picks = rng.integers(0, n, size=(stop - start, n), dtype=np.int32)
        if values.ndim == 1:
            sums[start:stop] = values[picks].sum(axis=1)
        else:  # count each row's draws, then one matrix product for every column
            offsets = np.arange(stop - start)[:, None] * n
            counts = np.bincount((picks + offsets).ravel(), minlength=(stop - start) * n)
            sums[start:stop] = counts.reshape(stop - start, n) @ values
    return sums


def _bootstrap_means(x: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_resamples`` samples of ``x`` drawn with replacement."""
    return resampled_sums(x, n_resamples, rng) / x.size


def _percentile_interval(means: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = 1 - confidence
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def bootstrap_ci(
    values: object,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    random_state: RandomState = 0,
) -> tuple[float, float]:
    r"""Percentile bootstrap interval of the mean of per-user values.

    Draw ``n_resamples`` samples of the :math:`n` values with replacement; the interval is
    the :math:`\alpha/2` and :math:`1 - \alpha/2` quantiles of their means,
    :math:`\alpha = 1 - \text{confidence}` (Efron & Tibshirani 1993, ch. 13). With a few
    hundred users it covers the true mean about as often as promised (see the tests).

    Parameters
    ----------
    values : array-like
        One value per user (e.g. each user's NDCG@10); no NaN.
    confidence : float, default 0.95
    n_resamples : int, default 10_000
    random_state : int or Generator, default 0

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> low, high = bootstrap_ci([0, 0, 1, 1, 1, 0, 1, 0, 1, 1])
    >>> bool(low < 0.6 < high)
    True
    """
    x = _as_values(values)
    confidence = check_confidence(confidence)
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    means = _bootstrap_means(x, n_resamples, np.random.default_rng(random_state))
    return _percentile_interval(means, confidence)


def bootstrap_cis(
    values: object,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    random_state: RandomState = 0,
) -> np.ndarray:
    r"""Percentile bootstrap intervals of the means of several per-user columns at once.

    :func:`bootstrap_ci` for each column of a (users × columns) array, from one set of
    ``n_resamples`` resamples of the users shared by every column, drawn by the compiled
    :func:`resampled_sums` (``compiled=True``): the same method, other draws than
    :func:`bootstrap_ci` for the same ``random_state``.

    Returns
    -------
    ndarray
        One row ``(low, high)`` per column.

    Examples
    --------
    >>> x = np.array([[0, 0.5], [0, 0.5], [1, 0.5], [1, 0.5], [1, 0.5]])
    >>> bootstrap_cis(x).tolist()  # the constant column's interval is that constant
    [[0.2, 1.0], [0.5, 0.5]]
    """
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("values must hold numbers; convert them with pd.to_numeric.") from None
    if x.ndim != 2:
        raise ValueError(f"values must be two-dimensional (users × columns), got {x.shape}.")
    for j in range(x.shape[1]):
        _check_values(x[:, j], f"column {j} of values")
    confidence = check_confidence(confidence)
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    rng = np.random.default_rng(random_state)
    means = resampled_sums(x, n_resamples, rng, compiled=True) / len(x)
    return np.array([_percentile_interval(column, confidence) for column in means.T])


def _sign_flip_pvalue(d: np.ndarray, n_resamples: int, rng: np.random.Generator) -> float:
    r"""Two-sided p-value of :math:`\bar d` when each difference's sign is a coin flip.

    All :math:`2^n` sign patterns when there are no more than ``n_resamples`` of them
    (exact); otherwise ``n_resamples`` random ones and :math:`(c + 1)/(B + 1)`
    (Phipson & Smyth 2010), so that the p-value is never 0.
    """
    n = d.size
    observed = abs(d.mean())
    tolerance = 1e-9 * observed  # the same mean, summed in another order, must still count
    if n < n_resamples.bit_length():  # 2**n <= n_resamples
        signs = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1) * 2 - 1
        return float(np.mean(np.abs(signs @ d) / n >= observed - tolerance))
    rows = max(1, _BLOCK // n)
    count = 0
    for start in range(0, n_resamples, rows):
        signs = rng.integers(0, 2, size=(min(rows, n_resamples - start), n), dtype=np.int8)
        flipped = (2.0 * signs - 1) @ d / n
        count += int(np.count_nonzero(np.abs(flipped) >= observed - tolerance))
    return (count + 1) / (n_resamples + 1)


def paired_test(
    a: object,
    b: object,
    method: str = "t",
    n_resamples: int = 10_000,
    random_state: RandomState = 0,
    confidence: float = 0.95,
) -> PairedTest:
    r"""Two-sided test of "no difference" between two models scored on the same users.

    With :math:`d_u = a_u - b_u`:

    ``"t"``
        :math:`t = \bar d / (s_d / \sqrt n)`, :math:`n - 1` degrees of freedom, and the
        t-interval :math:`\bar d \pm t_{1-\alpha/2,\,n-1}\, s_d / \sqrt n`: exactly
        ``scipy.stats.ttest_rel(a, b)``.
    ``"wilcoxon"``
        Wilcoxon's signed-rank test, exactly ``scipy.stats.wilcoxon(a, b)`` (zero
        differences dropped; exact null distribution for small samples without ties).
    ``"randomization"``
        Under "no difference" each :math:`d_u` is as likely to be :math:`-d_u`; the
        p-value is the share of sign patterns whose :math:`|\bar d|` is at least the
        observed one — every pattern when :math:`2^n \le` ``n_resamples``, else
        ``n_resamples`` random ones with :math:`(c+1)/(B+1)` (Fisher 1935; Smucker et al.
        2007).
    ``"bootstrap"``
        The ``n_resamples`` bootstrap means :math:`\bar d^*` of the interval also test:
        :math:`p = \min\{1, 2\min(c_{\le 0} + 1, c_{\ge 0} + 1) / (B + 1)\}`, so
        :math:`p < 1 - \text{confidence}` about when the interval excludes 0.

    Every method but ``"t"`` reports the percentile-bootstrap interval of :math:`\bar d`
    (as :func:`bootstrap_ci` of ``a − b`` with the same ``random_state``). When every
    difference is 0 there is nothing to test (scipy's t is then NaN): the result is
    ``statistic = 0``, ``pvalue = 1``, ``ci = (0, 0)``.

    Parameters
    ----------
    a, b : array-like or Series
        One value per user for each model, same users in the same order (Series are
        aligned on their index first); no NaN.
    method : {"t", "wilcoxon", "randomization", "bootstrap"}, default "t"
    n_resamples : int, default 10_000
    random_state : int or Generator, default 0
    confidence : float, default 0.95

    Returns
    -------
    PairedTest

    Examples
    --------
    >>> a, b = [0.5, 0.6, 0.9, 0.7], [0.4, 0.6, 0.5, 0.6]
    >>> paired_test(a, b, method="randomization").pvalue  # 4 of the 16 sign patterns
    0.25
    """
    method = check_choice(method, "method", METHODS)
    confidence = check_confidence(confidence)
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    x, y = as_pair(a, b)
    d = _check_values(x, "a") - _check_values(y, "b")
    mean_difference = float(d.mean())

    def result(statistic: float, pvalue: float, ci: tuple[float, float]) -> PairedTest:
        return PairedTest(
            method, float(statistic), float(pvalue), ci, mean_difference, d.size, confidence
        )

    if not d.any():
        return result(0.0, 1.0, (0.0, 0.0))
    if method == "t":
        t = st.ttest_rel(x, y)
        low, high = t.confidence_interval(confidence)
        return result(t.statistic, t.pvalue, (float(low), float(high)))
    rng = np.random.default_rng(random_state)
    means = _bootstrap_means(d, n_resamples, rng)
    ci = _percentile_interval(means, confidence)
    if method == "wilcoxon":
        w = st.wilcoxon(x, y)
        return result(w.statistic, w.pvalue, ci)
    if method == "randomization":
        return result(mean_difference, _sign_flip_pvalue(d, n_resamples, rng), ci)
    below, above = np.count_nonzero(means <= 0), np.count_nonzero(means >= 0)
    pvalue = min(1.0, 2 * (min(below, above) + 1) / (n_resamples + 1))
    return result(mean_difference, pvalue, ci)


def adjust_pvalues(pvalues: object, method: str = "holm") -> np.ndarray:
    r"""P-values adjusted for comparing several models at once.

    With :math:`m` p-values sorted :math:`p_{(1)} \le \dots \le p_{(m)}`:

    * ``"bonferroni"``: :math:`\min(1, m\,p_i)` — the family-wise error stays
      :math:`\le \alpha`;
    * ``"holm"``: :math:`\tilde p_{(i)} = \max_{j \le i} \min(1, (m - j + 1)\,p_{(j)})` — the
      same guarantee, never less powerful (Holm 1979);
    * ``"fdr_bh"``: :math:`\tilde p_{(i)} = \min_{j \ge i} \min(1, m\,p_{(j)} / j)` — the
      expected share of false discoveries stays :math:`\le \alpha` (Benjamini & Hochberg
      1995; as ``scipy.stats.false_discovery_control``).

    Reject where the adjusted p-value is below :math:`\alpha`.

    Returns
    -------
    ndarray
        The adjusted p-values, in the order given.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    method = check_choice(method, "method", ADJUSTMENTS)
    try:
        p = np.asarray(pvalues, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("pvalues must be numbers between 0 and 1.") from None
    _check_values(p, "pvalues", minimum=1)
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"pvalues must lie between 0 and 1, got {p[(p < 0) | (p > 1)][:3]}.")
    m = p.size
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    order = np.argsort(p, kind="stable")
    ranks = np.arange(1, m + 1)
    if method == "holm":
        adjusted = np.maximum.accumulate((m - ranks + 1) * p[order])
    else:
        adjusted = np.minimum.accumulate((m * p[order] / ranks)[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(1.0, adjusted)
    return out


def _check_power_inputs(alpha: float, power: float | None = None) -> None:
    check_confidence(alpha, "alpha")
    if power is not None and not alpha < check_confidence(power, "power"):
        raise ValueError(f"power must exceed alpha ({alpha}), got {power}.")


def _check_sd(sd: float) -> float:
    if not (isinstance(sd, int | float | np.floating) and math.isfinite(sd) and sd > 0):
        raise ValueError(
            f"sd must be a positive number: the standard deviation of the per-user "
            f"differences, e.g. np.std(a - b, ddof=1) on a pilot. Got {sd!r}."
        )
    return float(sd)


def paired_power(effect: float, sd: float, n: int, alpha: float = 0.05) -> float:
    r"""Power of the two-sided paired t-test to detect a true mean difference ``effect``.

    With :math:`n` users whose differences have standard deviation :math:`\sigma`, the
    t statistic follows a non-central t with :math:`n - 1` degrees of freedom and
    non-centrality :math:`\delta = \text{effect}\,\sqrt n / \sigma`; the power is
    :math:`P(|T| > t_{1-\alpha/2,\,n-1})` (Cohen, *Statistical Power Analysis*, 1988).

    Examples
    --------
    >>> round(paired_power(0.5, 1.0, 34), 4)  # G*Power's example: d_z = 0.5, n = 34
    0.8078
    """
    _check_power_inputs(alpha)
    sd = _check_sd(sd)
    n = check_positive_int(n, "n", minimum=2)
    df = n - 1
    critical = st.t.ppf(1 - alpha / 2, df)
    shift = abs(effect) * math.sqrt(n) / sd
    return float(st.nct.sf(critical, df, shift) + st.nct.cdf(-critical, df, shift))


def users_needed(effect: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> int:
    r"""Fewest users for a paired t-test to detect a mean difference ``effect`` with ``power``.

    Starts from the normal approximation
    :math:`n \approx \big((z_{1-\alpha/2} + z_{\text{power}})\,\sigma / \text{effect}\big)^2`
    and steps to the smallest :math:`n` whose :func:`paired_power` reaches ``power``.

    Examples
    --------
    >>> users_needed(0.01, 0.2)  # NDCG +0.01 when per-user differences spread by 0.2
    3142
    """
    _check_power_inputs(alpha, power)
    sd = _check_sd(sd)
    if not (math.isfinite(effect) and effect != 0):
        raise ValueError(f"effect must be a non-zero difference of means, got {effect!r}.")
    z = st.norm.ppf(1 - alpha / 2) + st.norm.ppf(power)
    n = max(2, math.ceil((z * sd / effect) ** 2))
    while paired_power(effect, sd, n, alpha) < power:
        n += 1
    while n > 2 and paired_power(effect, sd, n - 1, alpha) >= power:
        n -= 1
    return n


def min_detectable_effect(sd: float, n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    r"""Smallest true mean difference a paired t-test on ``n`` users detects with ``power``.

    Solves :func:`paired_power` :math:`(\text{effect}, \sigma, n) = \text{power}` for the
    effect; about :math:`(z_{1-\alpha/2} + z_{\text{power}})\,\sigma/\sqrt n` for large
    :math:`n`.

    Examples
    --------
    >>> round(min_detectable_effect(0.2, 943), 4)  # MovieLens-100k's 943 users
    0.0183
    """
    _check_power_inputs(alpha, power)
    sd = _check_sd(sd)
    n = check_positive_int(n, "n", minimum=2)
    high = (st.norm.ppf(1 - alpha / 2) + st.norm.ppf(power)) * sd / math.sqrt(n)
    while paired_power(high, sd, n, alpha) < power:
        high *= 2
    return float(
        optimize.brentq(lambda e: paired_power(e, sd, n, alpha) - power, 0.0, high, xtol=1e-12)
    )


def resampled_power(
    differences: object,
    n: int,
    alpha: float = 0.05,
    n_repeats: int = 2000,
    random_state: RandomState = 0,
) -> float:
    r"""Share of ``n``-user samples of measured differences in which the paired t-test rejects.

    Draw ``n_repeats`` samples of ``n`` users with replacement from the observed per-user
    differences :math:`d_u`, treating them as the population (whose true mean difference is
    then :math:`\bar d`), and compute the two-sided one-sample t-test of each,
    :math:`t = \bar d^* / (s^*_d / \sqrt n)` with :math:`n - 1` degrees of freedom. The share
    of p-values below ``alpha`` estimates the power at ``n`` users without the normality
    that :func:`paired_power` assumes, so the two can be compared on real data. Its
    standard error is :math:`\sqrt{p(1 - p) / \text{n\_repeats}}`.

    Parameters
    ----------
    differences : array-like
        One difference per user, e.g. ``a - b`` of two models' NDCG@10; no NaN.
    n : int
        Users per sample (at least 2).
    alpha : float, default 0.05
    n_repeats : int, default 2000
    random_state : int or Generator, default 0

    Returns
    -------
    float
        The estimated power, in [0, 1]. A sample whose differences are all equal counts as
        a rejection when their mean is not 0 (its t is infinite).

    Examples
    --------
    >>> d = np.random.default_rng(0).normal(0.5, 1.0, 2000)
    >>> round(resampled_power(d, 34), 2), round(paired_power(d.mean(), d.std(ddof=1), 34), 2)
    (0.76, 0.76)
    """
    d = _as_values(differences, "differences")
    n = check_positive_int(n, "n", minimum=2)
    _check_power_inputs(alpha)
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    rng = np.random.default_rng(random_state)
    rows = max(1, _BLOCK // n)
    rejected = 0
    critical = st.t.ppf(1 - alpha / 2, n - 1)
    for start in range(0, n_repeats, rows):
        sample = d[rng.integers(0, d.size, size=(min(rows, n_repeats - start), n))]
        mean = sample.mean(axis=1)
        se = sample.std(axis=1, ddof=1) / math.sqrt(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(mean) / se
        rejected += int(np.count_nonzero(np.where(se > 0, t > critical, mean != 0)))
    return rejected / n_repeats
