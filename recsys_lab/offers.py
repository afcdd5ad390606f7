r"""Personalized offers: a synthetic decisioning world, rankers, and a serving simulator.

The world
    Requests arrive with a **segment** (up to 50), a **placement** (the decision object),
    a **channel** and a **device** (context), and two binary features. The true click
    probability of offer :math:`o` is

    .. math:: \sigma\big(\alpha_o + \beta_{o,\text{segment}} + \gamma_{o,\text{placement}}
              + \delta_{o,\text{channel},\text{device}} + \text{toy}_o(f_1, f_2)\big)

    — offer × context *interactions*, which a model without crosses cannot represent.
    The toy term is the second source's table: offer 0 is liked when
    :math:`f_1 = f_2`, offer 1 when :math:`f_1 = 0, f_2 = 1`. The requests are finite:
    :meth:`OfferWorld.context_grid` lists every one with its probability, so
    :meth:`OfferWorld.policy_value` gives any policy's true click rate exactly.

Rankers (:class:`OfferRanker`, scikit-learn underneath)
    ``"plain"`` logistic regression on one-hot context + offer (no interactions);
    ``"crossed"`` the same plus offer × context crosses; ``"boosting"`` gradient-boosted
    trees, which find interactions themselves. ``fit(log)`` offline, ``rank(contexts)``
    online.

Serving (:func:`simulate_serving`, :func:`log_serving`)
    Random serving until the first model, then ``explore`` random / the rest the model,
    retrained every ``retrain_every`` days on all data so far; optionally an offer whose
    appeal collapses on a given day, and a shift in the segment mix.
    :func:`simulate_serving` keeps daily totals; :func:`log_serving` keeps every
    impression with the probability it was chosen with (for :mod:`recsys_lab.ope`), and
    can serve with a frozen, already fitted model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from recsys_lab._validation import check_choice, check_positive_int

CONTEXT = ("segment", "placement", "channel", "device", "feature_1", "feature_2")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class OfferWorld:
    """A seeded world of offers and requests with a known click probability.

    >>> world = OfferWorld(n_offers=3, n_segments=4, seed=0)
    >>> p = world.click_probability(world.sample_contexts(5, np.random.default_rng(0)))
    >>> p.shape, bool(((p > 0) & (p < 1)).all())
    ((5, 3), True)
    """

    n_offers: int = 6
    n_segments: int = 8
    placements: tuple[str, ...] = ("home", "cart", "email")
    channels: tuple[str, ...] = ("web", "app")
    devices: tuple[str, ...] = ("mobile", "desktop")
    seed: int = 0
    segment_mix: np.ndarray | None = None
    prices: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        check_positive_int(self.n_offers, "n_offers", minimum=2)
        if not 1 <= self.n_segments <= 50:
            raise ValueError(f"n_segments must be between 1 and 50, got {self.n_segments}.")
        rng = np.random.default_rng(self.seed)
        o, s = self.n_offers, self.n_segments
        self.alpha = rng.normal(-2.8, 0.3, o)
        self.beta = rng.normal(0.0, 0.8, (o, s))
        self.gamma = rng.normal(0.0, 0.5, (o, len(self.placements)))
        self.delta = rng.normal(0.0, 0.4, (o, len(self.channels), len(self.devices)))
        self.prices = np.round(rng.uniform(5, 60, o), 2)
        if self.segment_mix is None:
            self.segment_mix = np.full(s, 1.0 / s)
        self.segment_mix = self._check_mix(self.segment_mix)
        self.segments = tuple(f"S{j + 1:02d}" for j in range(s))
        self.offers = tuple(f"offer_{j + 1}" for j in range(o))

    def _check_mix(self, mix: ArrayLike) -> np.ndarray:
        shares = np.asarray(mix, dtype=float)
        if (
            shares.shape != (self.n_segments,)
            or (shares < 0).any()
            or not np.isclose(shares.sum(), 1)
        ):
            raise ValueError(
                f"segment_mix must be {self.n_segments} non-negative shares summing to 1."
            )
        return shares

    def sample_contexts(
        self, n: int, rng: np.random.Generator, segment_mix: Sequence[float] | None = None
    ) -> pd.DataFrame:
        """``n`` requests: segment (drawn from the mix), placement, channel, device, features."""
        mix = self.segment_mix if segment_mix is None else self._check_mix(segment_mix)
        n = check_positive_int(n, "n")
        return pd.DataFrame(
            {
                "segment": np.array(self.segments)[rng.choice(self.n_segments, n, p=mix)],
                "placement": np.array(self.placements)[rng.integers(len(self.placements), size=n)],
                "channel": np.array(self.channels)[rng.integers(len(self.channels), size=n)],
                "device": np.array(self.devices)[rng.integers(len(self.devices), size=n)],
                "feature_1": rng.integers(0, 2, n),
                "feature_2": rng.integers(0, 2, n),
            }
        )

    def _index(self, values: pd.Series, labels: Sequence[str], what: str) -> np.ndarray:
        codes = pd.Index(labels).get_indexer(pd.Index(values))
        if (codes < 0).any():
            bad = values[codes < 0].iloc[0]
            raise ValueError(f"Unknown {what} {bad!r}. Known: {list(labels)}.")
        return codes

    def _codes(self, contexts: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """Integer codes of every context column: segment, placement, channel, device, f1, f2."""
        missing = [c for c in CONTEXT if c not in contexts.columns]
        if missing:
            raise ValueError(f"contexts lack column(s) {missing}; a request has {list(CONTEXT)}.")
        features = []
        for col in ("feature_1", "feature_2"):
            values = contexts[col].to_numpy()
            if not np.isin(values, [0, 1]).all():
                raise ValueError(f"{col} must be 0 or 1 for every request.")
            features.append(values.astype(int))
        return (
            self._index(contexts["segment"], self.segments, "segment"),
            self._index(contexts["placement"], self.placements, "placement"),
            self._index(contexts["channel"], self.channels, "channel"),
            self._index(contexts["device"], self.devices, "device"),
            *features,
        )

    def _grid_shape(self) -> tuple[int, ...]:
        return (self.n_segments, len(self.placements), len(self.channels), len(self.devices), 2, 2)

    def context_grid(self, segment_mix: Sequence[float] | None = None) -> pd.DataFrame:
        """Every distinct request with its ``probability``: the whole context distribution.

        Segments follow the mix; placement, channel, device and the two features are
        uniform and independent, as in :meth:`sample_contexts`. Row ``i`` is the request
        whose :meth:`context_index` is ``i``, so anything computed once on the grid (true
        click probabilities, a frozen model's choices) can be looked up for any request.

        >>> grid = OfferWorld(n_segments=4).context_grid()
        >>> len(grid), round(float(grid["probability"].sum()), 12)  # 4·3·2·2·2·2 requests
        (192, 1.0)
        """
        mix = self.segment_mix if segment_mix is None else self._check_mix(segment_mix)
        s, p, c, d, f1, f2 = np.indices(self._grid_shape()).reshape(6, -1)
        others = len(self.placements) * len(self.channels) * len(self.devices) * 4
        return pd.DataFrame(
            {
                "segment": np.array(self.segments)[s],
                "placement": np.array(self.placements)[p],
                "channel": np.array(self.channels)[c],
                "device": np.array(self.devices)[d],
                "feature_1": f1,
                "feature_2": f2,
                "probability": np.asarray(mix)[s] / others,
            }
        )

    def context_index(self, contexts: pd.DataFrame) -> np.ndarray:
        """Row of :meth:`context_grid` for each request (a mixed-radix code of its columns).

        >>> world = OfferWorld(n_segments=4)
        >>> grid = world.context_grid()
        >>> world.context_index(grid.iloc[[5, 0, 191]]).tolist()
        [5, 0, 191]
        """
        return np.ravel_multi_index(self._codes(contexts), self._grid_shape())

    def click_probability(
        self, contexts: pd.DataFrame, appeal: ArrayLike | None = None
    ) -> np.ndarray:
        """True click probability of every offer for every request (requests × offers).

        ``appeal`` multiplies each offer's probability (e.g. 0.1 for a collapsed offer).
        """
        s, p, c, d, f1, f2 = self._codes(contexts)
        toy = np.zeros((len(contexts), self.n_offers))
        toy[:, 0] = np.where(f1 == f2, 1.2, -1.2)  # offer_1 likes equal features
        toy[:, 1] = np.where((f1 == 0) & (f2 == 1), 1.5, -0.8)  # offer_2 likes (0, 1)
        logit = (
            self.alpha[None, :]
            + self.beta[:, s].T
            + self.gamma[:, p].T
            + self.delta[:, c, d].T
            + toy
        )
        prob = _sigmoid(logit)
        if appeal is not None:
            prob = prob * np.asarray(appeal, dtype=float)[None, :]
        return prob

    def policy_value(
        self,
        policy: Callable[[pd.DataFrame], ArrayLike] | ArrayLike,
        contexts: pd.DataFrame | None = None,
        segment_mix: Sequence[float] | None = None,
    ) -> float:
        r"""The true expected click rate of a policy, the number off-policy estimates aim at.

        .. math:: V(\pi) = \sum_x P(x) \sum_a \pi(a \mid x)\, p(\text{click} \mid x, a)

        With ``contexts=None`` the sum runs exactly over :meth:`context_grid` (the world's
        whole request distribution, under ``segment_mix`` if given); with logged
        ``contexts`` it is the average over those requests, :math:`P(x) = 1/n`.

        Parameters
        ----------
        policy : callable or array
            A function mapping a contexts DataFrame to an (requests × offers) array of
            choice probabilities over :attr:`offers` (rows sum to 1), such as
            :class:`recsys_lab.ope.Policy`; or that array itself for the given ``contexts``.
        contexts : DataFrame, optional
            Requests to average over instead of the whole distribution.
        segment_mix : sequence of float, optional
            Segment shares for the exact expectation (only with ``contexts=None``).

        Examples
        --------
        >>> world = OfferWorld(n_offers=3, n_segments=2)
        >>> uniform = lambda ctx: np.full((len(ctx), 3), 1 / 3)
        >>> grid = world.context_grid()
        >>> mean_click = world.click_probability(grid).mean(axis=1) @ grid["probability"]
        >>> bool(np.isclose(world.policy_value(uniform), mean_click))
        True
        """
        if contexts is None:
            contexts = self.context_grid(segment_mix)
            weights = contexts["probability"].to_numpy()
        elif segment_mix is not None:
            raise ValueError("segment_mix applies only to the exact value (contexts=None).")
        elif len(contexts) == 0:
            raise ValueError("contexts is empty: there are no requests to average over.")
        else:
            weights = np.full(len(contexts), 1.0 / len(contexts))
        dist = np.asarray(policy(contexts) if callable(policy) else policy, dtype=float)
        shape = (len(contexts), self.n_offers)
        if dist.shape != shape:
            raise ValueError(
                f"the policy must give a {shape} array of choice probabilities (requests × "
                f"offers, in the order of world.offers), got shape {dist.shape}."
            )
        if (dist < 0).any() or not np.allclose(dist.sum(axis=1), 1.0):
            raise ValueError("each row of the policy's probabilities must be >= 0 and sum to 1.")
        return float(weights @ (dist * self.click_probability(contexts)).sum(axis=1))

    def log(self, n: int, random_state: int = 0) -> pd.DataFrame:
        """A log of ``n`` randomly served requests: context, offer, response (0/1)."""
        rng = np.random.default_rng(random_state)
        ctx = self.sample_contexts(n, rng)
        offer = rng.integers(self.n_offers, size=n)
        p = self.click_probability(ctx)[np.arange(n), offer]
        return ctx.assign(
            offer=np.array(self.offers)[offer], response=(rng.random(n) < p).astype(int)
        )


def _design(df: pd.DataFrame, columns: Sequence[str], cross: bool) -> pd.DataFrame:
    """One-hot features; with ``cross`` also offer × every context column, and offer × f1 × f2."""
    parts = [pd.get_dummies(df[list(columns)].astype(str), dtype=float)]
    parts.append(pd.get_dummies(df["offer"].astype(str), prefix="offer", dtype=float))
    if cross:
        for col in columns:
            parts.append(
                pd.get_dummies(
                    df["offer"].astype(str) + "×" + col + "=" + df[col].astype(str), dtype=float
                )
            )
        pair = df["feature_1"].astype(str) + df["feature_2"].astype(str)
        parts.append(pd.get_dummies(df["offer"].astype(str) + "×f1f2=" + pair, dtype=float))
    return pd.concat(parts, axis=1)


class OfferRanker:
    """Score (context, offer) pairs by click probability and pick the best offer.

    Parameters
    ----------
    model : {"plain", "crossed", "boosting"}
    context : columns of the log that describe a request
    random_state : int

    Examples
    --------
    >>> log = OfferWorld(n_offers=3, n_segments=4).log(3000)
    >>> ranker = OfferRanker("crossed").fit(log)
    >>> ranker.rank(log.head(2)).shape
    (2, 3)
    """

    MODELS = ("plain", "crossed", "boosting")

    def __init__(
        self, model: str = "crossed", context: Sequence[str] = CONTEXT, random_state: int = 0
    ) -> None:
        self.model = model
        self.context = tuple(context)
        self.random_state = random_state

    def fit(self, log: pd.DataFrame) -> OfferRanker:
        """Learn from a log with the context columns, ``offer`` and ``response`` (0/1)."""
        check_choice(self.model, "model", self.MODELS)
        missing = [c for c in (*self.context, "offer", "response") if c not in log.columns]
        if missing:
            raise ValueError(f"the log is missing column(s) {missing}.")
        y = log["response"].to_numpy()
        if not np.isin(y, [0, 1]).all():
            raise ValueError("response must be 0 or 1 for every row.")
        if len(np.unique(y)) < 2:
            raise ValueError("the log needs both clicks and non-clicks to learn from.")
        self.offers_ = tuple(sorted(pd.unique(log["offer"])))
        X = _design(log, self.context, cross=self.model == "crossed")
        self.columns_ = X.columns
        if self.model == "boosting":
            self.estimator_ = HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.1, random_state=self.random_state
            )
        else:
            self.estimator_ = LogisticRegression(C=1.0, max_iter=2000)
        self.estimator_.fit(X.to_numpy(), y)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise RuntimeError("This OfferRanker is not fitted yet: call fit(log) first.")

    def predict_proba(self, contexts: pd.DataFrame, offer: str) -> np.ndarray:
        """Estimated click probability of ``offer`` for each request."""
        self._check_fitted()
        if offer not in self.offers_:
            raise ValueError(f"Unknown offer {offer!r}: the model knows {list(self.offers_)}.")
        missing = [c for c in self.context if c not in contexts.columns]
        if missing:
            raise ValueError(
                f"contexts lack column(s) {missing}; the model was fitted on {list(self.context)}."
            )
        X = _design(contexts.assign(offer=offer), self.context, self.model == "crossed")
        X = X.reindex(columns=self.columns_, fill_value=0.0)
        return self.estimator_.predict_proba(X.to_numpy())[:, 1]

    def rank(self, contexts: pd.DataFrame, offers: Sequence[str] | None = None) -> pd.DataFrame:
        """Scores of every known offer for every request (requests × offers)."""
        offers = list(self.offers_ if offers is None else offers)
        return pd.DataFrame(
            {o: self.predict_proba(contexts, o) for o in offers}, index=contexts.index
        )

    def explain(self, context: pd.Series, offer: str, top: int = 5) -> pd.DataFrame:
        """The largest contributions (coefficient × value) to one logistic score.

        Only for the linear models; returns ``feature, contribution`` sorted by size.
        """
        self._check_fitted()
        if self.model == "boosting":
            raise ValueError("explain() reads linear coefficients; use model='plain' or 'crossed'.")
        row = _design(
            context.to_frame().T.assign(offer=offer), self.context, self.model == "crossed"
        ).reindex(columns=self.columns_, fill_value=0.0)
        contrib = row.iloc[0].to_numpy(float) * self.estimator_.coef_[0]
        table = pd.DataFrame({"feature": self.columns_, "contribution": contrib})
        table = table[table["contribution"] != 0]
        return (
            table.reindex(table["contribution"].abs().sort_values(ascending=False).index)
            .head(top)
            .reset_index(drop=True)
        )


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


def serve(
    ranker: OfferRanker | None,
    contexts: pd.DataFrame,
    rng: np.random.Generator,
    offers: Sequence[str],
    explore: float = 0.1,
    opted_out: np.ndarray | None = None,
    default_offer: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose an offer per request: random with probability ``explore``, else the best.

    Always random with no model. Opted-out requests get ``default_offer``, the
    non-personalized choice. Returns (offer indices, explored flags).
    """
    _check_rate(explore, "explore")
    best = None if ranker is None else _best_offer(ranker, contexts, offers)
    chosen, explored = _choose(best, len(contexts), len(offers), rng, explore)
    if opted_out is not None:
        if default_offer is None:
            raise ValueError("opted-out users need a default_offer (the non-personalized one).")
        chosen = np.where(opted_out, list(offers).index(default_offer), chosen)
        explored = explored & ~opted_out
    return chosen, explored


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
        if not frozen and day >= first_model_day and (day - first_model_day) % retrain_every == 0:
            recent = history if window_days is None else history[-window_days:]
            ranker = OfferRanker(str(model), random_state=random_state).fit(pd.concat(recent))
            picks = _best_offer(ranker, grid, offers)
            version, model_day = version + 1, day
        mix = shifted_mix[1] if shifted_mix is not None and day >= shifted_mix[0] else None
        ctx = world.sample_contexts(requests_per_day, rng, segment_mix=mix)
        best = None if picks is None else picks[world.context_index(ctx)]
        chosen, explored = _choose(best, len(ctx), len(offers), rng, explore)
        truth = world.click_probability(ctx, appeal)
        clicks = (rng.random(len(ctx)) < truth[np.arange(len(ctx)), chosen]).astype(int)
        history.append(ctx.assign(offer=np.array(offers)[chosen], response=clicks))
        yield _Day(day, ctx, chosen, explored, best, truth, clicks, version, model_day)


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
        One row per day: ``day, ctr, best_ctr, random_ctr, explored, model_day`` and
        ``share_<offer>`` (share of traffic per offer).

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
        }
        row |= {f"share_{o}": float((d.chosen == j).mean()) for j, o in enumerate(world.offers)}
        rows.append(row)
    return pd.DataFrame(rows)


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


