import math

import numpy as np
import pandas as pd
import pytest

from recsys_lab import neighbors


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
