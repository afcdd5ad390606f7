r"""Off-policy estimators against the truth: one log, and many logs of a frozen policy.

The offer world knows every policy's true click rate (:meth:`OfferWorld.policy_value`), so
an estimate can be compared with the number it aims at. :func:`estimate_log` estimates
several target policies on one log with DM, IPS, SNIPS and DR (:func:`ope.evaluate_policy`)
and adds the truth, the effective sample size and the support deficit.
:func:`repeated_logs` draws many logs from one *frozen* logging policy (the same fitted
model, ``epsilon`` exploration, a new seed per log), so that the spread of the estimates
over logs is their sampling distribution; :func:`summarize` reads off each estimator's
bias (with its standard error), RMSE and the coverage of its 95 % intervals (with a Wilson
interval, since it is a share of logs).

Target policies are given by their choice probabilities on :meth:`OfferWorld.context_grid`
(computed once per policy, looked up per request), which keeps a study of a hundred logs
to a few minutes.

>>> from recsys_lab.simulation import OfferRanker, OfferWorld
>>> world = OfferWorld(n_offers=3, n_segments=2)
>>> logger = OfferRanker("plain").fit(world.log(3000))
>>> uniform = np.full((len(world.context_grid()), 3), 1 / 3)
>>> runs = repeated_logs(world, logger, {"uniform": uniform}, epsilon=0.2, seeds=range(3),
...                      n_days=2, requests_per_day=500, n_resamples=50)
>>> int(summarize(runs).loc[("uniform", "IPS"), "n_logs"])
3
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recsys_lab.evaluation import ope, stats
from recsys_lab.evaluation.abtest import wilson_interval
from recsys_lab.simulation import OfferRanker, OfferWorld, SegmentRule, log_serving

__all__ = ["candidate_policies", "estimate_log", "repeated_logs", "summarize"]


def candidate_policies(
    train: pd.DataFrame, offers: Sequence[str], epsilon: float = 0.1, random_state: int = 0
) -> dict[str, ope.Policy]:
    r"""Production and three proposals, all trained on ``train`` and served ε-greedy.

    ``"production"`` is the plain model (no crosses) that served the log; the proposals
    are ``"crossed"`` (the plain features plus offer × context crosses), ``"boosting"``
    (trees that find interactions themselves) and ``"segment rule"`` (the best offer per
    segment on the randomly served traffic, :class:`recsys_lab.simulation.SegmentRule`). Each
    keeps production's exploration: its pick with probability :math:`1 - \varepsilon`, a
    random offer otherwise.
    """
    scorers: dict[str, OfferRanker | SegmentRule] = {
        "production": OfferRanker("plain", random_state=random_state),
        "crossed": OfferRanker("crossed", random_state=random_state),
        "boosting": OfferRanker("boosting", random_state=random_state),
        "segment rule": SegmentRule(),
    }
    return {
        name: ope.Policy(scorer.fit(train), offers, rule="epsilon_greedy", epsilon=epsilon)
        for name, scorer in scorers.items()
    }


def _check_tables(world: OfferWorld, policies: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    shape = (len(world.context_grid()), world.n_offers)
    out = {}
    for name, table in policies.items():
        dist = np.asarray(table, dtype=float)
        if dist.shape != shape:
            raise ValueError(
                f"policy {name!r}: give its choice probabilities on world.context_grid(), "
                f"shape {shape} (e.g. policy(world.context_grid())), got {dist.shape}."
            )
        out[name] = dist
    if not out:
        raise ValueError("policies is empty: name at least one target policy.")
    return out


def estimate_log(
    world: OfferWorld,
    log: pd.DataFrame,
    policies: Mapping[str, np.ndarray],
    reward_model: str = "crossed",
    n_resamples: int = 300,
    random_state: int = 0,
) -> pd.DataFrame:
    """DM, IPS, SNIPS and DR estimates of each target policy on one log, beside the truth.

    Parameters
    ----------
    world : OfferWorld
    log : DataFrame
        A log from :func:`recsys_lab.simulation.log_serving` (context, ``offer``,
        ``response``, ``pscore``).
    policies : mapping name -> array
        Each target policy's choice probabilities on ``world.context_grid()``.
    reward_model : {"plain", "crossed", "boosting"}
        The :class:`OfferRanker` fitted on ``log`` as the reward model of DM and DR; for an
        offer the log never shows it predicts the log's mean reward (nothing else is known).
    n_resamples, random_state
        For the bootstrap intervals (:func:`ope.evaluate_policy`).

    Returns
    -------
    DataFrame
        One row per policy and estimator: ``policy, estimator, estimate, low, high,
        truth, ess`` (Kish's effective sample size of the importance weights) and
        ``support_deficit`` (:func:`ope.support_deficit`). Estimators' warnings about
        missing support are silenced: ``support_deficit`` records them.
    """
    tables = _check_tables(world, policies)
    grid = world.context_grid()
    cell = world.context_index(log)
    model = OfferRanker(reward_model).fit(log)
    q_grid = np.full((len(grid), world.n_offers), float(log["response"].mean()))
    for j, offer in enumerate(world.offers):  # offers never shown: only the mean is known
        if offer in model.offers_:
            q_grid[:, j] = model.predict_proba(grid, offer)
    q_hat = q_grid[cell]
    reward, pscore = log["response"].to_numpy(float), log["pscore"].to_numpy(float)
    frames = []
    for name, table in tables.items():
        target = ope.target_probabilities(table[cell], log["offer"].tolist(), world.offers)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ope.SupportWarning)
            estimates = ope.evaluate_policy(
                reward, pscore, target, q_hat, n_resamples=n_resamples, random_state=random_state
            )
        weights = ope.importance_weights(pscore, target.target_pscore)
        frames.append(
            estimates.reset_index().assign(
                policy=name,
                truth=world.policy_value(table),
                ess=ope.effective_sample_size(weights),
                support_deficit=ope.support_deficit(pscore, target.target_pscore),
            )
        )
    columns = ["policy", "estimator", "estimate", "low", "high", "truth", "ess"]
    return pd.concat(frames, ignore_index=True)[[*columns, "support_deficit"]]


def repeated_logs(
    world: OfferWorld,
    logger: OfferRanker,
    policies: Mapping[str, np.ndarray],
    epsilon: float,
    seeds: Iterable[int],
    n_days: int = 14,
    requests_per_day: int = 1500,
    reward_model: str = "crossed",
    n_resamples: int = 300,
) -> pd.DataFrame:
    """:func:`estimate_log` on logs of a frozen logging policy, one per seed.

    Each log is :func:`recsys_lab.simulation.log_serving` with the fitted ``logger`` (never
    retrained) exploring ``epsilon`` of the requests, ``random_state=seed``; the reward
    model is refitted on each log and its bootstrap uses the same seed.

    Returns
    -------
    DataFrame
        :func:`estimate_log`'s rows with ``epsilon`` and ``log`` (the seed) in front.
    """
    tables = _check_tables(world, policies)
    frames = []
    for seed in seeds:
        log = log_serving(
            world, logger, n_days=n_days, requests_per_day=requests_per_day,
            epsilon=epsilon, random_state=seed,
        )  # fmt: skip
        rows = estimate_log(world, log, tables, reward_model, n_resamples, random_state=seed)
        frames.append(rows.assign(epsilon=epsilon, log=seed))
    if not frames:
        raise ValueError("seeds is empty: give at least one seed (one log per seed).")
    out = pd.concat(frames, ignore_index=True)
    return out[["epsilon", "log", *out.columns[:-2]]]


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    r"""Bias, RMSE and interval coverage of each estimator over repeated logs.

    For estimates :math:`\hat V_1 \dots \hat V_L` of a policy whose true value is
    :math:`V`: ``bias`` :math:`= \bar{\hat V} - V` with ``bias_se`` :math:`= s/\sqrt L`;
    ``sd`` :math:`= s`; ``rmse`` :math:`= \sqrt{\frac1L \sum_l (\hat V_l - V)^2}` with a
    95 % interval ``rmse_low, rmse_high`` (the square roots of a bootstrap interval of the
    mean squared error);
    ``coverage`` = share of logs whose interval contains :math:`V`, with its 95 % Wilson
    interval ``coverage_low, coverage_high``; ``ess`` and ``support_deficit`` averaged.

    Parameters
    ----------
    results : DataFrame
        Rows of :func:`repeated_logs` (any number of policies, estimators and epsilons).

    Returns
    -------
    DataFrame
        Indexed by ``policy, estimator`` — and ``epsilon`` first when several are present.
    """
    needed = {"policy", "estimator", "estimate", "low", "high", "truth", "ess", "support_deficit"}
    missing = needed - set(results.columns)
    if missing:
        raise ValueError(f"results lack column(s) {sorted(missing)}; pass repeated_logs' output.")
    keys = ["policy", "estimator"]
    if "epsilon" in results.columns and results["epsilon"].nunique() > 1:
        keys = ["epsilon", *keys]
    frame = results.assign(
        error=results["estimate"] - results["truth"],
        covered=(results["low"] <= results["truth"]) & (results["truth"] <= results["high"]),
    )
    grouped = frame.groupby(keys, sort=False)
    table = grouped.agg(
        n_logs=("error", "size"),
        truth=("truth", "mean"),
        bias=("error", "mean"),
        sd=("estimate", "std"),
        rmse=("error", lambda e: float(np.sqrt(np.mean(e**2)))),
        coverage=("covered", "mean"),
        covered=("covered", "sum"),
        ess=("ess", "mean"),
        support_deficit=("support_deficit", "mean"),
    )
    table["bias_se"] = table["sd"] / np.sqrt(table["n_logs"])
    squared = frame.assign(squared=frame["error"] ** 2).groupby(keys, sort=False)["squared"]
    mse_bounds = [
        stats.bootstrap_ci(errors, n_resamples=2000) if len(errors) > 1 else (np.nan, np.nan)
        for _, errors in squared
    ]
    table["rmse_low"], table["rmse_high"] = np.sqrt(np.array(mse_bounds)).T
    bounds = [
        wilson_interval(int(c), int(n))
        for c, n in zip(table["covered"], table["n_logs"], strict=True)
    ]
    table["coverage_low"], table["coverage_high"] = zip(*bounds, strict=True)
    order = ["n_logs", "truth", "bias", "bias_se", "sd", "rmse", "rmse_low", "rmse_high"]
    return table[[*order, "coverage", "coverage_low", "coverage_high", "ess", "support_deficit"]]
