import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recsys_lab.distances import corated_distance, distances_to

NAN = float("nan")
# Alyssa and Chloe share three clients; differences 150k, 150k, 100k (in $1000s).
ALYSSA = [500, 400, 400, NAN]
CHLOE = [350, 250, 300, 200]


@pytest.mark.parametrize(
    ("metric", "p", "expected"),
    [
        ("sum_abs", None, 400.0),
        ("manhattan", None, 400 / 3),
        ("euclidean", None, math.sqrt(150**2 + 150**2 + 100**2)),
        ("chebyshev", None, 150.0),
        ("supremum", None, 150.0),
        ("minkowski", 3, (150**3 + 150**3 + 100**3) ** (1 / 3)),
        ("minkowski", 1, 400.0),
    ],
)
def test_each_norm_by_hand(metric, p, expected):
    assert corated_distance(ALYSSA, CHLOE, metric=metric, p=p) == pytest.approx(expected)


def test_article_distances(sales):
    a = sales.loc["Alyssa"]
    assert corated_distance(a, sales.loc["Brandon"]) == 200_000
    assert corated_distance(a, sales.loc["Mike"]) == 0


def test_series_are_aligned_on_labels():
    a = pd.Series({"x": 1.0, "y": 2.0})
    b = pd.Series({"y": 5.0, "z": 9.0})
    assert corated_distance(a, b) == 3.0


def test_min_overlap_gives_nan_and_the_overlap_pitfall():
    a, b = [1.0, NAN], [NAN, 5.0]  # nothing in common
    assert math.isnan(corated_distance(a, b))
    assert corated_distance(a, b, min_overlap=0) == 0.0  # the pitfall: looks identical
    assert math.isnan(corated_distance(a, b, metric="manhattan", min_overlap=0))
    assert math.isnan(corated_distance([1, 2, 3], [1, 2, NAN], min_overlap=3))
    assert corated_distance([1, 2, 3], [1, 2, NAN], min_overlap=2) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metric": "cosine-ish"}, ValueError, "Unknown metric 'cosine-ish'. Choose one of"),
        ({"metric": "minkowski"}, ValueError, "needs an exponent p"),
        ({"metric": "minkowski", "p": 0}, ValueError, "p must be a finite number > 0"),
        ({"metric": "minkowski", "p": -1}, ValueError, "p must be"),
        ({"metric": "euclidean", "p": 2}, ValueError, "only used by metric='minkowski'"),
        ({"min_overlap": -1}, ValueError, "min_overlap must be >= 0"),
        ({"min_overlap": 1.5}, TypeError, "min_overlap must be an integer"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        corated_distance([1.0, 2.0], [1.0, 3.0], **kwargs)


def test_bad_vectors():
    with pytest.raises(ValueError, match="equal length"):
        corated_distance([1, 2], [1, 2, 3])
    with pytest.raises(TypeError, match="must hold numbers"):
        corated_distance(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match="infinite"):
        corated_distance([np.inf, 1], [1, 2])


def test_distances_to_matches_pairwise_and_leaves_input_alone(sales):
    before = sales.copy()
    d = distances_to(sales, "Alyssa", metric="euclidean")
    assert "Alyssa" not in d.index
    for name in d.index:
        expected = corated_distance(sales.loc["Alyssa"], sales.loc[name], metric="euclidean")
        assert d.loc[name, "distance"] == pytest.approx(expected)
    assert d.loc["Chloe", "overlap"] == 3
    pd.testing.assert_frame_equal(sales, before)


def test_distances_to_unknown_user_lists_known(sales):
    with pytest.raises(ValueError, match="Unknown user 'Zoe'. Known users: Alyssa, Brandon"):
        distances_to(sales, "Zoe")


values = st.lists(
    st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=8
)


@given(values, values)
def test_properties(xs, ys):
    n = min(len(xs), len(ys))
    a = np.array([NAN if v is None else v for v in xs[:n]])
    b = np.array([NAN if v is None else v for v in ys[:n]])
    shared = ~np.isnan(a) & ~np.isnan(b)
    s = corated_distance(a, b)
    if not shared.any():
        assert math.isnan(s)
        return
    e = corated_distance(a, b, metric="euclidean")
    c = corated_distance(a, b, metric="chebyshev")
    m = corated_distance(a, b, metric="manhattan")
    assert s == pytest.approx(corated_distance(b, a))  # symmetric
    assert 0 <= c <= e * (1 + 1e-12) + 1e-9 and e <= s * (1 + 1e-12) + 1e-9
    assert m == pytest.approx(s / shared.sum())
    assert corated_distance(a, b, metric="minkowski", p=1) == pytest.approx(s)
    assert corated_distance(a, b, metric="minkowski", p=2) == pytest.approx(e)
    assert corated_distance(a, a) == 0.0
