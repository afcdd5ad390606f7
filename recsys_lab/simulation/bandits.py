r"""Exploration when serving offers: the seed's 90/10 policy and three classic bandits.

Every round a policy picks one of :math:`K` offers (arms), observes a click (reward 1)
with the offer's true probability :math:`\theta_a`, and learns. Regret after :math:`T`
rounds is :math:`\sum_t (\max_a \theta_a(t) - \theta_{a_t}(t))`: what always showing the
best available offer would have earned more.

=====================  ==========================================================================
policy                 choice
=====================  ==========================================================================
``RandomPolicy``       uniform over the available offers
``EpsilonGreedy``      with probability :math:`\varepsilon_t` a random offer, else the best mean
                       so far; :math:`\varepsilon_t = \varepsilon_0 / (1 + \text{decay}\cdot t)`
``UCB1``               :math:`\arg\max_a \bar x_a + \sqrt{2 \ln t / n_a}` (Auer et al., 2002)
``ThompsonSampling``   draw :math:`\theta_a \sim \text{Beta}(1 + s_a, 1 + f_a)`, pick the largest
``SeedServing``        the second source's policy: random until the first model, then 10 %
                       random and 90 % the model, which is retrained every ``retrain_every``
                       rounds on all data so far (a "weekly" batch model)
=====================  ==========================================================================

Everything random draws from one seeded generator the simulator passes in, so a
simulation is identical on every rerun.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int


def _check_probability(value: float, name: str) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value}.")
    return float(value)


@dataclass
class _Policy:
    """Counts shared by every policy: pulls and rewards per arm."""

    n_arms: int
    pulls: np.ndarray = field(init=False)
    wins: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        check_positive_int(self.n_arms, "n_arms")
        self.pulls = np.zeros(self.n_arms)
        self.wins = np.zeros(self.n_arms)

    def update(self, arm: int, reward: float) -> None:
        self.pulls[arm] += 1
        self.wins[arm] += reward

    def means(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.pulls > 0, self.wins / np.maximum(self.pulls, 1), 0.0)

    @staticmethod
    def _best(values: np.ndarray, available: np.ndarray, rng: np.random.Generator) -> int:
        v = np.where(available, values, -np.inf)
        best = np.flatnonzero(v == v.max())
        return int(rng.choice(best))  # ties broken at random, reproducibly

    def choose(self, t: int, available: np.ndarray, rng: np.random.Generator) -> tuple[int, bool]:
        """The arm for round ``t`` and whether it was an exploration (random) pick."""
        raise NotImplementedError


class RandomPolicy(_Policy):
    """Serve a uniformly random available offer."""

    def choose(self, t: int, available: np.ndarray, rng: np.random.Generator) -> tuple[int, bool]:
        """A uniformly random available arm; always an exploration pick."""
        return int(rng.choice(np.flatnonzero(available))), True


@dataclass
class EpsilonGreedy(_Policy):
    """Random with probability epsilon (decaying as epsilon / (1 + decay·t)), else greedy."""

    epsilon: float = 0.1
    decay: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_probability(self.epsilon, "epsilon")
        if self.decay < 0:
            raise ValueError(f"decay must be >= 0, got {self.decay}.")

    def choose(self, t: int, available: np.ndarray, rng: np.random.Generator) -> tuple[int, bool]:
        """A random arm with probability epsilon_t, an untried one next, else the best mean."""
        if rng.random() < self.epsilon / (1 + self.decay * t):
            return int(rng.choice(np.flatnonzero(available))), True
        untried = available & (self.pulls == 0)
        if untried.any():
            return int(rng.choice(np.flatnonzero(untried))), True
        return self._best(self.means(), available, rng), False


def ucb1_index(means: np.ndarray, pulls: np.ndarray, t: int) -> np.ndarray:
    r"""UCB1's index of every arm: :math:`\bar x_a + \sqrt{2 \ln t / n_a}` (Auer et al., 2002).

    ``means`` are the arms' mean rewards so far, ``pulls`` their counts :math:`n_a`, and
    ``t`` the number of rounds played so far. An arm never pulled has index
    :math:`+\infty`, so it is tried first.

    >>> ucb1_index(np.array([0.5, 0.2, 0.0]), np.array([2, 8, 0]), t=10).round(3).tolist()
    [2.017, 0.959, inf]
    """
    x = np.asarray(means, dtype=float)
    n = np.asarray(pulls, dtype=float)
    if x.shape != n.shape:
        raise ValueError(f"means {x.shape} and pulls {n.shape} must have the same shape.")
    if (n < 0).any():
        raise ValueError("pulls must be >= 0.")
    if t < 1:
        raise ValueError(f"t (rounds played) must be >= 1, got {t}.")
    with np.errstate(divide="ignore"):
        bonus = np.sqrt(2 * np.log(t) / np.where(n > 0, n, 1))
    return np.where(n > 0, x + bonus, np.inf)


class UCB1(_Policy):
    """Optimism in the face of uncertainty: try every arm once, then mean + bonus."""

    def choose(self, t: int, available: np.ndarray, rng: np.random.Generator) -> tuple[int, bool]:
        """An untried arm first, then the largest mean + sqrt(2 ln t / n_a)."""
        untried = available & (self.pulls == 0)
        if untried.any():
            return int(rng.choice(np.flatnonzero(untried))), True
        t_seen = int(self.pulls[available].sum())
        return self._best(ucb1_index(self.means(), self.pulls, t_seen), available, rng), False


class ThompsonSampling(_Policy):
    """Beta-Bernoulli Thompson sampling with a uniform Beta(1, 1) prior."""

    def choose(self, t: int, available: np.ndarray, rng: np.random.Generator) -> tuple[int, bool]:
        """The arm with the largest draw from its Beta posterior."""
        draws = rng.beta(1 + self.wins, 1 + self.pulls - self.wins)
        return self._best(draws, available, rng), False


@dataclass
class SeedServing(_Policy):
    """Random serving until the first model, then ``explore`` random / the rest the model.

    The "model" is the click rate per offer estimated at the last retraining, so it
    only learns every ``retrain_every`` rounds — as a weekly batch model does.
    A new offer has no estimate until a retraining after it was shown at random.
    """

    explore: float = 0.1
    retrain_every: int = 1000
    first_model_at: int = 1000
    model: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_probability(self.explore, "explore")
        check_positive_int(self.retrain_every, "retrain_every")
        check_positive_int(self.first_model_at, "first_model_at", minimum=0)
        self.model = np.full(self.n_arms, np.nan)

    def choose(self, t: int, available: np.ndarray, rng: np.random.Generator) -> tuple[int, bool]:
        """Retrain on schedule; ``explore`` random, else the arm the last model rates best."""
        if t >= self.first_model_at and (t - self.first_model_at) % self.retrain_every == 0:
            self.model = np.where(self.pulls > 0, self.means(), np.nan)  # retrain
        if np.isnan(self.model).all() or rng.random() < self.explore:
            return int(rng.choice(np.flatnonzero(available))), True
        known = available & ~np.isnan(self.model)
        if not known.any():
            return int(rng.choice(np.flatnonzero(available))), True
        return self._best(np.nan_to_num(self.model, nan=-np.inf), known, rng), False


def simulate(
    policy: _Policy,
    ctr: Sequence[float] | Callable[[int], np.ndarray],
    n_rounds: int = 10_000,
    arrivals: dict[int, int] | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Play ``policy`` for ``n_rounds`` against true click rates and record everything.

    Parameters
    ----------
    policy : a policy from this module (it is updated in place)
    ctr : sequence of probabilities, or a function round → probabilities
        The true click probability of each offer (a function lets them drift, e.g. an
        offer whose appeal collapses).
    arrivals : dict arm → round, optional
        Offers that only become available at a given round (new offers).
    random_state : int
        Seeds the one generator behind every random draw.

    Returns
    -------
    DataFrame
        One row per round: ``round, arm, explored, reward, best, regret``, with
        ``regret`` cumulative.

    Examples
    --------
    >>> log = simulate(ThompsonSampling(2), [0.1, 0.5], n_rounds=500)
    >>> log["arm"].tail(100).mean() > 0.9  # learned that arm 1 is better
    np.True_
    """
    n_rounds = check_positive_int(n_rounds, "n_rounds")
    if callable(ctr):
        rates = ctr
    else:
        fixed = np.asarray(ctr, dtype=float)

        def rates(t: int) -> np.ndarray:
            return fixed

    first = np.asarray(rates(0), dtype=float)
    if first.shape != (policy.n_arms,):
        raise ValueError(f"ctr gives {first.shape} probabilities for {policy.n_arms} arms.")
    opens = np.zeros(policy.n_arms, dtype=int)
    for arm, start in (arrivals or {}).items():
        if not 0 <= arm < policy.n_arms:
            raise ValueError(f"arrivals names arm {arm}, but there are {policy.n_arms} arms.")
        opens[arm] = start
    rng = np.random.default_rng(random_state)
    arms = np.empty(n_rounds, dtype=int)
    explored = np.empty(n_rounds, dtype=bool)
    rewards = np.empty(n_rounds)
    gaps = np.empty(n_rounds)
    best_arm = np.empty(n_rounds, dtype=int)
    for t in range(n_rounds):
        theta = np.asarray(rates(t), dtype=float)
        if ((theta < 0) | (theta > 1)).any():
            raise ValueError(f"click probabilities must be in [0, 1]; round {t} has {theta}.")
        available = opens <= t
        arm, was_random = policy.choose(t, available, rng)
        reward = float(rng.random() < theta[arm])
        policy.update(arm, reward)
        best = np.where(available, theta, -np.inf)
        arms[t], explored[t], rewards[t] = arm, was_random, reward
        best_arm[t] = int(best.argmax())
        gaps[t] = best.max() - theta[arm]
    return pd.DataFrame(
        {
            "round": np.arange(n_rounds),
            "arm": arms,
            "explored": explored,
            "reward": rewards,
            "best": best_arm,
            "regret": np.cumsum(gaps),
        }
    )


