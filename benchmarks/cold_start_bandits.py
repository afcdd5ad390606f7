"""Bandit policies on five simulated offers: cumulative regret of 20 seeded runs each.

Usage (from the repository root; about a minute on a 2-core laptop):

    PYTHONPATH=. .venv/bin/python benchmarks/cold_start_bandits.py

Five offers with click rates 4, 5, 6, 8 and 10 %, 5,000 rounds, runs seeded 0–19
(:func:`recsys_lab.simulation.bandits.compare` with ``per_run=True``); the policies are
:data:`POLICIES`. Writes ``benchmarks/results/cold_start_bandits.csv``:
``round, policy, run, regret`` every 50 rounds. The cold-start notebook recomputes run 0
live and compares.
"""

from pathlib import Path

from recsys_lab.simulation import bandits

CTR = [0.04, 0.05, 0.06, 0.08, 0.10]
POLICIES = {
    "random": lambda: bandits.RandomPolicy(5),
    "ε-greedy, rate 0.1": lambda: bandits.EpsilonGreedy(5, epsilon=0.1),
    "ε-greedy, decaying": lambda: bandits.EpsilonGreedy(5, epsilon=0.5, decay=0.01),
    "UCB1": lambda: bandits.UCB1(5),
    "Thompson": lambda: bandits.ThompsonSampling(5),
    "90/10, weekly model": lambda: bandits.SeedServing(
        5, explore=0.1, retrain_every=500, first_model_at=500
    ),
}
OUT = Path(__file__).resolve().parent / "results" / "cold_start_bandits.csv"


def main() -> None:
    runs = bandits.compare(POLICIES, CTR, n_rounds=5000, n_runs=20, random_state=0, per_run=True)
    runs.to_csv(OUT, index=False, float_format="%.6g")
    print(f"wrote {OUT} ({len(runs)} rows)")


if __name__ == "__main__":
    main()
