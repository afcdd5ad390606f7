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
    ``"crossed"`` the same plus offer × context crosses and the two three-way terms above
    (:data:`WORLD_CROSSES`) — the world's own structure, so on this world it is the
    well-specified model; ``"boosting"`` gradient-boosted trees, which must find
    interactions themselves. ``fit(log)`` offline, ``rank(contexts)`` online.
    :class:`SegmentRule` is the marketer's alternative: the best offer per segment.

Serving (:func:`simulate_serving`, :func:`log_serving`)
    Random serving until the first model, then ``explore`` random / the rest the model,
    retrained every ``retrain_every`` days on all data so far; optionally an offer whose
    appeal collapses on a given day, and a shift in the segment mix.
    :func:`simulate_serving` keeps daily totals; :func:`log_serving` keeps every
    impression with the probability it was chosen with (for :mod:`recsys_lab.ope`), and
    can serve with a frozen, already fitted model.

A/B tests (:func:`ab_log`)
    Users split at random between two policies, with repeated visits, a pre-period
    (a covariate for CUPED), heterogeneous users, purchases, revenue and opt-outs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
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


WORLD_CROSSES = (("feature_1", "feature_2"), ("channel", "device"))
"""The three-way terms of :class:`OfferWorld`'s click model: offer × f1 × f2 and offer × channel ×
device."""


def _design(
    df: pd.DataFrame, columns: Sequence[str], crosses: Sequence[tuple[str, str]] | None
) -> pd.DataFrame:
    """One-hot features; with ``crosses`` also offer × every column and offer × each pair."""
    parts = [pd.get_dummies(df[list(columns)].astype(str), dtype=float)]
    offer = df["offer"].astype(str)
    parts.append(pd.get_dummies(offer, prefix="offer", dtype=float))
    if crosses is not None:
        for col in columns:
            parts.append(pd.get_dummies(offer + "×" + col + "=" + df[col].astype(str), dtype=float))
        for first, second in crosses:
            pair = df[first].astype(str) + "," + df[second].astype(str)
            parts.append(pd.get_dummies(offer + f"×{first},{second}=" + pair, dtype=float))
    return pd.concat(parts, axis=1)


class OfferRanker:
    """Score (context, offer) pairs by click probability and pick the best offer.

    Parameters
    ----------
    model : {"plain", "crossed", "boosting"}
        ``"plain"``: logistic regression on one-hot context + offer. ``"crossed"``: the
        same plus offer × every context column and offer × each pair in ``crosses``
        (three-way terms). ``"boosting"``: gradient-boosted trees on the plain features,
        which must find interactions themselves.
    context : columns of the log that describe a request
    random_state : int
    crosses : sequence of (column, column), optional
        Pairs crossed with the offer by ``"crossed"``. Default: :data:`WORLD_CROSSES`
        whose columns are in ``context`` — exactly the terms of :class:`OfferWorld`'s click
        model, so the crossed model is the world's own structure (pass ``()`` for two-way
        crosses only).

    Examples
    --------
    >>> log = OfferWorld(n_offers=3, n_segments=4).log(3000)
    >>> ranker = OfferRanker("crossed").fit(log)
    >>> ranker.rank(log.head(2)).shape
    (2, 3)
    """

    MODELS = ("plain", "crossed", "boosting")

    def __init__(
        self,
        model: str = "crossed",
        context: Sequence[str] = CONTEXT,
        random_state: int = 0,
        crosses: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        self.model = model
        self.context = tuple(context)
        self.random_state = random_state
        self.crosses = crosses

    def _crosses(self) -> tuple[tuple[str, str], ...] | None:
        """The pairs crossed with the offer (None for the models without crosses)."""
        if self.model != "crossed":
            return None
        if self.crosses is None:
            return tuple(c for c in WORLD_CROSSES if set(c) <= set(self.context))
        pairs = tuple((str(a), str(b)) for a, b in self.crosses)
        unknown = sorted({c for pair in pairs for c in pair} - set(self.context))
        if unknown:
            raise ValueError(f"crosses name column(s) {unknown} that are not in the context.")
        return pairs

    def _features(self, log: pd.DataFrame) -> pd.DataFrame:
        return _design(log, self.context, self._crosses())

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
        X = self._features(log)
        self.columns_ = X.columns
        if self.model == "boosting":
            self.estimator_ = HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.1, random_state=self.random_state
            )
            self.estimator_.fit(X.to_numpy(), y)
        else:
            self.estimator_ = LogisticRegression(C=1.0, max_iter=2000)
            self.estimator_.fit(sp.csr_matrix(X.to_numpy()), y)  # one-hot: sparse is faster
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise RuntimeError("This OfferRanker is not fitted yet: call fit(log) first.")

    def _check_contexts(self, contexts: pd.DataFrame) -> None:
        missing = [c for c in self.context if c not in contexts.columns]
        if missing:
            raise ValueError(
                f"contexts lack column(s) {missing}; the model was fitted on {list(self.context)}."
            )

    def _scores(self, contexts: pd.DataFrame, offers: Sequence[str]) -> np.ndarray:
        """Click probabilities, requests × ``offers``, from one design matrix for all offers."""
        self._check_fitted()
        unknown = [o for o in offers if o not in self.offers_]
        if unknown:
            raise ValueError(f"Unknown offer(s) {unknown}: the model knows {list(self.offers_)}.")
        self._check_contexts(contexts)
        stacked = pd.concat([contexts.assign(offer=o) for o in offers], ignore_index=True)
        X = self._features(stacked).reindex(columns=self.columns_, fill_value=0.0).to_numpy()
        p = self.estimator_.predict_proba(X if self.model == "boosting" else sp.csr_matrix(X))
        return p[:, 1].reshape(len(offers), len(contexts)).T

    def predict_proba(self, contexts: pd.DataFrame, offer: str) -> np.ndarray:
        """Estimated click probability of ``offer`` for each request."""
        return self._scores(contexts, [offer])[:, 0]

    def rank(self, contexts: pd.DataFrame, offers: Sequence[str] | None = None) -> pd.DataFrame:
        """Scores of every known offer for every request (requests × offers)."""
        offers = list(self.offers_ if offers is None else offers)
        return pd.DataFrame(self._scores(contexts, offers), index=contexts.index, columns=offers)

    def explain(self, context: pd.Series, offer: str, top: int = 5) -> pd.DataFrame:
        """The largest contributions (coefficient × value) to one logistic score.

        Only for the linear models; returns ``feature, contribution`` sorted by size.
        """
        self._check_fitted()
        if self.model == "boosting":
            raise ValueError("explain() reads linear coefficients; use model='plain' or 'crossed'.")
        row = self._features(context.to_frame().T.assign(offer=offer)).reindex(
            columns=self.columns_, fill_value=0.0
        )
        contrib = row.iloc[0].to_numpy(float) * self.estimator_.coef_[0]
        table = pd.DataFrame({"feature": self.columns_, "contribution": contrib})
        table = table[table["contribution"] != 0]
        return (
            table.reindex(table["contribution"].abs().sort_values(ascending=False).index)
            .head(top)
            .reset_index(drop=True)
        )