def compare(
    policies: dict[str, Callable[[], _Policy]],
    ctr: Sequence[float] | Callable[[int], np.ndarray],
    n_rounds: int = 5_000,
    n_runs: int = 20,
    random_state: int = 0,
    per_run: bool = False,
) -> pd.DataFrame:
    """Cumulative regret of several policies over ``n_runs`` seeded runs.

    Parameters
    ----------
    policies : dict of name to callable
        A factory per policy, called for a fresh policy in every run.
    ctr, n_rounds
        As in :func:`simulate`.
    n_runs : int, default 20
        Run ``r`` is seeded with ``random_state + r``.
    random_state : int, default 0
        The seed of the first run.
    per_run : bool, default False
        Return every run (``round, policy, run, regret``) instead of the summary.

    Returns
    -------
    DataFrame
        Sampled every 1 % of the rounds: :func:`regret_bands` of the runs
        (``round, policy, regret, low, high``), or every run with ``per_run``.

    Examples
    --------
    >>> table = compare({"random": lambda: RandomPolicy(2)}, [0.1, 0.5], n_rounds=100, n_runs=2)
    >>> table.shape, table["round"].iloc[-1]
    ((100, 5), np.int64(100))
    """
    check_positive_int(n_runs, "n_runs")
    step = max(1, n_rounds // 100)
    idx = np.arange(step - 1, n_rounds, step)
    rows = []
    for name, make in policies.items():
        for run in range(n_runs):
            log = simulate(make(), ctr, n_rounds, random_state=random_state + run)
            rows.append(
                pd.DataFrame(
                    {
                        "round": idx + 1,
                        "policy": name,
                        "run": run,
                        "regret": log["regret"].to_numpy()[idx],
                    }
                )
            )
    runs = pd.concat(rows, ignore_index=True)
    return runs if per_run else regret_bands(runs)


def regret_bands(runs: pd.DataFrame, coverage: float = 0.9) -> pd.DataFrame:
    """Mean regret per policy and round, with the band holding the middle ``coverage`` of runs.

    ``runs`` has ``round, policy, run, regret`` (:func:`compare` with ``per_run=True``).
    The band runs from the :math:`(1 - c)/2` to the :math:`(1 + c)/2` quantile over runs:
    the spread one seeded run can show, not an interval of the mean.

    >>> runs = pd.DataFrame({"round": 1, "policy": "p", "run": range(5), "regret": range(5)})
    >>> regret_bands(runs).round(1).values.tolist()
    [[1, 'p', 2.0, 0.2, 3.8]]
    """
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be between 0 and 1, got {coverage}.")
    missing = {"round", "policy", "run", "regret"} - set(runs.columns)
    if missing:
        raise ValueError(f"runs lacks column(s) {sorted(missing)}; use compare(per_run=True).")
    tail = (1 - coverage) / 2
    grouped = runs.groupby(["policy", "round"], sort=False)["regret"]
    out = pd.DataFrame(
        {
            "regret": grouped.mean(),
            "low": grouped.quantile(tail),
            "high": grouped.quantile(1 - tail),
        }
    ).reset_index()
    return out[["round", "policy", "regret", "low", "high"]]
