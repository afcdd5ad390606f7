"""Serving runs of the personalized-offers notebook, replicated over 20 seeds.

One simulated run is one random path of traffic, clicks and retrained models; the
notebook's comparisons need the spread over paths. Two studies in the offer world (seed 0),
1,000 requests a day, each run with ``random_state`` 0 … 19:

* ``offers_retraining.csv`` — an offer collapses (a tenth of its appeal) on day 17 of 24;
  retraining every 7 or every day, on the last 7 or the last 3 days of logs (2 × 2);
* ``offers_segment_shift.csv`` — the first two weeks bring segments S01–S04 only, then
  S05–S08; 35 days, retraining weekly on the last 14 days, with 10 % exploration or none.

Each file holds :func:`recsys_lab.simulation.replicate_serving`'s daily rows. The notebook
recomputes seed 0 live and checks it against these files.

Usage: python benchmarks/offers_serving_replicates.py   (about three minutes on a laptop)
"""

from __future__ import annotations

from pathlib import Path

from recsys_lab import simulation as offers

RESULTS = Path(__file__).parent / "results"
SEEDS = range(20)
COLLAPSE_DAY = 17
RETRAINING = {
    f"every {every} d, last {window} d": {"retrain_every": every, "window_days": window}
    for every in (7, 1)
    for window in (7, 3)
}
SHIFT = {"explore 10 %": {"explore": 0.1}, "no exploration": {"explore": 0.0}}
OLD_SEGMENTS, NEW_SEGMENTS = [0.25] * 4 + [0.0] * 4, [0.0] * 4 + [0.25] * 4


def collapsing_offer(world: offers.OfferWorld) -> str:
    """The offer the first models push most (days 7–16 of a 28-day run, seed 0)."""
    base = offers.simulate_serving(world, n_days=28, requests_per_day=1000, window_days=14)
    shares = base.filter(like="share_").iloc[7:COLLAPSE_DAY].mean()
    return str(shares.idxmax()).removeprefix("share_")


def retraining(world: offers.OfferWorld, seeds=SEEDS):
    """The 2 × 2 retraining study (schedule × window) around a collapsing offer."""
    return offers.replicate_serving(
        world, RETRAINING, seeds, n_days=24, requests_per_day=1000,
        collapse=(collapsing_offer(world), COLLAPSE_DAY),
    )  # fmt: skip


def segment_shift(seeds=SEEDS):
    """New segments from day 14, with and without exploration."""
    world = offers.OfferWorld(seed=0, segment_mix=OLD_SEGMENTS)
    return offers.replicate_serving(
        world, SHIFT, seeds, n_days=35, requests_per_day=1000,
        shifted_mix=(14, NEW_SEGMENTS), window_days=14,
    )  # fmt: skip


if __name__ == "__main__":
    RESULTS.mkdir(exist_ok=True)
    retraining(offers.OfferWorld(seed=0)).to_csv(
        RESULTS / "offers_retraining.csv", index=False, float_format="%.10g"
    )
    segment_shift().to_csv(RESULTS / "offers_segment_shift.csv", index=False, float_format="%.10g")
