r"""Off-policy evaluation: how a new policy would do, estimated from another policy's log.

A log holds, for each request :math:`i = 1..n`, the context :math:`x_i`, the action shown
:math:`a_i`, its reward :math:`r_i` and the **propensity** ``pscore``
:math:`\pi_b(a_i \mid x_i)` with which the logging policy chose it. A target policy
:math:`\pi_e` gives ``target_pscore`` :math:`\pi_e(a_i \mid x_i)`, and the importance weight
is :math:`w_i = \pi_e(a_i \mid x_i) / \pi_b(a_i \mid x_i)`. A reward model
:math:`\hat q(x, a)` gives ``reward_hat`` :math:`\hat q(x_i, a_i)` and ``target_value_hat``
:math:`\hat q(x_i, \pi_e) = \sum_a \pi_e(a \mid x_i)\, \hat q(x_i, a)`.

* :func:`ips` :math:`\frac1n \sum_i w_i r_i` — unbiased;
* :func:`snips` :math:`\sum_i w_i r_i / \sum_i w_i` — slightly biased, consistent;
* :func:`direct_method` :math:`\frac1n \sum_i \hat q(x_i, \pi_e)` — as good as the model;
* :func:`doubly_robust` :math:`\frac1n \sum_i [\hat q(x_i, \pi_e) + w_i (r_i - \hat q(x_i,
  a_i))]` — unbiased whatever the model, less variance the better the model.

"Unbiased" needs *support* — every action the target policy may take had a positive
logging probability — and no clipping; :func:`support_deficit` measures the known gap.

The names (``reward``, ``pscore``, ``target_pscore`` for the evaluation policy's
``action_dist`` at the logged action, clipping :math:`\min(w, \lambda)`) and the formulas
follow Open Bandit Pipeline (Saito et al., 2021; ``obp/ope/estimators.py``, v0.5.5), except
that :func:`snips` here accepts ``clip`` too and :func:`interval` re-normalises SNIPS inside
every bootstrap resample. :func:`evaluate_policy` gives all four estimates with intervals at
once, and :func:`difference` the gap between two policies on the same log (a paired
bootstrap); :mod:`recsys_lab.simulation.ope_study` compares them with a simulated world's truth.
Rewards may be any finite numbers, negative ones included (revenue net of refunds): none of
the estimators needs a sign.

:class:`Policy` turns a scorer (an :class:`recsys_lab.simulation.OfferRanker` or any function of
the contexts) into greedy, ε-greedy or softmax choice probabilities on logged requests.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from recsys_lab._validation import as_vectors, check_choice, check_positive_int, known_codes
from recsys_lab.evaluation.stats import check_confidence, resampled_sums

__all__ = [
    "ESTIMATORS",
    "Interval",
    "Policy",
    "SupportWarning",
    "TargetProbabilities",
    "difference",
    "direct_method",
    "doubly_robust",
    "effective_sample_size",
    "epsilon_greedy",
    "evaluate_policy",
    "greedy",
    "importance_weights",
    "interval",
    "ips",
    "snips",
    "softmax",
    "support_deficit",
    "target_probabilities",
]


class SupportWarning(UserWarning):
    """The target policy chooses actions the logging policy never shows."""


def _check_pscores(pscore: np.ndarray, target_pscore: np.ndarray) -> None:
    bad = (pscore <= 0) | (pscore > 1)
    if bad.any():
        raise ValueError(
            f"pscore must be in (0, 1] (the logging policy's probability of the action it "
            f"showed), but {int(bad.sum())} value(s) are not, e.g. {pscore[bad][0]}. A logged "
            f"action had a positive probability by definition; check the logging code."
        )
    bad = (target_pscore < 0) | (target_pscore > 1)
    if bad.any():
        raise ValueError(
            f"target_pscore must be a probability in [0, 1], but {int(bad.sum())} value(s) "
            f"are not, e.g. {target_pscore[bad][0]}."
        )


def _clipped(weights: np.ndarray, clip: float | None) -> np.ndarray:
    if clip is None:
        return weights
    if not clip > 0:
        raise ValueError(f"clip must be a positive maximum weight (or None), got {clip}.")
    return np.minimum(weights, clip)


def support_deficit(pscore: ArrayLike, target_pscore: ArrayLike) -> float:
    r"""Share of the target policy's probability that falls on actions never logged (known part).

    Where the logging policy was deterministic (``pscore`` = 1) every other action had
    probability 0, so the target policy's mass :math:`1 - \pi_e(a_i \mid x_i)` on those
    requests is outside the log's support:

    .. math:: \frac1n \sum_i [\pi_b(a_i \mid x_i) = 1]\,\bigl(1 - \pi_e(a_i \mid x_i)\bigr)

    This is exact when logging never explores (ε = 0) and a lower bound otherwise (a
    stochastic logging policy may still give some actions probability 0). No reweighting
    recovers rewards of actions never shown, so IPS, SNIPS and DR are then biased; they
    warn with :class:`SupportWarning` when this is positive.

    >>> support_deficit([1.0, 1.0, 0.5, 1.0], [1.0, 0.0, 0.0, 0.5])  # (0 + 1 + 0 + 0.5) / 4
    0.375
    """
    p, t = as_vectors(pscore=pscore, target_pscore=target_pscore)
    _check_pscores(p, t)
    return _deficit(p, t)


def _deficit(pscore: np.ndarray, target_pscore: np.ndarray) -> float:
    return float(np.mean((pscore == 1) * (1 - target_pscore)))


def _warn_support(pscore: np.ndarray, target_pscore: np.ndarray) -> None:
    deficit = _deficit(pscore, target_pscore)
    if deficit > 0:
        warnings.warn(
            f"the logging policy never explored on {np.mean(pscore == 1):.0%} of requests "
            f"(pscore = 1) and the target policy puts {deficit:.1%} of its probability on "
            f"actions never shown there: no reweighting recovers their rewards, so this "
            f"estimate is biased. Log with exploration (epsilon > 0), or rely on a reward "
            f"model (direct_method) and say so.",
            SupportWarning,
            stacklevel=4,  # the caller of ips/snips/doubly_robust/interval
        )


def importance_weights(
    pscore: ArrayLike, target_pscore: ArrayLike, clip: float | None = None
) -> np.ndarray:
    r"""Importance weights :math:`w_i = \pi_e(a_i \mid x_i) / \pi_b(a_i \mid x_i)`.

    Optionally clipped to :math:`\min(w_i, \lambda)` with ``clip`` = :math:`\lambda`.

    Their mean estimates the share of the target policy's probability the log supports
    (1 when logging explores every action).

    >>> importance_weights([0.5, 0.1, 0.9], [1.0, 1.0, 0.0], clip=5).tolist()
    [2.0, 5.0, 0.0]
    """
    p, t = as_vectors(pscore=pscore, target_pscore=target_pscore)
    _check_pscores(p, t)
    return _clipped(t / p, clip)


def effective_sample_size(weights: ArrayLike) -> float:
    r"""Kish's effective sample size :math:`(\sum_i w_i)^2 / \sum_i w_i^2`.

    How many equally weighted requests the weighted log is worth: :math:`n` when all
    weights are equal, 1 when one weight dominates, 0 when every weight is 0 (Kish, *Survey
    Sampling*, 1965).

    >>> effective_sample_size([1, 1, 1, 1]), effective_sample_size([4, 0, 0, 0])
    (4.0, 1.0)
    """
    (w,) = as_vectors(weights=weights)
    if (w < 0).any():
        raise ValueError("weights must be >= 0 (importance weights are ratios of probabilities).")
    total = float((w**2).sum())
    return float(w.sum() ** 2 / total) if total > 0 else 0.0


# Each estimator is a ratio sum(numerator) / sum(denominator) of per-request terms; the
# estimators and the bootstrap in `interval` share these term functions.
_Terms = tuple[np.ndarray, np.ndarray]


def _ips_terms(
    reward: ArrayLike, pscore: ArrayLike, target_pscore: ArrayLike, clip: float | None = None
) -> _Terms:
    r, p, t = as_vectors(reward=reward, pscore=pscore, target_pscore=target_pscore)
    _check_pscores(p, t)
    _warn_support(p, t)
    return _clipped(t / p, clip) * r, np.ones_like(r)


def _snips_terms(
    reward: ArrayLike, pscore: ArrayLike, target_pscore: ArrayLike, clip: float | None = None
) -> _Terms:
    r, p, t = as_vectors(reward=reward, pscore=pscore, target_pscore=target_pscore)
    _check_pscores(p, t)
    _warn_support(p, t)
    w = _clipped(t / p, clip)
    if w.sum() == 0:
        raise ValueError(
            "every importance weight is 0: the target policy never takes a logged action, "
            "so the log has no support for it and SNIPS is 0/0. Log with exploration."
        )
    w = w / w.max()  # SNIPS is scale-free; this keeps tiny weights from underflowing
    return w * r, w


def _dm_terms(target_value_hat: ArrayLike) -> _Terms:
    (v,) = as_vectors(target_value_hat=target_value_hat)
    return v, np.ones_like(v)


def _dr_terms(
    reward: ArrayLike,
    pscore: ArrayLike,
    target_pscore: ArrayLike,
    reward_hat: ArrayLike,
    target_value_hat: ArrayLike,
    clip: float | None = None,
) -> _Terms:
    r, p, t, q, v = as_vectors(
        reward=reward,
        pscore=pscore,
        target_pscore=target_pscore,
        reward_hat=reward_hat,
        target_value_hat=target_value_hat,
    )
    _check_pscores(p, t)
    _warn_support(p, t)
    return v + _clipped(t / p, clip) * (r - q), np.ones_like(r)


def ips(
    reward: ArrayLike, pscore: ArrayLike, target_pscore: ArrayLike, clip: float | None = None
) -> float:
    r"""Inverse propensity scoring: :math:`\hat V_{\mathrm{IPS}} = \frac1n \sum_i w_i r_i`.

    Each logged reward is reweighted by :math:`w_i`: actions the logging policy showed
    rarely but the target policy favours count more, so the reweighted log looks as if
    the target policy had served it (Horvitz & Thompson, 1952; for bandit logs Strehl,
    Langford, Li & Kakade, 2010). Unbiased under full support; its variance grows with
    the weights, i.e. with how rarely the log shows what the target wants.

    Parameters
    ----------
    reward : array of float
        Observed rewards :math:`r_i` (any finite numbers).
    pscore : array of float in (0, 1]
        Logging probabilities :math:`\pi_b(a_i \mid x_i)` of the shown actions.
    target_pscore : array of float in [0, 1]
        Target probabilities :math:`\pi_e(a_i \mid x_i)` of the same actions.
    clip : float, optional
        Cap :math:`\lambda` on every weight, :math:`\min(w_i, \lambda)`: trades bias (for
        non-negative rewards the estimate can only drop) for lower variance.

    Returns
    -------
    float

    Examples
    --------
    >>> ips([1, 0, 1], [0.5, 0.5, 0.25], [1.0, 0.0, 0.5])  # (2·1 + 0 + 2·1) / 3
    1.3333333333333333
    """
    return _ratio(*_ips_terms(reward, pscore, target_pscore, clip))


def snips(
    reward: ArrayLike, pscore: ArrayLike, target_pscore: ArrayLike, clip: float | None = None
) -> float:
    r"""Self-normalised IPS: :math:`\hat V_{\mathrm{SNIPS}} = \sum_i w_i r_i / \sum_i w_i`.

    Dividing by the weights' sum instead of :math:`n` keeps the estimate inside the range
    of the observed rewards and removes most of IPS's variance at the price of a small
    bias that vanishes as :math:`n` grows (Swaminathan & Joachims, 2015, "The
    self-normalized estimator for counterfactual learning", NeurIPS). Scaling all weights
    by a constant leaves it unchanged. Raises ``ValueError`` when every weight is 0.

    Parameters are those of :func:`ips`.

    >>> snips([1, 0, 1], [0.5, 0.5, 0.25], [1.0, 0.0, 0.5])  # (2 + 0 + 2) / (2 + 0 + 2)
    1.0
    """
    return _ratio(*_snips_terms(reward, pscore, target_pscore, clip))


def direct_method(target_value_hat: ArrayLike) -> float:
    r"""Direct method: :math:`\hat V_{\mathrm{DM}} = \frac1n \sum_i \hat q(x_i, \pi_e)`.

    Averages a reward model's prediction under the target policy over the logged
    contexts; ignores the logged rewards and propensities, so it has low variance and
    the reward model's bias (Beygelzimer & Langford, 2009; Dudík, Langford & Li, 2011).

    Parameters
    ----------
    target_value_hat : array of float
        :math:`\sum_a \pi_e(a \mid x_i)\, \hat q(x_i, a)` per request, e.g.
        :meth:`TargetProbabilities.target_value_hat`.

    >>> round(direct_method([0.2, 0.1, 0.3]), 12)
    0.2
    """
    return _ratio(*_dm_terms(target_value_hat))


def doubly_robust(
    reward: ArrayLike,
    pscore: ArrayLike,
    target_pscore: ArrayLike,
    reward_hat: ArrayLike,
    target_value_hat: ArrayLike,
    clip: float | None = None,
) -> float:
    r"""Doubly robust: the direct method plus an IPS correction of the model's residuals.

    .. math:: \hat V_{\mathrm{DR}} = \frac1n \sum_i \Bigl[\hat q(x_i, \pi_e)
              + w_i \bigl(r_i - \hat q(x_i, a_i)\bigr)\Bigr]

    Unbiased if the propensities are right (whatever the reward model), and of low
    variance if the reward model is good (Dudík, Langford & Li, 2011, "Doubly robust
    policy evaluation and learning", ICML).

    Parameters
    ----------
    reward, pscore, target_pscore, clip
        As in :func:`ips` (clipping acts on the correction term's weights).
    reward_hat : array of float
        :math:`\hat q(x_i, a_i)`, the reward model at the logged action.
    target_value_hat : array of float
        :math:`\hat q(x_i, \pi_e)`, the reward model's expectation under the target.

    >>> # ((0.5 + 2·(1 − 0.4)) + (0.3 + 0·(0 − 0.2))) / 2
    >>> round(doubly_robust([1, 0], [0.5, 0.5], [1.0, 0.0], [0.4, 0.2], [0.5, 0.3]), 12)
    1.0
    """
    return _ratio(*_dr_terms(reward, pscore, target_pscore, reward_hat, target_value_hat, clip))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> float:
    return float(numerator.sum() / denominator.sum())


_TERMS: dict[Callable[..., float], Callable[..., _Terms]] = {
    ips: _ips_terms,
    snips: _snips_terms,
    direct_method: _dm_terms,
    doubly_robust: _dr_terms,
}


class Interval(NamedTuple):
    """An estimate with its bootstrap interval."""

    estimate: float
    low: float
    high: float


def _terms_of(estimator: Callable[..., float], inputs: Mapping[str, object]) -> _Terms:
    """The per-request terms of ``estimator`` on ``inputs``, after checking the call."""
    terms = _TERMS.get(estimator)
    if terms is None:
        raise TypeError(
            "estimator must be one of ope.ips, ope.snips, ope.direct_method, "
            f"ope.doubly_robust; got {estimator!r}."
        )
    try:
        inspect.signature(estimator).bind(**inputs)
    except TypeError as error:
        raise TypeError(f"{estimator.__name__}: {error}.") from None
    return terms(**inputs)


def _percentile_bounds(
    columns: np.ndarray,
    value: Callable[[np.ndarray], np.ndarray],
    n_resamples: int,
    confidence: float,
    random_state: int | np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of ``value(sums)`` over bootstrap resamples of the rows.

    ``value`` maps the resampled column sums (resamples × columns) to one statistic per
    resample, or to several (resamples × statistics); NaN values (SNIPS on a resample
    with no weight) are left out.
    """
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    tail = (1 - check_confidence(confidence)) / 2
    sums = resampled_sums(columns, n_resamples, np.random.default_rng(random_state))
    with np.errstate(invalid="ignore", divide="ignore"):  # SNIPS: a resample of 0 weights
        values = value(sums)
    with warnings.catch_warnings():  # a statistic undefined in every resample stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(values, [tail, 1 - tail], axis=0)
    return low, high


def interval(
    estimator: Callable[..., float],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    **inputs: ArrayLike | float | None,
) -> Interval:
    """An estimator's value with a percentile bootstrap interval over logged requests.

    Requests are resampled with replacement ``n_resamples`` times and the estimator is
    recomputed on each resample (for SNIPS with its own normalisation); the interval is
    the central ``confidence`` share of those values (Efron & Tibshirani, 1993).

    Parameters
    ----------
    estimator : one of ips, snips, direct_method, doubly_robust
    n_resamples : int
    confidence : float in (0, 1)
    random_state : int or Generator
    **inputs
        The estimator's own arguments by name (``reward=…, pscore=…``, …).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> reward = rng.binomial(1, 0.3, 2000)
    >>> est, low, high = interval(ips, reward=reward, pscore=np.full(2000, 0.5),
    ...                           target_pscore=np.full(2000, 0.5))
    >>> bool(low < est < high), round(est, 3)
    (True, 0.303)
    """
    numerator, denominator = _terms_of(estimator, inputs)
    low, high = _percentile_bounds(
        np.c_[numerator, denominator],
        lambda sums: sums[:, 0] / sums[:, 1],
        n_resamples,
        confidence,
        random_state,
    )
    return Interval(_ratio(numerator, denominator), float(low), float(high))


def difference(
    estimator: Callable[..., float],
    target: dict[str, ArrayLike],
    baseline: dict[str, ArrayLike],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    **shared: ArrayLike | float | None,
) -> Interval:
    r"""The difference :math:`\hat V(\pi_e) - \hat V(\pi_0)` of two policies on one log.

    Both values are estimated on the same requests, so their errors are correlated; the
    interval resamples the requests once for both (a paired bootstrap), which is narrower
    than combining two separate intervals when the policies agree on many requests.

    Parameters
    ----------
    estimator : one of ips, snips, direct_method, doubly_robust
    target, baseline : dict
        Each policy's own inputs, e.g. ``{"target_pscore": …, "target_value_hat": …}``.
    n_resamples, confidence, random_state
        As in :func:`interval`.
    **shared
        The inputs common to both (``reward``, ``pscore``, ``reward_hat``, ``clip``).

    Examples
    --------
    >>> reward, pscore = [1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5]
    >>> d = difference(ips, {"target_pscore": [1, 0, 1, 0]}, {"target_pscore": [0, 1, 0, 1]},
    ...                reward=reward, pscore=pscore)
    >>> d.estimate  # (2 + 0 + 2 + 0) / 4 − (0 + 0 + 0 + 2) / 4
    0.5
    """
    t_num, t_den = _terms_of(estimator, {**shared, **target})
    b_num, b_den = _terms_of(estimator, {**shared, **baseline})
    low, high = _percentile_bounds(
        np.c_[t_num, t_den, b_num, b_den],
        lambda sums: sums[:, 0] / sums[:, 1] - sums[:, 2] / sums[:, 3],
        n_resamples,
        confidence,
        random_state,
    )
    return Interval(_ratio(t_num, t_den) - _ratio(b_num, b_den), float(low), float(high))


ESTIMATORS: dict[str, Callable[..., float]] = {
    "DM": direct_method,
    "IPS": ips,
    "SNIPS": snips,
    "DR": doubly_robust,
}
"""The four estimators by their usual abbreviations, in the order they are usually shown."""


def evaluate_policy(
    reward: ArrayLike,
    pscore: ArrayLike,
    target: TargetProbabilities,
    q_hat: ArrayLike,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
    clip: float | None = None,
) -> pd.DataFrame:
    """DM, IPS, SNIPS and DR estimates of one target policy, each with its interval.

    Parameters
    ----------
    reward, pscore : array of float
        The log's rewards and logging propensities.
    target : TargetProbabilities
        The target policy on the log (:meth:`Policy.on_log` or :func:`target_probabilities`).
    q_hat : array (requests × actions)
        A reward model's predictions for every logged request and action.
    n_resamples, confidence, random_state
        As in :func:`interval`; the four estimators share one resampling of the requests
        (drawn once, so four estimators cost little more than one).
    clip : float, optional
        Weight clipping for IPS, SNIPS and DR.

    Returns
    -------
    DataFrame
        Indexed by estimator (``DM``, ``IPS``, ``SNIPS``, ``DR``): ``estimate, low, high``.
        SNIPS is NaN when the target never takes a logged action (:func:`snips` raises).

    Examples
    --------
    >>> on_log = target_probabilities([[1.0, 0.0], [0.0, 1.0]], ["x", "x"], ["x", "y"])
    >>> table = evaluate_policy([1, 0], [0.5, 0.5], on_log, [[0.8, 0.2], [0.4, 0.6]])
    >>> table["estimate"].round(2).tolist()  # DR: (0.8 + 2·(1 − 0.8) + 0.6) / 2
    [0.7, 1.0, 1.0, 0.9]
    """
    v, q = target.target_value_hat(q_hat), target.reward_hat(q_hat)
    weighted = {"reward": reward, "pscore": pscore, "target_pscore": target.target_pscore}
    inputs: dict[str, Mapping[str, object]] = {
        "DM": {"target_value_hat": v},
        "IPS": {**weighted, "clip": clip},
        "SNIPS": {**weighted, "clip": clip},
        "DR": {**weighted, "reward_hat": q, "target_value_hat": v, "clip": clip},
    }
    terms = []
    for name, estimator in ESTIMATORS.items():
        try:
            terms.append(_terms_of(estimator, inputs[name]))
        except ValueError:
            if name != "SNIPS" or (target.target_pscore > 0).any():
                raise
            terms.append((np.zeros(len(v)), np.zeros(len(v))))  # no weight anywhere: 0/0
    columns = np.column_stack([column for pair in terms for column in pair])
    lows, highs = _percentile_bounds(  # one resampling of the requests for all four
        columns,
        lambda sums: sums[:, 0::2] / sums[:, 1::2],
        n_resamples,
        confidence,
        random_state,
    )
    with np.errstate(invalid="ignore"):
        estimates = [_ratio(*pair) for pair in terms]
    return pd.DataFrame(
        {"estimate": estimates, "low": lows, "high": highs},
        index=pd.Index(list(ESTIMATORS), name="estimator"),
    )


# --- target policies -------------------------------------------------------------------


def _scores(scores: ArrayLike) -> np.ndarray:
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.shape[1] == 0:
        raise ValueError(f"scores must be a 2-D array (requests × actions), got shape {s.shape}.")
    if not np.isfinite(s).all():
        raise ValueError("scores contain NaN or infinite values; every action needs a score.")
    return s


def _check_epsilon(epsilon: float) -> float:
    if not 0 <= epsilon <= 1:
        raise ValueError(f"epsilon must be between 0 and 1, got {epsilon}.")
    return float(epsilon)


def _check_temperature(temperature: float) -> float:
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    return float(temperature)


def greedy(scores: ArrayLike) -> np.ndarray:
    r"""Choice probabilities of the greedy policy: the top-scored action, ties split evenly.

    :math:`\pi(a \mid x) = [a \in A^*(x)] / |A^*(x)|`, :math:`A^*(x) = \arg\max_a s(x, a)`.

    >>> greedy([[0.1, 0.3, 0.3], [0.5, 0.2, 0.1]]).tolist()
    [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]
    """
    s = _scores(scores)
    top = (s == s.max(axis=1, keepdims=True)).astype(float)
    return top / top.sum(axis=1, keepdims=True)


def epsilon_greedy(scores: ArrayLike, epsilon: float) -> np.ndarray:
    r"""ε-greedy: the greedy policy, mixed with a uniform one.

    :math:`\pi(a \mid x) = (1 - \varepsilon)\,\pi_{\text{greedy}}(a \mid x)
    + \varepsilon / K` — the seed's 90/10 serving is ``epsilon=0.1``.

    >>> epsilon_greedy([[0.1, 0.3]], 0.1).round(2).tolist()
    [[0.05, 0.95]]
    """
    epsilon = _check_epsilon(epsilon)
    g = greedy(scores)
    return (1 - epsilon) * g + epsilon / g.shape[1]


def softmax(scores: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax (Boltzmann) policy :math:`\pi(a \mid x) \propto \exp(s(x, a) / T)`.

    Small temperatures :math:`T` approach greedy, large ones uniform.

    >>> softmax([[0.0, np.log(3)]]).tolist()
    [[0.25, 0.75]]
    """
    z = _scores(scores) / _check_temperature(temperature)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class TargetProbabilities(NamedTuple):
    """A target policy on logged requests (from :meth:`Policy.on_log`).

    ``action`` is the logged action's column in ``action_dist``; ``target_pscore`` is
    ``action_dist[i, action[i]]``.
    """

    action: np.ndarray
    action_dist: np.ndarray
    target_pscore: np.ndarray

    def _q(self, q_hat: ArrayLike) -> np.ndarray:
        q = np.asarray(q_hat, dtype=float)
        if q.shape != self.action_dist.shape:
            raise ValueError(
                f"q_hat must hold a reward prediction per request and action, shape "
                f"{self.action_dist.shape}, got {q.shape}."
            )
        return q

    def reward_hat(self, q_hat: ArrayLike) -> np.ndarray:
        r"""A reward model's predictions :math:`\hat q(x_i, a_i)` at the logged actions.

        ``q`` holds the predictions for every request and action (requests × actions).
        """
        return self._q(q_hat)[np.arange(len(self.action)), self.action]

    def target_value_hat(self, q_hat: ArrayLike) -> np.ndarray:
        r""":math:`\hat q(x_i, \pi_e) = \sum_a \pi_e(a \mid x_i)\, \hat q(x_i, a)` per request."""
        return (self.action_dist * self._q(q_hat)).sum(axis=1)


_Scorer = Callable[[pd.DataFrame], ArrayLike]


class Policy:
    """A target policy built from a scorer: greedy, ε-greedy or softmax over its scores.

    Parameters
    ----------
    scorer : OfferRanker or callable
        An object with ``rank(contexts, offers)`` returning scores per request and offer
        (an :class:`recsys_lab.simulation.OfferRanker`), or a function mapping a contexts
        DataFrame to a (requests × offers) array of scores, columns in ``offers`` order.
    offers : sequence of str
        The actions, in the column order of every probability array (``world.offers``).
    rule : {"greedy", "epsilon_greedy", "softmax"}
    epsilon : float
        Exploration share for ``"epsilon_greedy"``.
    temperature : float
        Temperature for ``"softmax"``; scores on the click-probability scale (an
        OfferRanker's) differ by a few hundredths, so temperatures near 0.05 are sensible.

    Calling the policy on contexts returns its choice probabilities (requests × offers),
    the form :meth:`recsys_lab.simulation.OfferWorld.policy_value` takes.

    Examples
    --------
    >>> ctx = pd.DataFrame({"segment": ["a", "b", "b"]})
    >>> rule = Policy(lambda c: np.c_[c["segment"] == "a", c["segment"] == "b"], ["x", "y"])
    >>> on_log = rule.on_log(ctx, ["x", "x", "y"])
    >>> on_log.target_pscore.tolist()
    [1.0, 0.0, 1.0]
    """

    RULES = ("greedy", "epsilon_greedy", "softmax")

    def __init__(
        self,
        scorer: object,
        offers: Sequence[str],
        rule: str = "greedy",
        epsilon: float = 0.1,
        temperature: float = 1.0,
    ) -> None:
        if not (hasattr(scorer, "rank") or callable(scorer)):
            raise TypeError(
                "scorer must be a fitted OfferRanker (anything with rank(contexts, offers)) "
                f"or a function of the contexts, got {type(scorer).__name__}."
            )
        self.scorer = scorer
        self.offers = tuple(offers)
        if len(self.offers) < 1 or len(set(self.offers)) != len(self.offers):
            raise ValueError(f"offers must be distinct action names, got {list(offers)}.")
        self.rule = check_choice(rule, "rule", self.RULES)
        self.epsilon = _check_epsilon(epsilon)
        self.temperature = _check_temperature(temperature)

    def scores(self, contexts: pd.DataFrame) -> np.ndarray:
        """The scorer's scores, requests × offers."""
        rank = getattr(self.scorer, "rank", None)
        if rank is not None:
            raw = rank(contexts, list(self.offers))
        else:
            raw = cast(_Scorer, self.scorer)(contexts)
        s = _scores(raw)
        if s.shape != (len(contexts), len(self.offers)):
            raise ValueError(
                f"the scorer must return one score per request and offer, shape "
                f"{(len(contexts), len(self.offers))}, got {s.shape}."
            )
        return s

    def __call__(self, contexts: pd.DataFrame) -> np.ndarray:
        """Choice probabilities, requests × offers (rows sum to 1)."""
        s = self.scores(contexts)
        if self.rule == "greedy":
            return greedy(s)
        if self.rule == "epsilon_greedy":
            return epsilon_greedy(s, self.epsilon)
        return softmax(s, self.temperature)

    def on_log(self, contexts: pd.DataFrame, logged: Sequence[str]) -> TargetProbabilities:
        """The policy on logged requests: its whole distribution and ``target_pscore``.

        ``logged`` names the offer shown on each request (e.g. ``log["offer"]``).
        """
        return target_probabilities(self(contexts), logged, self.offers)


def target_probabilities(
    action_dist: ArrayLike, logged: Sequence[str], offers: Sequence[str]
) -> TargetProbabilities:
    """A policy's choice probabilities (requests × offers) read at the logged offers.

    :meth:`Policy.on_log` calls this; call it directly when the distribution is already
    computed, e.g. once per distinct context and looked up
    (``policy(grid)[world.context_index(log)]``).

    >>> on_log = target_probabilities([[0.2, 0.8], [0.5, 0.5]], ["y", "x"], ["x", "y"])
    >>> on_log.action.tolist(), on_log.target_pscore.tolist()
    ([1, 0], [0.8, 0.5])
    """
    dist = np.asarray(action_dist, dtype=float)
    logged = list(logged)
    if dist.ndim != 2 or dist.shape != (len(logged), len(offers)):
        raise ValueError(
            f"action_dist must be requests × offers, {(len(logged), len(offers))}, got "
            f"shape {dist.shape}."
        )
    if not np.isfinite(dist).all() or (dist < 0).any() or not np.allclose(dist.sum(axis=1), 1):
        raise ValueError("each row of action_dist must hold probabilities >= 0 summing to 1.")
    action = known_codes(
        logged, pd.Index(list(offers)), "offer", "the policy's offers must cover the log's."
    )
    return TargetProbabilities(action, dist, dist[np.arange(len(action)), action])
