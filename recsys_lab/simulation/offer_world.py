r"""The offer world: a synthetic decisioning problem whose true click rates are known.

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
The rankers that learn this world are in :mod:`recsys_lab.simulation.offer_rankers`,
and the serving loop in :mod:`recsys_lab.simulation.serving`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from recsys_lab._validation import check_positive_int

CONTEXT = ("segment", "placement", "channel", "device", "feature_1", "feature_2")


def logistic(x: np.ndarray) -> np.ndarray:
    r"""The logistic function of the world's click model, :math:`1 / (1 + e^{-x})`.

    >>> logistic(np.array([0.0])).tolist()
    [0.5]
    """
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
        prob = logistic(logit)
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
            :class:`~recsys_lab.evaluation.ope.Policy`;
            or that array itself for the given ``contexts``.
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
