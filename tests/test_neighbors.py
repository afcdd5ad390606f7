import math

import numpy as np
import pandas as pd
import pytest

from recsys_lab.teaching import neighbors


def test_article_neighbours_and_votes(sales):
    nb = neighbors.nearest(sales, "Alyssa", k=2, item="Staples")
    assert nb["neighbour"].tolist() == ["Mike", "Brandon"]
    assert nb["distance"].tolist() == [0, 200_000]
    assert nb["value"].tolist() == [500_000, 300_000]
    assert neighbors.predict(sales, "Alyssa", "Staples", k=2) == 400_000
    rank = neighbors.predict(sales, "Alyssa", "Staples", k=2, weighting="rank")
    assert rank == pytest.approx(433_333.333, abs=0.01)


def test_other_three_share_a_client_and_are_farther(sales):
    d = neighbors.nearest(sales, "Alyssa", k=5)
    assert d["neighbour"].tolist()[:2] == ["Mike", "Brandon"]
    assert (d["overlap"] >= 1).all() and (d["distance"].iloc[2:] > 200_000).all()


def test_norm_changes_the_neighbours(sales):
    cheb = neighbors.nearest(sales, "Alyssa", k=2, metric="chebyshev", item="Staples")
    assert cheb["neighbour"].tolist() == ["Mike", "Chloe"]
    assert neighbors.predict(sales, "Alyssa", "Staples", metric="chebyshev") == 350_000


def test_ties_are_broken_by_row_order():
    R = pd.DataFrame(
        {"a": [1.0, 2.0, 0.0, 1.0], "b": [5.0, 1.0, 2.0, 3.0]}, index=["u", "v", "w", "x"]
    )
    R.loc["u", "b"] = np.nan
    # v and w are both at distance 1 from u; x is at 0
    nb = neighbors.nearest(R, "u", k=3, item="b")
    assert nb["neighbour"].tolist() == ["x", "v", "w"]
    assert nb["rank"].tolist() == [1, 2, 3]


def test_explain_shares_add_up(sales):
    ex = neighbors.explain(sales, "Alyssa", "Staples", k=3, weighting="rank")
    assert ex["share"].sum() == pytest.approx(1)
    assert (ex["share"] * ex["value"]).sum() == pytest.approx(
        neighbors.predict(sales, "Alyssa", "Staples", k=3, weighting="rank")
    )


def test_own_value_is_not_used(sales):
    # Mike's own Staples booking (500k) must not vote for Mike
    nb = neighbors.nearest(sales, "Mike", k=5, item="Staples")
    assert "Mike" not in nb["neighbour"].tolist()


def test_complete_fills_only_unknown_cells(sales):
    before = sales.copy()
    done = neighbors.complete(sales, k=2)
    pd.testing.assert_frame_equal(sales, before)  # input untouched
    known = sales.notna()
    pd.testing.assert_frame_equal(done[known], sales[known])
    assert done.notna().all().all()
    assert done.loc["Alyssa", "Staples"] == 400_000


def test_complete_leaves_nan_when_nobody_can_vote():
    R = pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, 2.0]}, index=["u", "v"])
    done = neighbors.complete(R)
    assert math.isnan(done.loc["u", "b"])
    with pytest.raises(ValueError, match="nobody to vote"):
        neighbors.predict(R, "u", "b")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"user": "Zoe"}, ValueError, "Unknown user 'Zoe'. Known users: Alyssa, Brandon, Chloe"),
        ({"item": "IBM"}, ValueError, "Unknown item 'IBM'. Known items: Google"),
        ({"k": 0}, ValueError, "k must be >= 1"),
        ({"k": 2.5}, TypeError, "k must be an integer"),
        ({"weighting": "loud"}, ValueError, "Unknown weighting 'loud'"),
        ({"metric": "hamming"}, ValueError, "Unknown metric 'hamming'"),
    ],
)
def test_bad_arguments(sales, kwargs, error, match):
    args = {"user": "Alyssa", "item": "Staples", "k": 2} | kwargs
    with pytest.raises(error, match=match):
        neighbors.predict(sales, **args)


def test_bad_matrices(sales):
    text = sales.astype(object)
    text.loc["Alyssa", "Google"] = "500k"
    with pytest.raises(TypeError, match="not numeric.*pd.to_numeric"):
        neighbors.predict(text, "Alyssa", "Staples")
    dup = pd.concat([sales, sales.loc[["Mike"]]])
    with pytest.raises(ValueError, match="duplicate row labels: Mike"):
        neighbors.predict(dup, "Alyssa", "Staples")
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        neighbors.predict(sales.to_numpy(), "Alyssa", "Staples")
    with pytest.raises(ValueError, match="is empty"):
        neighbors.predict(sales.iloc[:0], "Alyssa", "Staples")