def ab_log(
    world: OfferWorld,
    ranker: OfferRanker,
    n_users: int = 20_000,
    opt_out_share: float = 0.0,
    purchase_rate: float = 0.3,
    random_state: int = 0,
) -> pd.DataFrame:
    """One request per user, users split at random into control and treatment.

    Control gets the single best offer overall (non-personalized, the one with the
    highest mean click rate in ``world``); treatment gets ``ranker``'s choice, except
    users who opted out of personalization (``opt_out_share``), who get the control
    offer. A click turns into a purchase with probability ``purchase_rate``; revenue is
    the offer's price.

    Returns ``user, group, opted_out, <context>, offer, clicked, purchased, revenue``.
    """
    if not 0 <= opt_out_share <= 1 or not 0 <= purchase_rate <= 1:
        raise ValueError("opt_out_share and purchase_rate must be between 0 and 1.")
    rng = np.random.default_rng(random_state)
    ctx = world.sample_contexts(check_positive_int(n_users, "n_users"), rng)
    truth = world.click_probability(ctx)
    default = world.offers[int(truth.mean(axis=0).argmax())]
    group = np.where(rng.random(n_users) < 0.5, "control", "treatment")
    opted = (group == "treatment") & (rng.random(n_users) < opt_out_share)
    chosen, _ = serve(
        ranker,
        ctx,
        rng,
        world.offers,
        explore=0.0,
        opted_out=opted | (group == "control"),
        default_offer=default,
    )
    p = truth[np.arange(n_users), chosen]
    clicked = (rng.random(n_users) < p).astype(int)
    purchased = clicked * (rng.random(n_users) < purchase_rate)
    return ctx.assign(
        user=np.arange(n_users),
        group=group,
        opted_out=opted,
        offer=np.array(world.offers)[chosen],
        clicked=clicked,
        purchased=purchased.astype(int),
        revenue=purchased * world.prices[chosen],
    )[["user", "group", "opted_out", *CONTEXT, "offer", "clicked", "purchased", "revenue"]]
