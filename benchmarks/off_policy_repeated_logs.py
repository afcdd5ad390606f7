"""Off-policy estimators over 100 logs of a frozen logging policy, at four exploration rates.

The setting of the off-policy-evaluation notebook: the offer world (seed 0), a season of
90/10 serving by the plain model (35 days × 1,500 requests, seed 0), four policies trained
on its first three weeks (production and three proposals, each served 90/10). The logging
policy is then frozen — production's plain model, never retrained — and logs two weeks of
fresh traffic (21,000 requests) with exploration epsilon; each log gets its own seed
(0, 1, …, 99) and its own crossed reward model for DM and DR. Every estimate and 95 %
bootstrap interval (300 resamples) is written with the policy's true value, the effective
sample size and the support deficit, to ``results/off_policy_repeated_logs.csv``. The
notebook recomputes the first logs live and checks them against this file.

Usage: python benchmarks/off_policy_repeated_logs.py [epsilon ...]   (default: all four;
one rate takes about two minutes on a laptop core; rows of other rates are kept)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from recsys_lab import simulation as offers
from recsys_lab.simulation import ope_study

RESULTS = Path(__file__).parent / "results" / "off_policy_repeated_logs.csv"
EPSILONS = (0.0, 0.01, 0.1, 0.2)
N_LOGS = 100


def setting() -> tuple[offers.OfferWorld, offers.OfferRanker, dict]:
    """The notebook's world, frozen logging model and target policies (on the grid)."""
    world = offers.OfferWorld(seed=0)
    season = offers.log_serving(world, "plain", random_state=0)
    train = season[season["day"] < 21]
    policies = ope_study.candidate_policies(train, world.offers)
    grid = world.context_grid()
    logger = offers.OfferRanker("plain").fit(train)
    return world, logger, {name: policy(grid) for name, policy in policies.items()}


def main(epsilons: tuple[float, ...]) -> None:
    world, logger, tables = setting()
    old = pd.read_csv(RESULTS) if RESULTS.exists() else pd.DataFrame({"epsilon": []})
    runs = [old[~old["epsilon"].isin(epsilons)]]
    for epsilon in epsilons:
        runs.append(ope_study.repeated_logs(world, logger, tables, epsilon, range(N_LOGS)))
        print(f"epsilon {epsilon}: {N_LOGS} logs done", flush=True)
    out = pd.concat(runs, ignore_index=True).sort_values(["epsilon", "log"], kind="stable")
    out.to_csv(RESULTS, index=False, float_format="%.10g")


if __name__ == "__main__":
    main(tuple(float(e) for e in sys.argv[1:]) or EPSILONS)
