"""Serving the offer world: the 90/10 serving loop and A/B test logs.

Serving (:func:`simulate_serving`, :func:`log_serving`, :func:`replicate_serving`)
    Random serving until the first model, then ``explore`` random / the rest the model,
    retrained every ``retrain_every`` days on all data so far; optionally an offer whose
    appeal collapses on a given day, and a shift in the segment mix.
    :func:`simulate_serving` keeps daily totals; :func:`log_serving` keeps every
    impression with the probability it was chosen with (for
    :mod:`recsys_lab.evaluation.ope`), and can serve with a frozen, already fitted model;
    :func:`replicate_serving` repeats a simulation over seeds.

A/B tests (:func:`ab_log`)
    Users split at random between two policies, with repeated visits, a pre-period
    (a covariate for CUPED), heterogeneous users, purchases, revenue and opt-outs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from recsys_lab._validation import check_choice, check_positive_int
from recsys_lab.simulation.offer_rankers import OfferRanker
from recsys_lab.simulation.offer_world import CONTEXT, OfferWorld, logistic


def _check_rate(value: float, name: str) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value}.")
    return float(value)


def _best_offer(ranker: OfferRanker, contexts: pd.DataFrame, offers: Sequence[str]) -> np.ndarray:
    """Index (in ``offers``) of the ranker's top-scored offer per request; ties go to the first."""
    ranker._check_fitted()
    scores = ranker.rank(contexts, [o for o in offers if o in ranker.offers_])
    return pd.Index(offers).get_indexer(pd.Index(scores.idxmax(axis=1)))


def _choose(
    best: np.ndarray | None, n: int, n_offers: int, rng: np.random.Generator, explore: float
) -> tuple[np.ndarray, np.ndarray]:
    """For ``n`` requests: a random offer with probability ``explore``, else ``best``.

    Always random with no model. Returns (offer indices, explored flags).
    """
    random_pick = rng.integers(n_offers, size=n)
    if best is None:
        return random_pick, np.ones(n, dtype=bool)
    explored = rng.random(n) < explore
    return np.where(explored, random_pick, best), explored


class _Day(NamedTuple):
    """One simulated day of serving."""

    day: int
    contexts: pd.DataFrame
    chosen: np.ndarray  # offer index shown
    explored: np.ndarray  # served at random?
    best: np.ndarray | None  # the serving model's pick (None while serving at random)
    truth: np.ndarray  # true click probabilities, requests × offers
    clicks: np.ndarray
    model_version: int  # 0 while random, then 1, 2, … per (re)trained model
    model_day: int  # day the serving model was trained; -1 for none or a frozen model
    train_rows: int  # impressions the model was fitted on today (0 if it was not refitted)


def _serving_days(
    world: OfferWorld,
    model: str | OfferRanker,
    n_days: int,
    requests_per_day: int,
    explore: float,
    retrain_every: int,
    first_model_day: int,
    window_days: int | None,
    collapse: tuple[str, int] | None,
    shifted_mix: tuple[int, Sequence[float]] | None,
    random_state: int,
) -> Iterator[_Day]:
    """The serving loop behind :func:`simulate_serving` and :func:`log_serving`.

    A model's picks are computed once on :meth:`OfferWorld.context_grid` and looked up
    per request, so serving costs no scoring after a (re)training.
    """
    check_positive_int(n_days, "n_days")
    check_positive_int(requests_per_day, "requests_per_day")
    check_positive_int(retrain_every, "retrain_every")
    _check_rate(explore, "explore")
    frozen = isinstance(model, OfferRanker)
    if not frozen:
        check_choice(model, "model", OfferRanker.MODELS)
    rng = np.random.default_rng(random_state)
    offers = list(world.offers)
    appeal = np.ones(world.n_offers)
    if collapse is not None:
        check_choice(collapse[0], "offer", offers)
    grid = world.context_grid()
    picks = _best_offer(model, grid, offers) if isinstance(model, OfferRanker) else None
    version, model_day = int(frozen), -1  # a frozen model was trained before day 0
    history: list[pd.DataFrame] = []
    for day in range(n_days):
        if collapse is not None and day >= collapse[1]:
            appeal[offers.index(collapse[0])] = 0.1
        train_rows = 0
        if not frozen and day >= first_model_day and (day - first_model_day) % retrain_every == 0:
            recent = pd.concat(history if window_days is None else history[-window_days:])
            ranker = OfferRanker(str(model), random_state=random_state).fit(recent)
            picks = _best_offer(ranker, grid, offers)
            version, model_day, train_rows = version + 1, day, len(recent)
        mix = shifted_mix[1] if shifted_mix is not None and day >= shifted_mix[0] else None
        ctx = world.sample_contexts(requests_per_day, rng, segment_mix=mix)
        best = None if picks is None else picks[world.context_index(ctx)]
        chosen, explored = _choose(best, len(ctx), len(offers), rng, explore)
        truth = world.click_probability(ctx, appeal)
        clicks = (rng.random(len(ctx)) < truth[np.arange(len(ctx)), chosen]).astype(int)
        history.append(ctx.assign(offer=np.array(offers)[chosen], response=clicks))
        yield _Day(day, ctx, chosen, explored, best, truth, clicks, version, model_day, train_rows)


