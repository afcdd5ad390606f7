"""metrics.sampled.sampled_hit_probability: by hand, by enumeration, by simulation."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from recsys_lab.evaluation.metrics.sampled import sampled_hit_probability, sampled_ranking


def test_by_hand():
    # 10 items; rank 3 has 2 of the 9 others above it; one negative: a hit unless it is one of them
    assert float(sampled_hit_probability(3, 10, k=1, n_negatives=1)) == pytest.approx(7 / 9)
    # 5 items, rank 3, two negatives from 4 others (2 above): both below with prob 1/C(4, 2)
    assert float(sampled_hit_probability(3, 5, k=1, n_negatives=2)) == pytest.approx(1 / 6)
    assert sampled_hit_probability([1, 2], 100, k=2).tolist() == [1.0, 1.0]  # top k: always


@pytest.mark.parametrize(("n_items", "m", "k"), [(7, 3, 1), (8, 4, 2), (9, 2, 2)])
def test_equals_enumerating_every_sample(n_items, m, k):
    for rank in range(1, n_items + 1):
        above = set(range(rank - 1))  # the other items are 0 .. n_items - 2; these rank above
        samples = list(itertools.combinations(range(n_items - 1), m))
        hits = sum(len(above.intersection(s)) <= k - 1 for s in samples)
        expected = hits / math.comb(n_items - 1, m)
        got = float(sampled_hit_probability(rank, n_items, k=k, n_negatives=m))
        assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("n_items", "m", "k"), [(1682, 100, 10), (500, 49, 5), (50, 10, 1)])
def test_sums_to_the_width_of_the_cutoff(n_items, m, k):
    p = sampled_hit_probability(np.arange(1, n_items + 1), n_items, k=k, n_negatives=m)
    assert p.sum() == pytest.approx(k * n_items / (m + 1), rel=1e-9)
    assert (np.diff(p) <= 1e-12).all()  # a better rank is never less likely to hit


def test_every_negative_is_the_full_ranking():
    p = sampled_hit_probability(np.arange(1, 31), 30, k=10, n_negatives=1000)
    assert p.tolist() == [1.0] * 10 + [0.0] * 20


def test_agrees_with_sampled_ranking_in_simulation():
    # 2,000 users, each with one training item and 200 rankable items in a fixed order; the
    # held-out one sits at rank 40; every user gets their own 20 negatives
    items = [f"i{j}" for j in range(200)]
    score = {item: -j for j, item in enumerate(items)} | {"seen": 1.0}
    users = range(2000)
    train = pd.DataFrame({"user": users, "item": "seen"})
    test = pd.DataFrame({"user": users, "item": items[39]})
    table = sampled_ranking(
        lambda us, its: [score[i] for i in its],
        train,
        test,
        k=3,
        n_negatives=20,
        items=["seen", *items],
    )
    expected = float(sampled_hit_probability(40, 200, k=3, n_negatives=20))
    assert (table["negatives"] == 20).all()
    assert abs(table["hit_rate"].mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / 2000)


@pytest.mark.parametrize(
    ("rank", "kwargs", "error", "match"),
    [
        (0, {}, ValueError, "from 1 to n_items = 20"),
        (21, {}, ValueError, "from 1 to n_items = 20"),
        (2.5, {}, ValueError, "whole numbers"),
        ([1, np.nan], {}, ValueError, "whole numbers"),
        ("top", {}, TypeError, "rank must be an integer"),
        (1, {"k": 0}, ValueError, "k must be >= 1"),
        (1, {"n_negatives": 0}, ValueError, "n_negatives must be >= 1"),
    ],
)
def test_bad_input(rank, kwargs, error, match):
    with pytest.raises(error, match=match):
        sampled_hit_probability(rank, 20, **kwargs)
