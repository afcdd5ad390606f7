import numpy as np
import pandas as pd
import pytest

from recsys_lab import model_selection as ms
from recsys_lab import neighbors
from recsys_lab.datasets import make_marketing


def test_leave_one_out_by_hand(sales):
    table = ms.leave_one_out(sales, ks=[1, 2], metrics=["sum_abs"], weightings=["equal"])
    assert set(table["k"]) == {1, 2} and (table["predicted"] == 18).all()
    # recompute k=2 by hand for every known cell
    errors = []
    for u in sales.index:
        for c in sales.columns:
            if pd.notna(sales.loc[u, c]):
                hidden = sales.copy()
                hidden.loc[u, c] = np.nan
                errors.append(sales.loc[u, c] - neighbors.predict(hidden, u, c, k=2))
    row = table[table["k"] == 2].iloc[0]
    assert row["mae"] == pytest.approx(np.mean(np.abs(errors)))
    assert row["rmse"] == pytest.approx(np.sqrt(np.mean(np.square(errors))))


def test_leave_one_out_grid_sampling_and_errors(sales):
    table = ms.leave_one_out(
        sales,
        ks=[1, 3],
        metrics=["sum_abs", "minkowski:3"],
        weightings=["rank", "gaussian"],
        weighting_params={"gaussian": {"bandwidth": 1e5}},
        n_cells=6,
        random_state=1,
    )
    assert len(table) == 8 and set(table["metric"]) == {"sum_abs", "minkowski:3"}
    assert (table["predicted"] + table["impossible"] == 6).all()
    assert table["rmse"].is_monotonic_increasing
    with pytest.raises(ValueError, match="Minkowski exponent"):
        ms.leave_one_out(sales, metrics=["minkowski:x"])
    with pytest.raises(ValueError, match="Unknown weighting"):
        ms.leave_one_out(sales, weightings=["loud"])
    with pytest.raises(ValueError, match="k must be >= 1"):
        ms.leave_one_out(sales, ks=[0])


def test_kfold_indices_partition_the_rows():
    folds = ms.kfold_indices(103, 5, random_state=3)
    joined = np.sort(np.concatenate(folds))
    assert (joined == np.arange(103)).all() and max(map(len, folds)) - min(map(len, folds)) <= 1
    assert all((a == b).all() for a, b in zip(folds, ms.kfold_indices(103, 5, 3), strict=True))
    with pytest.raises(ValueError, match="cannot be split"):
        ms.kfold_indices(3, 5)


def test_cross_validate_and_summarize():
    ratings = make_marketing(n_users=80, n_items=50, mean_ratings=12, seed=2).ratings
    cv = ms.cross_validate(ratings, {"k": [2, 30], "weighting": ["similarity", "equal"]}, 3)
    assert len(cv) == 12 and set(cv["fold"]) == {0, 1, 2}
    again = ms.cross_validate(ratings, {"k": [2, 30], "weighting": ["similarity", "equal"]}, 3)
    pd.testing.assert_frame_equal(cv.drop(columns="fit_time"), again.drop(columns="fit_time"))
    table = ms.summarize(cv)
    assert list(table.columns[:2]) == ["k", "weighting"] and len(table) == 4
    assert table["rmse"].is_monotonic_increasing and "rmse_std" in table
    with pytest.raises(ValueError, match="Unknown parameter\\(s\\) \\['n_neighbours'\\]"):
        ms.cross_validate(ratings, {"n_neighbours": [5]})