def simulate_serving(
    world: OfferWorld,
    model: str = "crossed",
    n_days: int = 35,
    requests_per_day: int = 1500,
    explore: float = 0.1,
    retrain_every: int = 7,
    first_model_day: int = 7,
    collapse: tuple[str, int] | None = None,
    shifted_mix: tuple[int, Sequence[float]] | None = None,
    window_days: int | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Serve ``n_days`` of traffic; retrain every ``retrain_every`` days.

    Parameters
    ----------
    collapse : (offer, day), optional
        From that day the offer's click probability drops to a tenth (the second
        source's product that "becomes unpopular extremely fast").
    shifted_mix : (day, mix), optional
        From that day requests come from a different segment mix.
    window_days : int, optional
        Train on the last ``window_days`` days only (default: all data so far).

    Returns
    -------
    DataFrame
        One row per day: ``day, ctr, best_ctr, random_ctr, explored, model_day``,
        ``train_rows`` (impressions a model was fitted on that morning, 0 on days without
        a retraining: the training cost) and ``share_<offer>`` (share of traffic per offer).

    See Also
    --------
    log_serving : the same serving, one row per impression with its propensity.
    """
    check_choice(model, "model", OfferRanker.MODELS)
    rows = []
    for d in _serving_days(
        world, model, n_days, requests_per_day, explore, retrain_every, first_model_day,
        window_days, collapse, shifted_mix, random_state,
    ):  # fmt: skip
        row = {
            "day": d.day,
            "ctr": d.clicks.mean(),
            "best_ctr": d.truth.max(axis=1).mean(),
            "random_ctr": d.truth.mean(axis=1).mean(),
            "explored": d.explored.mean(),
            "model_day": d.model_day,
            "train_rows": d.train_rows,
        }
        row |= {f"share_{o}": float((d.chosen == j).mean()) for j, o in enumerate(world.offers)}
        rows.append(row)
    return pd.DataFrame(rows)


def replicate_serving(
    world: OfferWorld,
    configs: Mapping[str, Mapping[str, object]],
    seeds: Iterable[int],
    **common: object,
) -> pd.DataFrame:
    """:func:`simulate_serving` for several configurations, each over several seeds.

    One run is one random path of traffic, clicks and retrained models; differences
    between configurations are only trustworthy against the spread over seeds.

    Parameters
    ----------
    world : OfferWorld
    configs : mapping name -> keyword arguments
        What differs between the runs, e.g. ``{"weekly": {"retrain_every": 7}}``.
    seeds : iterable of int
        ``random_state`` of each run (the same seeds for every configuration).
    **common
        Arguments shared by every run (``n_days``, ``collapse``, …).

    Returns
    -------
    DataFrame
        :func:`simulate_serving`'s daily rows with ``config`` and ``seed`` in front.

    Examples
    --------
    >>> runs = replicate_serving(OfferWorld(n_offers=3, n_segments=2),
    ...                          {"explore": {"explore": 0.1}, "greedy": {"explore": 0.0}},
    ...                          seeds=[0, 1], n_days=3, requests_per_day=100,
    ...                          first_model_day=1)
    >>> runs.groupby("config").size().to_dict()
    {'explore': 6, 'greedy': 6}
    """
    frames = [
        simulate_serving(world, **{**common, **config, "random_state": seed}).assign(  # type: ignore[arg-type]
            config=name, seed=seed
        )
        for seed in seeds
        for name, config in configs.items()
    ]
    if not frames:
        raise ValueError("configs and seeds must each name at least one run.")
    out = pd.concat(frames, ignore_index=True)
    return out[["config", "seed", *out.columns[:-2]]]


def log_serving(
    world: OfferWorld,
    model: str | OfferRanker = "crossed",
    n_days: int = 35,
    requests_per_day: int = 1500,
    epsilon: float = 0.1,
    retrain_every: int = 7,
    first_model_day: int = 7,
    window_days: int | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    r"""Serve like :func:`simulate_serving` and keep every impression with its propensity.

    While no model exists every offer is shown with probability :math:`1/K`; afterwards a
    request is explored (a uniformly random offer) with probability :math:`\varepsilon`,
    else gets the model's pick :math:`m(x)`. The probability that the shown offer
    :math:`a` was chosen — the propensity score that off-policy estimators divide by — is

    .. math:: \pi_b(a \mid x) = (1 - \varepsilon)\,[a = m(x)] + \varepsilon / K

    (0.9·[pick] + 0.1/K at the seed's 90/10). An explored request may show the model's
    pick too, so ``explored`` and ``pscore`` carry different information.

    Parameters
    ----------
    world : OfferWorld
    model : {"plain", "crossed", "boosting"} or fitted OfferRanker
        A model name: random serving until ``first_model_day``, then that model,
        retrained every ``retrain_every`` days on all data so far (or the last
        ``window_days``). A fitted :class:`OfferRanker`: the logging policy is frozen —
        that model serves from day 0 and is never retrained, so repeated logs
        (``random_state`` = 0, 1, 2, …) are cheap draws from one fixed policy.
    n_days, requests_per_day : int
    epsilon : float
        Exploration rate :math:`\varepsilon` in [0, 1]; 0 logs no exploration at all.
    retrain_every, first_model_day, window_days : int
        The retraining schedule (only for a model name).
    random_state : int

    Returns
    -------
    DataFrame
        One row per impression: ``day``, the context columns, ``offer`` (shown),
        ``response`` (click 0/1: the reward), ``pscore``, ``explored`` and
        ``model_version`` (0 while serving at random, then 1, 2, … per trained model).

    Examples
    --------
    >>> world = OfferWorld(n_offers=3, n_segments=2)
    >>> log = log_serving(world, n_days=4, requests_per_day=200, first_model_day=2)
    >>> sorted(log["pscore"].round(4).unique().tolist())  # 0.1/3, 1/3 and 0.9 + 0.1/3
    [0.0333, 0.3333, 0.9333]
    """
    _check_rate(epsilon, "epsilon")
    k = world.n_offers
    days = []
    for d in _serving_days(
        world, model, n_days, requests_per_day, epsilon, retrain_every, first_model_day,
        window_days, None, None, random_state,
    ):  # fmt: skip
        if d.best is None:
            pscore = np.full(len(d.chosen), 1.0 / k)
        else:
            pscore = (1 - epsilon) * (d.chosen == d.best) + epsilon / k
        days.append(
            d.contexts.assign(
                offer=np.array(world.offers)[d.chosen],
                response=d.clicks,
                pscore=pscore,
                explored=d.explored,
                model_version=d.model_version,
            )
        )
    log = pd.concat(days, ignore_index=True)
    log.insert(0, "day", np.repeat(np.arange(n_days), requests_per_day))
    return log


PolicyLike = OfferRanker | Callable[[pd.DataFrame], ArrayLike]
"""A fitted ranker (served greedily) or a function of the contexts giving choice probabilities."""


def _policy_on_grid(world: OfferWorld, policy: PolicyLike | None, grid: pd.DataFrame) -> np.ndarray:
    """Choice probabilities on every context of the grid (contexts × offers).

    ``None`` is the non-personalized default: the offer with the highest mean click rate.
    """
    k = world.n_offers
    if policy is None:
        mean_ctr = grid["probability"].to_numpy() @ world.click_probability(grid)
        return np.tile(np.eye(k)[int(mean_ctr.argmax())], (len(grid), 1))
    if isinstance(policy, OfferRanker):
        return np.eye(k)[_best_offer(policy, grid, world.offers)]
    if not callable(policy):
        raise TypeError(
            "a policy must be a fitted OfferRanker or a function of the contexts returning "
            f"choice probabilities (such as ope.Policy), got {type(policy).__name__}."
        )
    dist = np.asarray(policy(grid), dtype=float)
    if dist.shape != (len(grid), k) or (dist < 0).any() or not np.allclose(dist.sum(axis=1), 1):
        raise ValueError(
            f"a policy must return choice probabilities, requests × offers ({k}), each row "
            "summing to 1."
        )
    return dist


def _visits(
    world: OfferWorld, users: pd.DataFrame, counts: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """``counts[u]`` requests of each user (at least one in all).

    A visit keeps the user's segment, channel and device; placement and features are new.
    """
    user = np.repeat(np.arange(len(users)), counts)
    visits = world.sample_contexts(len(user), rng)
    fixed = ["segment", "channel", "device"]
    visits[fixed] = users[fixed].to_numpy()[user]
    return visits.assign(user=user)


def ab_log(
    world: OfferWorld,
    treatment: PolicyLike,
    control: PolicyLike | None = None,
    *,
    n_users: int = 20_000,
    visits: float = 1.0,
    pre_visits: float = 0.0,
    user_sd: float = 0.0,
    opt_out_share: float = 0.0,
    purchase_rate: float = 0.3,
    random_state: int = 0,
) -> pd.DataFrame:
    r"""An A/B test: users split at random 50/50, each arm served by its policy.

    Each user keeps a segment, channel and device; every visit draws a placement and the
    two features. User :math:`u` has an activity :math:`a_u \sim \text{Gamma}(2, 1/2)` (mean
    1) and makes :math:`1 + \text{Poisson}(a_u (\text{visits} - 1))` visits during the test
    and :math:`\text{Poisson}(a_u \cdot \text{pre\_visits})` in a **pre-period** before it,
    when everyone was served by ``control`` (the covariate for CUPED). A user's click
    probability is the world's shifted by a personal :math:`b_u \sim N(0,
    \text{user\_sd}^2)` on the logit scale, so a user's visits are correlated. A click turns
    into a purchase with probability ``purchase_rate``; revenue is the offer's price.
    Treatment users who opted out of personalization (``opt_out_share``, drawn at random)
    are served by ``control``.

    With the defaults (one visit, no pre-period, ``user_sd=0``) each arm's expected click
    rate is :meth:`OfferWorld.policy_value` of its policy.

    Parameters
    ----------
    world : OfferWorld
    treatment, control : OfferRanker or callable
        A fitted ranker (served greedily) or a function mapping contexts to choice
        probabilities (e.g. :class:`recsys_lab.evaluation.ope.Policy`). ``control=None``: the single
        offer with the highest mean click rate, shown to everyone (no personalization).
    n_users : int
    visits : float
        Mean visits per user during the test (at least 1).
    pre_visits : float
        Mean visits per user in the pre-period (0: no pre-period rows).
    user_sd : float
        Spread of the users' personal click propensities (logit scale).
    opt_out_share, purchase_rate : float
    random_state : int

    Returns
    -------
    DataFrame
        One row per visit: ``user, group, period`` (``"pre"`` or ``"test"``),
        ``opted_out``, the context columns, ``offer, clicked, purchased, revenue``.

    Examples
    --------
    >>> world = OfferWorld(n_offers=3, n_segments=2)
    >>> log = ab_log(world, OfferRanker().fit(world.log(2000)), n_users=500, visits=3)
    >>> int(log["user"].nunique()), bool(log.groupby("user").size().min() >= 1)
    (500, True)
    """
    n_users = check_positive_int(n_users, "n_users")
    for value, name in ((opt_out_share, "opt_out_share"), (purchase_rate, "purchase_rate")):
        _check_rate(value, name)
    if not visits >= 1 or not pre_visits >= 0 or not user_sd >= 0:
        raise ValueError("visits must be >= 1, pre_visits >= 0 and user_sd >= 0.")
    grid = world.context_grid()
    arms = {
        "control": _policy_on_grid(world, control, grid),
        "treatment": _policy_on_grid(world, treatment, grid),
    }
    rng = np.random.default_rng(random_state)
    users = world.sample_contexts(n_users, rng)
    activity = rng.gamma(2.0, 0.5, n_users)
    shift = rng.normal(0.0, user_sd, n_users)
    group = np.where(rng.random(n_users) < 0.5, "control", "treatment")
    opted = (group == "treatment") & (rng.random(n_users) < opt_out_share)
    periods = {
        "pre": rng.poisson(activity * pre_visits),
        "test": 1 + rng.poisson(activity * (visits - 1)),
    }
    frames = []
    for period, counts in periods.items():
        if counts.sum() == 0:
            continue
        rows = _visits(world, users, counts, rng)
        personalized = (group[rows["user"]] == "treatment") & ~opted[rows["user"]]
        if period == "pre":
            personalized[:] = False
        cell = world.context_index(rows)
        dist = np.where(personalized[:, None], arms["treatment"][cell], arms["control"][cell])
        chosen = (dist.cumsum(axis=1) < rng.random(len(rows))[:, None]).sum(axis=1)
        chosen = np.minimum(chosen, world.n_offers - 1)  # guards against rounding in cumsum
        p = world.click_probability(rows)[np.arange(len(rows)), chosen]
        p = logistic(np.log(p / (1 - p)) + shift[rows["user"]])
        clicked = (rng.random(len(rows)) < p).astype(int)
        purchased = clicked * (rng.random(len(rows)) < purchase_rate)
        frames.append(
            rows.assign(
                group=group[rows["user"]],
                period=period,
                opted_out=opted[rows["user"]],
                offer=np.array(world.offers)[chosen],
                clicked=clicked,
                purchased=purchased.astype(int),
                revenue=purchased * world.prices[chosen],
            )
        )
    columns = ["user", "group", "period", "opted_out", *CONTEXT, "offer", "clicked"]
    return pd.concat(frames, ignore_index=True)[[*columns, "purchased", "revenue"]]