def test_own_value_is_hidden_from_the_distances_too(sales):
    # Predicting a known cell is its leave-one-out prediction: Brandon's Staples (300k)
    # must not pull the salespeople with similar Staples bookings closer to him.
    hidden = sales.copy()
    hidden.loc["Brandon", "Staples"] = np.nan
    for metric in ("sum_abs", "chebyshev"):
        pd.testing.assert_frame_equal(
            neighbors.nearest(sales, "Brandon", k=5, metric=metric, item="Staples"),
            neighbors.nearest(hidden, "Brandon", k=5, metric=metric, item="Staples"),
        )
    d = neighbors.nearest(sales, "Brandon", k=5, item="Staples").set_index("neighbour")
    assert "Diego" not in d.index  # he shares only Staples with Brandon: nothing is left
    assert d.loc["Mike", ["distance", "overlap"]].tolist() == [0, 1]  # Google only


def test_predict_matches_the_leave_one_out_grid(sales):
    from recsys_lab.evaluation.metrics import mae
    from recsys_lab.teaching.vote_errors import leave_one_out

    known = sales.stack().dropna()
    for metric in ("sum_abs", "euclidean"):
        preds = [neighbors.predict(sales, u, i, k=2, metric=metric) for u, i in known.index]
        table = leave_one_out(sales, ks=[2], metrics=[metric], weightings=["equal"])
        assert table.loc[0, "mae"] == pytest.approx(mae(known.to_numpy(), preds))


def _hold_out(R, share, seed):
    rng = np.random.default_rng(seed)
    known = np.argwhere(R.notna().to_numpy())
    cells = known[rng.random(len(known)) < share]
    train = R.copy()
    for r, c in cells:
        train.iat[r, c] = np.nan
    return train, R.index[cells[:, 0]], R.columns[cells[:, 1]]


@pytest.mark.parametrize(
    ("metric", "normalize", "weighting", "params"),
    [
        ("sum_abs", False, "equal", {}),
        ("sum_abs", True, "rank", {}),
        ("chebyshev", False, "inverse_distance", {"eps": 0.5}),
        ("euclidean", True, "softmax", {"temperature": 0.7}),
    ],
)
def test_predict_from_distances_equals_predict_cell_by_cell(metric, normalize, weighting, params):
    from recsys_lab.teaching.distances import pairwise_distances

    rng = np.random.default_rng(1)
    values = rng.integers(1, 6, size=(30, 12)).astype(float)
    values[rng.random(values.shape) < 0.5] = np.nan
    R = pd.DataFrame(values, index=[f"u{i}" for i in range(30)])
    train, users, items = _hold_out(R, 0.2, seed=2)
    D = pairwise_distances(train, metric, normalize=normalize)
    together = neighbors.predict_from_distances(
        train, D, users, items, [1, 3, 7], weighting, **params
    )
    for column, k in enumerate((1, 3, 7)):
        got = neighbors.predict_from_distances(train, D, users, items, k, weighting, **params)
        np.testing.assert_array_equal(got, together[:, column])
        for g, u, i in zip(got, users, items, strict=True):
            try:
                want = neighbors.predict(
                    train, u, i, k, metric, weighting, normalize=normalize, **params
                )
            except ValueError:  # nobody to vote
                want = np.nan
            assert g == pytest.approx(want, nan_ok=True), (u, i, k)
    assert len(users) > 30  # the comparison covered enough cells


def test_predict_from_distances_breaks_ties_by_row_order_and_leaves_input_alone(sales):
    from recsys_lab.teaching.distances import pairwise_distances

    before = sales.copy()
    D = pairwise_distances(sales)
    # Brandon × Capgemini: Alyssa and Mike tie at 200k behind Diego; Alyssa's row comes first
    got = neighbors.predict_from_distances(sales, D, ["Brandon"], ["Capgemini"], k=2)
    assert got.tolist() == [(100_000 + 400_000) / 2]
    assert neighbors.predict_from_distances(sales, D, [], [], k=2).size == 0
    pd.testing.assert_frame_equal(sales, before)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"users": ["Alyssa"], "items": ["Google"]}, "known in R, e.g. \\('Alyssa', 'Google'\\)"),
        ({"users": ["Zoe"]}, "Unknown user\\(s\\) \\['Zoe'\\]"),
        ({"items": ["Staples", "Google"]}, "must pair up: 1 users, 2 items"),
        ({"D": "transposed"}, "R's row labels in the same order"),
        ({"weighting": "loud"}, "Unknown weighting 'loud'"),
        ({"k": []}, "k is empty"),
    ],
)
def test_predict_from_distances_bad_input(sales, change, match):
    from recsys_lab.teaching.distances import pairwise_distances

    D = pairwise_distances(sales)
    args = {"users": ["Alyssa"], "items": ["Staples"], "D": D, "weighting": "equal", "k": 2}
    args |= change
    if isinstance(args["D"], str):
        args["D"] = D.iloc[::-1]
    with pytest.raises(ValueError, match=match):
        neighbors.predict_from_distances(
            sales, args["D"], args["users"], args["items"], args["k"], args["weighting"]
        )


def test_normalised_neighbours(sales):
    nb = neighbors.nearest(sales, "Alyssa", k=5, metric="sum_abs", normalize=True)
    assert nb["neighbour"].tolist() == ["Mike", "Brandon", "Chloe", "Erin", "Diego"]
    assert nb["distance"].tolist() == pytest.approx([0, 100_000, 400_000 / 3, 225_000, 300_000])
