import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from recsys_lab.data import load_sales, make_marketing
from recsys_lab.evaluation import model_selection, rating_errors
from recsys_lab.evaluation.metrics import rmse
from recsys_lab.evaluation.rating_errors import UserErrors
from recsys_lab.models import KNNRecommender, PopularityRecommender
from recsys_lab.teaching import neighbors, vote_errors


@pytest.fixture(scope="module")
def split():
    ratings = make_marketing(n_users=80, n_items=50, mean_ratings=12, seed=2).ratings
    return model_selection.per_user_split(ratings, 0.25, random_state=1)


def test_user_errors_by_hand():
    e = UserErrors.from_predictions(["b", "a", "b"], [4.0, 2.0, 5.0], [3.0, 2.0, 3.0])
    assert e.n.to_dict() == {"b": 2, "a": 1}
    assert e.sse.to_dict() == {"b": 5.0, "a": 0.0}
    assert e.rmse == pytest.approx(np.sqrt(5 / 3))
    assert e.rmse == pytest.approx(rmse([4.0, 2.0, 5.0], [3.0, 2.0, 3.0]))


@pytest.mark.parametrize(
    ("users", "truth", "pred", "match"),
    [
        ([1, 2], [4.0], [4.0, 3.0], "equal length"),
        ([], [], [], "no predictions"),
        ([1], [np.nan], [3.0], "no NaN"),
    ],
)
def test_user_errors_bad_input(users, truth, pred, match):
    with pytest.raises(ValueError, match=match):
        UserErrors.from_predictions(users, truth, pred)


def test_interval_is_seeded_and_covers_the_true_rmse():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(200):  # 200 samples of 60 people with 1-9 ratings, errors N(0, 1)
        counts = rng.integers(1, 10, size=60)
        users = np.repeat(np.arange(60), counts)
        e = UserErrors.from_predictions(
            users, rng.standard_normal(users.size), np.zeros(users.size)
        )
        low, high = e.ci(n_resamples=400, random_state=1)
        hits += low < 1.0 < high
    assert 0.88 <= hits / 200 <= 0.99
    assert e.ci(n_resamples=400, random_state=1) == e.ci(n_resamples=400, random_state=1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        e.ci(confidence=95)


def test_paired_test_is_the_mse_difference_user_by_user():
    users = [1, 1, 2, 3, 3, 3]
    truth = np.array([4.0, 3.0, 5.0, 2.0, 1.0, 4.0])
    a = UserErrors.from_predictions(users, truth, truth + np.array([0.5, 0, 1, 0, 0.5, 0]))
    b = UserErrors.from_predictions(users, truth, truth + np.array([1, 1, 0, 1, 0, 1]))
    result = a.paired_test(b)
    mse_a, mse_b = a.sse.sum() / 6, b.sse.sum() / 6
    assert result.mean_difference == pytest.approx(mse_a - mse_b)
    scale = 3 / 6
    expected = st.ttest_rel(a.sse * scale, b.sse * scale)
    assert result.pvalue == pytest.approx(expected.pvalue)
    other = UserErrors.from_predictions([1, 2], [4.0, 5.0], [4.0, 5.0])
    with pytest.raises(ValueError, match="same users and ratings"):
        a.paired_test(other)
    with pytest.raises(TypeError, match="must be UserErrors"):
        a.paired_test([1.0, 2.0])


def test_compare_fits_copies_and_scores_the_same_ratings(split):
    train, test = split
    k5 = KNNRecommender(k=5)
    result = rating_errors.compare(
        {"k=5": k5, "k=30 equal": KNNRecommender(k=30, weighting="equal")}, train, test
    )
    assert not hasattr(k5, "sim_")  # cloned, never fitted in place
    assert result.table.columns.tolist() == [
        "model",
        "estimator",
        "k",
        "weighting",
        "rmse",
        "low",
        "high",
        "fallback",
        "rank",
    ]
    for name, model in result.models.items():
        assert result.errors[name].rmse == pytest.approx(
            model_selection.score(model, train, test)["rmse"]
        )
    row = result.table.set_index("model").loc[result.best]
    assert row["rank"] == 1 and row["low"] < row["rmse"] < row["high"]
    test_ab = result.paired_test("k=5", "k=30 equal")
    assert test_ab.mean_difference == pytest.approx(
        result.errors["k=5"].rmse ** 2 - result.errors["k=30 equal"].rmse ** 2
    )
    with pytest.raises(ValueError, match="Unknown model 'k=9'"):
        result.paired_test("k=9", "k=5")


def test_compare_rejects_bad_models(split):
    train, test = split
    with pytest.raises(TypeError, match="non-empty mapping"):
        rating_errors.compare({}, train, test)
    with pytest.raises(TypeError, match="recsys_lab recommender"):
        rating_errors.compare({"x": object()}, train, test)
    with pytest.raises(ValueError, match="missing column"):
        rating_errors.compare({"p": PopularityRecommender()}, train, test.drop(columns="rating"))


@pytest.mark.parametrize(
    ("k", "metric", "weighting", "params", "min_overlap"),
    [
        (2, "sum_abs", "equal", {}, 1),
        (3, "euclidean", "rank", {}, 1),
        (4, "sum_abs", "gaussian", {"bandwidth": 2e5}, 1),
        (2, "sum_abs", "equal", {}, 2),  # some cells cannot be predicted
    ],
)
def test_leave_one_out_errors_match_leave_one_out(k, metric, weighting, params, min_overlap):
    sales = load_sales()
    cells = vote_errors.leave_one_out_errors(
        sales, k=k, metric=metric, weighting=weighting, min_overlap=min_overlap, **params
    )
    table = vote_errors.leave_one_out(
        sales,
        ks=[k],
        metrics=[metric],
        weightings=[weighting],
        weighting_params={weighting: params},
        min_overlap=min_overlap,
    )
    errors = cells["error"].dropna()
    assert 0 < len(errors) <= 18
    assert int(cells["error"].isna().sum()) == table.loc[0, "impossible"]
    assert np.sqrt((errors**2).mean()) == pytest.approx(table.loc[0, "rmse"])
    assert (
        cells["actual"]
        == [sales.loc[u, i] for u, i in zip(cells["user"], cells["item"], strict=True)]
    ).all()
    # the independent reference: neighbors.predict (nearest + weights + vote, its own code),
    # which gives a known cell its leave-one-out prediction and refuses a cell nobody votes on
    for user, item, predicted in cells[["user", "item", "predicted"]].itertuples(index=False):
        call = lambda u=user, i=item: neighbors.predict(  # noqa: E731
            sales, u, i, k, metric, weighting, min_overlap=min_overlap, **params
        )
        if np.isnan(predicted):
            with pytest.raises(ValueError):
                call()
        else:
            assert call() == pytest.approx(predicted, rel=1e-12)
    pd.testing.assert_frame_equal(sales, load_sales())  # input untouched
