r"""Personalized offers: a synthetic decisioning world, rankers, and a serving simulator.

The world
    Requests arrive with a **segment** (up to 50), a **placement** (the decision object),
    a **channel** and a **device** (context), and two binary features. The true click
    probability of offer :math:`o` is

    .. math:: \sigma\big(\alpha_o + \beta_{o,\text{segment}} + \gamma_{o,\text{placement}}
              + \delta_{o,\text{channel},\text{device}} + \text{toy}_o(f_1, f_2)\big)

    — offer × context *interactions*, which a model without crosses cannot represent.
    The toy term is the second source's table: offer 0 is liked when
    :math:`f_1 = f_2`, offer 1 when :math:`f_1 = 0, f_2 = 1`.

Rankers (:class:`OfferRanker`, scikit-learn underneath)
    ``"plain"`` logistic regression on one-hot context + offer (no interactions);
    ``"crossed"`` the same plus offer × context crosses; ``"boosting"`` gradient-boosted
    trees, which find interactions themselves. ``fit(log)`` offline, ``rank(contexts)``
    online.

Serving (:func:`simulate_serving`)
    Random serving until the first model, then ``explore`` random / the rest the model,
    retrained every ``retrain_every`` days on all data so far; optionally an offer whose
    appeal collapses on a given day, and a shift in the segment mix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
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

    def _check_mix(self, mix: Sequence[float]) -> np.ndarray:
        mix = np.asarray(mix, dtype=float)
        if mix.shape != (self.n_segments,) or (mix < 0).any() or not np.isclose(mix.sum(), 1):
            raise ValueError(
                f"segment_mix must be {self.n_segments} non-negative shares summing to 1."
            )
        return mix

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
        codes = pd.Index(labels).get_indexer(values)
        if (codes < 0).any():
            bad = values[codes < 0].iloc[0]
            raise ValueError(f"Unknown {what} {bad!r}. Known: {list(labels)}.")
        return codes

    def click_probability(
        self, contexts: pd.DataFrame, appeal: Sequence[float] | None = None
    ) -> np.ndarray:
        """True click probability of every offer for every request (requests × offers).

        ``appeal`` multiplies each offer's probability (e.g. 0.1 for a collapsed offer).
        """
        s = self._index(contexts["segment"], self.segments, "segment")
        p = self._index(contexts["placement"], self.placements, "placement")
        c = self._index(contexts["channel"], self.channels, "channel")
        d = self._index(contexts["device"], self.devices, "device")
        f1 = contexts["feature_1"].to_numpy()
        f2 = contexts["feature_2"].to_numpy()
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


def serve(
    ranker: OfferRanker | None,
    contexts: pd.DataFrame,
    rng: np.random.Generator,
    offers: Sequence[str],
    explore: float = 0.1,
    opted_out: np.ndarray | None = None,
    default_offer: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose an offer per request: random with probability ``explore`` (or always, with no
    model), else the model's best. Opted-out requests get ``default_offer``, the
    non-personalized choice. Returns (offer indices, explored flags)."""
    if not 0 <= explore <= 1:
        raise ValueError(f"explore must be between 0 and 1, got {explore}.")
    n = len(contexts)
    random_pick = rng.integers(len(offers), size=n)
    explored = np.ones(n, dtype=bool) if ranker is None else rng.random(n) < explore
    chosen = random_pick.copy()
    if ranker is not None:
        scores = ranker.rank(contexts, [o for o in offers if o in ranker.offers_])
        best = pd.Index(offers).get_indexer(scores.idxmax(axis=1))
        chosen = np.where(explored, random_pick, best)
    if opted_out is not None:
        if default_offer is None:
            raise ValueError("opted-out users need a default_offer (the non-personalized one).")
        chosen = np.where(opted_out, list(offers).index(default_offer), chosen)
        explored = explored & ~opted_out
    return chosen, explored


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
    """
    check_positive_int(n_days, "n_days")
    check_positive_int(retrain_every, "retrain_every")
    rng = np.random.default_rng(random_state)
    offers = list(world.offers)
    appeal = np.ones(world.n_offers)
    if collapse is not None:
        check_choice(collapse[0], "offer", offers)
    history: list[pd.DataFrame] = []
    ranker, trained_on = None, -1
    rows = []
    for day in range(n_days):
        if collapse is not None and day >= collapse[1]:
            appeal[offers.index(collapse[0])] = 0.1
        if day >= first_model_day and (day - first_model_day) % retrain_every == 0:
            recent = history if window_days is None else history[-window_days:]
            ranker = OfferRanker(model, random_state=random_state).fit(pd.concat(recent))
            trained_on = day
        mix = shifted_mix[1] if shifted_mix is not None and day >= shifted_mix[0] else None
        ctx = world.sample_contexts(requests_per_day, rng, segment_mix=mix)
        chosen, explored = serve(ranker, ctx, rng, offers, explore)
        p = world.click_probability(ctx, appeal)
        clicks = (rng.random(len(ctx)) < p[np.arange(len(ctx)), chosen]).astype(int)
        history.append(ctx.assign(offer=np.array(offers)[chosen], response=clicks))
        row = {
            "day": day,
            "ctr": clicks.mean(),
            "best_ctr": p.max(axis=1).mean(),
            "random_ctr": p.mean(axis=1).mean(),
            "explored": explored.mean(),
            "model_day": trained_on,
        }
        row |= {f"share_{o}": float((chosen == j).mean()) for j, o in enumerate(offers)}
        rows.append(row)
    return pd.DataFrame(rows)


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
