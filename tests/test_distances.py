import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recsys_lab.teaching.distances import (
    _pairwise_blocked,
    _pairwise_by_levels,
    check_metric,
    corated_distance,
    distances_to,
    pairwise_distances,
)

NAN = float("nan")
# Alyssa and Chloe share three clients; differences 150k, 150k, 100k (in $1000s).
ALYSSA = [500, 400, 400, NAN]
CHLOE = [350, 250, 300, 200]


@pytest.mark.parametrize(
    ("metric", "p", "expected"),
    [
        ("sum_abs", None, 400.0),
        ("mean_abs", None, 400 / 3),
        ("euclidean", None, math.sqrt(150**2 + 150**2 + 100**2)),
        ("chebyshev", None, 150.0),
        ("supremum", None, 150.0),
        ("minkowski", 3, (150**3 + 150**3 + 100**3) ** (1 / 3)),
        ("minkowski", 1, 400.0),
    ],
)
def test_each_norm_by_hand(metric, p, expected):
    assert corated_distance(ALYSSA, CHLOE, metric=metric, p=p) == pytest.approx(expected)


NORMALISED = [  # (metric, p, expected): the power mean of the gaps 150, 150, 100
    ("sum_abs", None, 400 / 3),
    ("mean_abs", None, 400 / 3),  # already per overlap: normalising again changes nothing
    ("euclidean", None, math.sqrt((150**2 + 150**2 + 100**2) / 3)),
    ("chebyshev", None, 150.0),  # the largest gap does not grow with the overlap
    ("minkowski", 3, ((150**3 + 150**3 + 100**3) / 3) ** (1 / 3)),
]


@pytest.mark.parametrize(("metric", "p", "expected"), NORMALISED)
def test_each_norm_normalised_by_overlap_by_hand(metric, p, expected):
    got = corated_distance(ALYSSA, CHLOE, metric=metric, p=p, normalize=True)
    assert got == pytest.approx(expected)


def test_manhattan_is_the_sum_and_warns_that_it_changed():
    with pytest.warns(DeprecationWarning, match="now the Manhattan \\(L1\\) distance") as seen:
        assert corated_distance(ALYSSA, CHLOE, metric="manhattan") == 400.0
    assert seen[0].filename == __file__  # the warning points at the caller's line
    with pytest.warns(DeprecationWarning, match="now metric='mean_abs'"):
        assert check_metric("manhattan", None) == ("sum_abs", None)


def test_against_scipy_on_the_shared_values():
    from scipy.spatial import distance as ssd

    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.normal(size=(2, 9))
        a[rng.random(9) < 0.3] = np.nan
        b[rng.random(9) < 0.3] = np.nan
        s = ~np.isnan(a) & ~np.isnan(b)
        if not s.any():
            continue
        x, y, n = a[s], b[s], s.sum()
        assert corated_distance(a, b) == pytest.approx(ssd.cityblock(x, y))
        assert corated_distance(a, b, "euclidean") == pytest.approx(ssd.euclidean(x, y))
        assert corated_distance(a, b, "chebyshev") == pytest.approx(ssd.chebyshev(x, y))
        assert corated_distance(a, b, "minkowski", p=3) == pytest.approx(ssd.minkowski(x, y, 3))
        root_msd = corated_distance(a, b, "euclidean", normalize=True)
        assert root_msd**2 == pytest.approx(ssd.sqeuclidean(x, y) / n)


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
    assert math.isnan(corated_distance(a, b, metric="mean_abs", min_overlap=0))
    for metric in ("sum_abs", "euclidean", "chebyshev"):  # normalised, nothing shared = unknown
        assert math.isnan(corated_distance(a, b, metric, min_overlap=0, normalize=True))
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
    m = corated_distance(a, b, metric="mean_abs")
    n = shared.sum()
    assert s == pytest.approx(corated_distance(b, a))  # symmetric
    assert 0 <= c <= e * (1 + 1e-12) + 1e-9 and e <= s * (1 + 1e-12) + 1e-9
    assert m == pytest.approx(s / n) == pytest.approx(corated_distance(a, b, normalize=True))
    e_norm = corated_distance(a, b, metric="euclidean", normalize=True)
    assert e_norm == pytest.approx(e / math.sqrt(n))
    assert m <= e_norm * (1 + 1e-12) + 1e-9 and e_norm <= c * (1 + 1e-12) + 1e-9  # power means
    assert corated_distance(a, b, metric="minkowski", p=1) == pytest.approx(s)
    assert corated_distance(a, b, metric="minkowski", p=2) == pytest.approx(e)
    assert corated_distance(a, a) == 0.0


integer_matrices = st.integers(1, 7).flatmap(
    lambda n: st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=5, max_size=5),
        min_size=n,
        max_size=n,
    )
)
SPECS = [
    ("sum_abs", None),
    ("mean_abs", None),
    ("euclidean", None),
    ("chebyshev", None),
    ("minkowski", 3.0),
    ("minkowski", 0.5),
]


@given(integer_matrices, st.sampled_from(SPECS), st.booleans(), st.integers(0, 3))
def test_counting_by_levels_equals_the_differences(rows, spec, normalize, min_overlap):
    X = np.array([[NAN if v is None else float(v) for v in row] for row in rows])
    metric, p = spec
    levels = np.unique(X[~np.isnan(X)])
    fast = _pairwise_by_levels(X, levels, metric, p, min_overlap, normalize)
    slow = _pairwise_blocked(X, metric, p, min_overlap, normalize, block=2)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


def test_pairwise_distances_both_paths_match_corated(sales):
    many_levels = sales + np.arange(24, dtype=float).reshape(6, 4)  # 18 distinct values
    for R in (sales, many_levels):
        for metric, normalize in (("sum_abs", False), ("euclidean", True), ("chebyshev", False)):
            D = pairwise_distances(R, metric, normalize=normalize, block=4)
            for u in R.index:
                for v in R.index:
                    expected = (
                        0.0
                        if u == v
                        else corated_distance(R.loc[u], R.loc[v], metric, normalize=normalize)
                    )
                    assert D.loc[u, v] == pytest.approx(expected, nan_ok=True)
    items = pairwise_distances(sales, "mean_abs", user_based=False)
    assert items.loc["Google", "Staples"] == pytest.approx(
        corated_distance(sales["Google"], sales["Staples"], "mean_abs")
    )