class SegmentRule:
    """A marketer's rule: per segment, the offer with the highest click rate in the log.

    Scores are the observed click rates per (``by``, offer) — by default only on the
    requests served at random (``explored``), where every offer had the same chance, so
    the rates are not biased by what an earlier model chose to show. Cells without data
    fall back to the offer's overall rate. Use it like an :class:`OfferRanker`:
    ``rank(contexts)`` gives scores, and :class:`recsys_lab.ope.Policy` turns them into a
    policy.

    Parameters
    ----------
    by : str
        The context column the rule personalizes on.
    explored_only : bool
        Learn from the ``explored`` rows only (a log from :func:`log_serving`).

    Examples
    --------
    >>> log = pd.DataFrame({"segment": ["a", "a", "b", "b"], "offer": ["x", "y", "x", "y"],
    ...                     "response": [1, 0, 0, 1], "explored": True})
    >>> SegmentRule().fit(log).rank(pd.DataFrame({"segment": ["b", "a"]})).to_numpy().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """

    def __init__(self, by: str = "segment", explored_only: bool = True) -> None:
        self.by = by
        self.explored_only = explored_only

    def fit(self, log: pd.DataFrame) -> SegmentRule:
        """Click rates per (``by``, offer) from a log with ``offer`` and ``response``."""
        needed = [self.by, "offer", "response", *(["explored"] if self.explored_only else [])]
        missing = [c for c in needed if c not in log.columns]
        if missing:
            raise ValueError(
                f"the log is missing column(s) {missing} (explored_only=True needs a log "
                f"from log_serving)."
            )
        rows = log[log["explored"].astype(bool)] if self.explored_only else log
        if rows.empty:
            raise ValueError("the log has no explored rows to learn the rule from.")
        self.offers_ = tuple(sorted(pd.unique(log["offer"])))
        overall = rows.groupby("offer")["response"].mean().reindex(self.offers_)
        rates = rows.groupby([self.by, "offer"])["response"].mean().unstack()
        self.rates_ = rates.reindex(columns=self.offers_).fillna(overall).fillna(0.0)
        self.overall_ = overall.fillna(0.0)
        return self

    def rank(self, contexts: pd.DataFrame, offers: Sequence[str] | None = None) -> pd.DataFrame:
        """Scores (click rates) of every offer for every request (requests × offers)."""
        if not hasattr(self, "rates_"):
            raise RuntimeError("This SegmentRule is not fitted yet: call fit(log) first.")
        if self.by not in contexts.columns:
            raise ValueError(f"contexts lack the column {self.by!r} the rule is based on.")
        offers = list(self.offers_ if offers is None else offers)
        unknown = [o for o in offers if o not in self.offers_]
        if unknown:
            raise ValueError(f"Unknown offer(s) {unknown}: the rule knows {list(self.offers_)}.")
        table = self.rates_.reindex(contexts[self.by].to_numpy()).fillna(self.overall_)
        return pd.DataFrame(table[offers].to_numpy(), index=contexts.index, columns=offers)


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
        probabilities (e.g. :class:`recsys_lab.ope.Policy`). ``control=None``: the single
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
        p = _sigmoid(np.log(p / (1 - p)) + shift[rows["user"]])
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
