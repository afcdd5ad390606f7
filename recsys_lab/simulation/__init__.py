"""Simulation: worlds whose truth is known, served, logged and explored.

* :mod:`.offer_world` — the offer world (true click rates known exactly);
* :mod:`.offer_rankers` — the rankers and the marketer's rule that serve it;
* :mod:`.serving` — 90/10 serving with retraining and logged propensities, A/B logs;
* :mod:`.bandits` — the 90/10 policy next to ε-greedy, UCB1 and Thompson sampling;
* :mod:`.ope_study` — off-policy estimators on repeated logs, against the truth.

This package is also the short path ``recsys_lab.offers``, so its face is the offer
world's API:

>>> from recsys_lab import offers
>>> offers.OfferWorld(seed=0).n_offers
6
"""

from recsys_lab.simulation.offer_rankers import OfferRanker, SegmentRule
from recsys_lab.simulation.offer_world import CONTEXT, WORLD_CROSSES, OfferWorld
from recsys_lab.simulation.serving import (
    PolicyLike,
    ab_log,
    log_serving,
    replicate_serving,
    simulate_serving,
)

__all__ = [
    "CONTEXT",
    "WORLD_CROSSES",
    "OfferRanker",
    "OfferWorld",
    "PolicyLike",
    "SegmentRule",
    "ab_log",
    "log_serving",
    "replicate_serving",
    "simulate_serving",
]
