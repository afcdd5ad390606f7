"""UCB1's index, regret bands over seeds, and user-level private counts (hand-computed)."""

import math

import numpy as np
import pandas as pd
import pytest

from recsys_lab.models import private_popularity as dp
from recsys_lab.simulation import bandits


def test_ucb1_index_by_hand_and_untried_arms_first():
    got = bandits.ucb1_index(np.array([0.5, 0.2, 0.0]), np.array([2, 8, 0]), t=10)
    assert got[0] == pytest.approx(0.5 + math.sqrt(2 * math.log(10) / 2))
    assert got[1] == pytest.approx(0.2 + math.sqrt(2 * math.log(10) / 8))
    assert got[2] == np.inf
    # at t = 1 the bonus is zero: the index is the mean
    assert bandits.ucb1_index(np.array([0.3]), np.array([1]), t=1).tolist() == [0.3]


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.array([0.1]), np.array([1, 2]), 3), "same shape"),
        ((np.array([0.1]), np.array([-1]), 3), "pulls must be >= 0"),
        ((np.array([0.1]), np.array([1]), 0), "t \\(rounds played\\)"),
    ],
)
def test_ucb1_index_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        bandits.ucb1_index(*args)


def test_ucb1_policy_picks_the_largest_index():
    policy = bandits.UCB1(2)
    for arm, reward in [(0, 1.0), (1, 0.0), (1, 0.0), (1, 0.0)]:
        policy.update(arm, reward)
    # arm 0: 1 + sqrt(2 ln 4 / 1) beats arm 1: 0 + sqrt(2 ln 4 / 3)
    arm, explored = policy.choose(4, np.array([True, True]), np.random.default_rng(0))
    assert (arm, explored) == (0, False)


def test_regret_bands_by_hand_and_compare_per_run():
    runs = pd.DataFrame(
        {
            "round": [1] * 5 + [2] * 5,
            "policy": "p",
            "run": list(range(5)) * 2,
            "regret": [0, 1, 2, 3, 4, 0, 2, 4, 6, 8.0],
        }
    )
    bands = bandits.regret_bands(runs, coverage=0.5)
    assert bands.values.tolist() == [[1, "p", 2.0, 1.0, 3.0], [2, "p", 4.0, 2.0, 6.0]]
    with pytest.raises(ValueError, match="coverage"):
        bandits.regret_bands(runs, coverage=1.0)
    with pytest.raises(ValueError, match="per_run=True"):
        bandits.regret_bands(runs.drop(columns="run"))
    per_run = bandits.compare(
        {"r": lambda: bandits.RandomPolicy(2)}, [0.1, 0.5], n_rounds=200, n_runs=3, per_run=True
    )
    assert sorted(per_run["run"].unique()) == [0, 1, 2] and len(per_run) == 300
    one = bandits.simulate(bandits.RandomPolicy(2), [0.1, 0.5], 200, random_state=1)
    assert per_run.query("run == 1 and round == 200")["regret"].item() == one["regret"].iloc[-1]
    summary = bandits.regret_bands(per_run)
    last = summary[summary["round"] == 200].iloc[0]
    assert last["low"] <= last["regret"] <= last["high"]


RATINGS = pd.DataFrame(
    {
        "user": [1, 1, 1, 2, 2, 3],
        "item": ["c", "a", "b", "a", "a", "b"],
        "timestamp": pd.to_datetime(
            ["2025-01-03", "2025-01-01", "2025-01-02", "2025-01-05", "2025-01-06", "2025-01-01"]
        ),
    }
)


def test_clipped_counts_keep_each_users_first_items():
    # user 1's first two by time are a and b (c came last); user 2's repeat of a counts once
    got = dp.clipped_counts(RATINGS, max_items=2, items=["a", "b", "c", "z"])
    assert got.tolist() == [2, 2, 0, 0]
    assert dp.clipped_counts(RATINGS, max_items=10).to_dict() == {"c": 1, "a": 2, "b": 2}
    with pytest.raises(ValueError, match="max_items"):
        dp.clipped_counts(RATINGS, max_items=0)


def test_private_popularity_noise_scale_is_the_bound_over_epsilon():
    big = pd.DataFrame(
        {"user": np.repeat(np.arange(2000), 5), "item": np.tile(list("abcde"), 2000)}
    )
    noisy = [
        dp.private_popularity(big, epsilon=0.5, max_items=5, random_state=s) - 2000
        for s in range(400)
    ]
    spread = np.concatenate([n.to_numpy() for n in noisy])
    # Laplace(0, b = 5 / 0.5 = 10): mean absolute deviation b, standard deviation sqrt(2) b
    assert np.abs(spread).mean() == pytest.approx(10, rel=0.05)
    assert spread.std() == pytest.approx(math.sqrt(2) * 10, rel=0.07)
    # the whole catalogue is released, including items nobody kept
    assert dp.private_popularity(RATINGS, 1.0, 1, items=["a", "z"]).index.tolist() == [
        "a",
        "z",
    ]


def test_private_top_n_overlap_loses_to_clipping_and_to_noise():
    r = pd.DataFrame({"user": [1, 1, 2, 3], "item": ["x", "y", "y", "y"]})
    # with a bound of 1, user 1 keeps only x; y is still the top item
    assert dp.private_top_n_overlap(r, epsilon=1e6, max_items=1, n=1) == 1.0
    many = pd.DataFrame({"user": np.repeat([1, 2], 3), "item": ["p", "q", "r", "s", "t", "r"]})
    # r is the true top (2 users); a bound of 1 keeps only p and s
    assert dp.private_top_n_overlap(many, epsilon=1e6, max_items=1, n=1) == 0.0
