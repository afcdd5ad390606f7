import numpy as np
import pandas as pd
import pytest
import scipy.stats
from sklearn.base import BaseEstimator

from recsys_lab.data import make_marketing
from recsys_lab.evaluation import model_selection as ms
from recsys_lab.mf import SGDMatrixFactorization
from recsys_lab.models.baselines import PopularityRecommender
from recsys_lab.teaching import neighbors, vote_errors


def test_leave_one_out_by_hand(sales):
    table = vote_errors.leave_one_out(sales, ks=[1, 2], metrics=["sum_abs"], weightings=["equal"])
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
    table = vote_errors.leave_one_out(
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
        vote_errors.leave_one_out(sales, metrics=["minkowski:x"])
    with pytest.raises(ValueError, match="Unknown weighting"):
        vote_errors.leave_one_out(sales, weightings=["loud"])
    with pytest.raises(ValueError, match="k must be >= 1"):
        vote_errors.leave_one_out(sales, ks=[0])


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


# ------------------------------------------------- any recommender: search and cross-validation
class ShrunkItemMean(BaseEstimator):
    """r̂_ui = μ + Σ_u (r_ui − μ) / (n_i + shrinkage): a tiny recommender for the tests."""

    def __init__(self, shrinkage=0.0):
        self.shrinkage = shrinkage

    def fit(self, ratings):
        self.mean_ = ratings["rating"].mean()
        residual = (ratings["rating"] - self.mean_).groupby(ratings["item"])
        self.offset_ = residual.sum() / (residual.size() + self.shrinkage)
        self.seen_ = ratings.groupby("user")["item"].agg(set).to_dict()
        return self

    def predict(self, users, items):
        return self.mean_ + self.offset_.reindex(list(items)).fillna(0.0).to_numpy()

    def recommend(self, users=None, n=10):
        rows = []
        for user in users:
            ranked = self.offset_.drop(list(self.seen_.get(user, ())), errors="ignore")
            top = ranked.sort_values(ascending=False, kind="stable").iloc[:n]
            rows += [(user, i, s, r) for r, (i, s) in enumerate(top.items(), 1)]
        return pd.DataFrame(rows, columns=["user", "item", "score", "rank"])


# μ = 3; item a: residuals +2, +2 (n = 2); item b: −2, −2
TRAIN = pd.DataFrame({"user": [1, 2, 1, 3], "item": ["a", "a", "b", "b"], "rating": [5.0, 5, 1, 1]})
VALID = pd.DataFrame({"user": [3], "item": ["a"], "rating": [4.0]})


def test_search_by_hand():
    # prediction for (3, a) = 3 + 4 / (2 + s): s = 0 → 5, s = 2 → 4, s = 6 → 3.5
    model = ShrunkItemMean()
    found = ms.search(model, {"shrinkage": [0.0, 2.0, 6.0]}, TRAIN, VALID, scoring=["rmse", "mae"])
    assert found.results["shrinkage"].tolist() == [2.0, 6.0, 0.0]
    assert found.results["rmse"].tolist() == [0.0, 0.5, 1.0]
    assert found.results["rank"].tolist() == [1, 2, 3] and found.best_params == {"shrinkage": 2.0}
    assert not hasattr(model, "mean_")  # the given estimator is cloned, never fitted
    # refitted on train + validation: μ = (5 + 5 + 1 + 1 + 4) / 5
    assert found.best_estimator.mean_ == pytest.approx(3.2) and len(found.training) == 5
    test = pd.DataFrame({"user": [2, 9], "item": ["b", "b"], "rating": [2.0, 3.0]})
    once = found.score(test)
    assert once == ms.score(found.best_estimator, found.training, test, ["rmse", "mae"])
    assert once["unknown"] == 0.5  # user 9 was never seen
    only_train = ms.search(model, {"shrinkage": [0.0, 2.0]}, TRAIN, VALID, refit=False)
    assert only_train.best_estimator.mean_ == 3.0


def test_score_falls_back_to_the_training_mean_for_unknown_pairs():
    model = ShrunkItemMean().fit(TRAIN)
    test = pd.DataFrame({"user": [1, 7], "item": ["c", "a"], "rating": [3.0, 5.0]})
    # (1, c): item unknown → μ = 3, error 0; (7, a): user unknown → μ = 3, error 2
    assert ms.score(model, TRAIN, test, scoring="mae") == {"mae": 1.0, "unknown": 1.0}


def test_search_with_ranking_metrics():
    ratings = make_marketing(n_users=60, n_items=30, mean_ratings=10, seed=1).ratings
    train, validation, test = ms.train_validation_test_split(ratings, ms.leave_last_out)
    found = ms.search(
        ShrunkItemMean(),
        {"shrinkage": [0.0, 5.0, 50.0]},
        train,
        validation,
        scoring=["ndcg@10", "rmse"],
        min_rating=4,
    )
    assert found.results["ndcg@10"].is_monotonic_decreasing  # higher is better
    model = ShrunkItemMean(shrinkage=50.0).fit(train)
    truth = validation[validation["rating"] >= 4]
    recs = model.recommend(users=truth["user"].unique(), n=10)
    expected = ms.ranking.per_user(recs, truth[["user", "item"]], 10)["ndcg"].mean()
    row = found.results.set_index("shrinkage").loc[50.0]
    assert row["ndcg@10"] == pytest.approx(expected)
    assert set(found.score(test)) == {"ndcg@10", "rmse", "unknown"}


def test_random_search_draws_from_the_grid_and_distributions():
    grid = {"shrinkage": [0.0, 1.0, 2.0, 4.0, 8.0, 16.0]}
    found = ms.search(ShrunkItemMean(), grid, TRAIN, VALID, n_iter=3, random_state=4)
    assert len(found.results) == 3 and found.results["shrinkage"].is_unique
    assert set(found.results["shrinkage"]) <= set(grid["shrinkage"])
    again = ms.search(ShrunkItemMean(), grid, TRAIN, VALID, n_iter=3, random_state=4)
    pd.testing.assert_frame_equal(
        found.results.drop(columns="fit_time"), again.results.drop(columns="fit_time")
    )
    drawn = ms.search(
        ShrunkItemMean(), {"shrinkage": scipy.stats.uniform(0, 10)}, TRAIN, VALID, n_iter=4
    )
    assert drawn.results["shrinkage"].between(0, 10).all() and len(drawn.results) == 4


def test_cross_validate_any_recommender():
    ratings = make_marketing(n_users=50, n_items=30, mean_ratings=10, seed=3).ratings
    cv = ms.cross_validate(
        ratings, {"shrinkage": [0.0, 10.0]}, n_splits=3, estimator=ShrunkItemMean()
    )
    assert len(cv) == 6 and list(cv.columns[:4]) == ["shrinkage", "fold", "rmse", "mae"]
    folds = ms.kfold_indices(len(ratings), 3, 0)
    test = ratings.iloc[folds[1]]
    train = ratings.drop(ratings.index[folds[1]])
    by_hand = ms.score(ShrunkItemMean(shrinkage=10.0).fit(train), train, test, ["rmse", "mae"])
    row = cv[(cv["shrinkage"] == 10.0) & (cv["fold"] == 1)].iloc[0]
    assert row["rmse"] == pytest.approx(by_hand["rmse"])
    assert row["unknown"] == pytest.approx(by_hand["unknown"])
    sgd = ms.cross_validate(
        ratings, {"n_factors": [2]}, 2, estimator=SGDMatrixFactorization(n_epochs=3)
    )
    assert sgd["rmse"].notna().all()  # unknown users or items fall back, never raise
    pop = ms.cross_validate(
        ratings, n_splits=2, estimator=PopularityRecommender(), scoring="hit_rate@5"
    )
    assert list(pop.columns) == ["fold", "hit_rate@5", "unknown", "fit_time"]
    overall = ms.summarize(pop)  # no parameters: one row over the folds
    assert len(overall) == 1 and overall.loc[0, "hit_rate@5"] == pop["hit_rate@5"].mean()


def test_summarize_sorts_ranking_metrics_best_first():
    cv = pd.DataFrame({"k": [5, 5, 9, 9], "fold": [0, 1, 0, 1], "ndcg@10": [0.1, 0.2, 0.3, 0.3]})
    table = ms.summarize(cv)
    assert table["k"].tolist() == [9, 5] and table["ndcg@10_std"].tolist()[0] == 0.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: ms.search(ShrunkItemMean(), {"alpha": [1]}, TRAIN, VALID),
            ValueError,
            "Unknown parameter\\(s\\) \\['alpha'\\] for ShrunkItemMean",
        ),
        (
            lambda: ms.search(ShrunkItemMean(), {"shrinkage": 3}, TRAIN, VALID),
            TypeError,
            "non-empty list of candidate values",
        ),
        (
            lambda: ms.search(ShrunkItemMean(), {}, TRAIN, VALID, scoring="auc"),
            ValueError,
            "Unknown metric 'auc'",
        ),
        (
            lambda: ms.cross_validate(TRAIN, estimator=object()),
            TypeError,
            "object has no fit or predict method",
        ),
        (
            lambda: ms.score(ShrunkItemMean().fit(TRAIN), TRAIN, VALID, "ndcg@5", min_rating=5),
            ValueError,
            "nothing to rank",
        ),
        (
            lambda: ms.search(ShrunkItemMean(), {}, TRAIN, VALID.drop(columns="rating")),
            ValueError,
            "missing column\\(s\\) rating",
        ),
        (lambda: ms.summarize(pd.DataFrame({"k": [1]})), ValueError, "no metric column"),
    ],
)
def test_search_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------- measuring dishonesty
def test_winners_curse_by_hand():
    # two users, each candidate best for one of them: whoever chooses, the other user
    # scores the choice 0, so peeking always reports 1 and the truth is 0
    crossed = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 1.0]})
    curse = ms.winners_curse(crossed, n_repeats=20)
    assert list(curse.columns) == ["chosen", "peeked", "honest", "optimism"]
    assert (curse["peeked"] == 1).all() and (curse["optimism"] == 1).all()
    assert set(curse["chosen"]) == {"a", "b"}
    # a candidate better for everybody is always chosen and never flattered
    clear = pd.DataFrame({"a": [0.5, 0.7, 0.2, 0.9], "b": [0.1, 0.3, 0.0, 0.4]})
    curse = ms.winners_curse(clear, n_users=2, n_repeats=50)
    assert (curse["chosen"] == "a").all()
    assert curse["optimism"].mean() == pytest.approx(curse["peeked"].mean() - 0.575, abs=0.2)
    # ties go to the first column; lower-is-better chooses the minimum
    assert (ms.winners_curse(pd.DataFrame({"x": [1.0, 1], "y": [1.0, 1]}))["chosen"] == "x").all()
    rmse = ms.winners_curse(crossed, greater_is_better=False, n_repeats=10)
    assert (rmse["peeked"] == 0).all() and (rmse["optimism"] == 1).all()


def test_winners_curse_matches_the_expected_maximum_of_two_means():
    # two equally good candidates, per-user values N(0, 1), 50 users choose: the chosen
    # mean is the larger of two N(0, 1/50) draws, E = (1/sqrt(pi)) / sqrt(50) ≈ 0.0798
    rng = np.random.default_rng(0)
    scores = pd.DataFrame(rng.normal(size=(20_000, 2)), columns=["a", "b"])
    curse = ms.winners_curse(scores, n_users=50, n_repeats=2000, random_state=1)
    expected = 1 / np.sqrt(np.pi) / np.sqrt(50)
    assert abs(curse["optimism"].mean() - expected) < 0.012  # about 3 Monte Carlo SEs
    again = ms.winners_curse(scores, n_users=50, n_repeats=2000, random_state=1)
    pd.testing.assert_frame_equal(curse, again)


@pytest.mark.parametrize(
    ("scores", "kwargs", "error", "match"),
    [
        (pd.DataFrame({"a": [1.0, np.nan]}), {}, ValueError, "1 missing value"),
        (pd.DataFrame({"a": [1.0]}), {}, ValueError, "at least two users"),
        (pd.DataFrame({"a": [1.0, 2, 3, 4]}), {"n_users": 3}, ValueError, "at most half"),
        (pd.DataFrame({"a": [1.0, 2]}), {"n_repeats": 0}, ValueError, "n_repeats must be"),
        (np.ones((4, 2)), {}, TypeError, "one column per candidate"),
    ],
)
def test_winners_curse_bad_input(scores, kwargs, error, match):
    with pytest.raises(error, match=match):
        ms.winners_curse(scores, **kwargs)


LEAK_TRAIN = pd.DataFrame({"user": [1, 2, 2, 3], "item": ["a", "a", "b", "b"]})
LEAK_FUTURE = pd.DataFrame({"user": [1, 2, 3, 4], "item": ["c", "d", "d", "d"]})


def test_leaky_recommend_sees_the_others_future_never_ones_own():
    before = (LEAK_TRAIN.copy(), LEAK_FUTURE.copy())
    lists = ms.leaky_recommend(
        PopularityRecommender(), LEAK_TRAIN, LEAK_FUTURE, [3, 1, 2], n=5, n_folds=3
    )
    assert lists["user"].tolist() == [3, 3, 3, 1, 1, 2, 2]  # in the order asked
    ranks = lists.groupby("user")["rank"].apply(list).to_dict()
    assert ranks == {1: [1, 2], 2: [1, 2], 3: [1, 2, 3]}  # best first
    by_user = lists.groupby("user")["item"].apply(list).to_dict()
    # user 1 never sees its own future "c"; "d" has 3 raters (users 2-4), b has 2
    assert by_user[1] == ["d", "b"]
    # user 2 sees "c" (user 1's future) and "d" from users 3 and 4 only: 2 raters
    assert by_user[2] == ["d", "c"]
    # user 3: a and d have 2 raters each (ties: first seen first), c has 1
    assert by_user[3] == ["a", "d", "c"]
    pd.testing.assert_frame_equal(LEAK_TRAIN, before[0])
    pd.testing.assert_frame_equal(LEAK_FUTURE, before[1])


def test_leaky_recommend_equals_a_refit_without_each_users_future():
    ratings = make_marketing(n_users=40, n_items=30, mean_ratings=8).ratings
    train, test = ms.temporal_split(ratings, 0.3)
    users = test["user"][test["user"].isin(train["user"])].unique()[:6]
    lists = ms.leaky_recommend(PopularityRecommender(), train, test, users, n=4, n_folds=6)
    for user in users:
        others = test[test["user"] != user]
        alone = PopularityRecommender().fit(pd.concat([train, others], ignore_index=True))
        expected = alone.recommend(users=[user], n=4)
        got = lists[lists["user"] == user].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: ms.leaky_recommend(PopularityRecommender(), LEAK_TRAIN, LEAK_FUTURE, [1, 2]),
            ValueError,
            "n_folds \\(5\\) cannot exceed the number of users \\(2\\)",
        ),
        (
            lambda: ms.leaky_recommend(
                PopularityRecommender(), LEAK_TRAIN, LEAK_FUTURE, [1, 2], n_folds=1
            ),
            ValueError,
            "n_folds must be >= 2",
        ),
        (
            lambda: ms.leaky_recommend(object(), LEAK_TRAIN, LEAK_FUTURE, [1, 2], n_folds=2),
            TypeError,
            "scikit-learn's conventions",
        ),
        (
            lambda: ms.leaky_recommend(
                PopularityRecommender(), LEAK_TRAIN, LEAK_FUTURE.drop(columns="item"), [1, 2]
            ),
            ValueError,
            "missing column\\(s\\) item",
        ),
    ],
)
def test_leaky_recommend_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_future_share_by_hand_and_on_the_splits():
    train = pd.DataFrame({"user": [1, 1, 2, 2], "item": list("abcd"), "timestamp": [1, 2, 3, 4]})
    test = pd.DataFrame({"user": [1, 2], "item": list("ef"), "timestamp": [2, 0]})
    # after t = 2: 2 of 4 (equal times are not "after"); after t = 0: all 4
    assert ms.future_share(train, test) == pytest.approx((0.5 + 1.0) / 2)
    rng = np.random.default_rng(0)
    ratings = pd.DataFrame(
        {
            "user": rng.integers(0, 50, 2000),
            "item": np.arange(2000),
            "timestamp": pd.to_datetime(rng.integers(0, 10**9, 2000), unit="s"),
        }
    )
    assert ms.future_share(*ms.temporal_split(ratings, 0.2)) == 0.0
    assert ms.future_share(*ms.random_split(ratings, 0.2)) == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize(
    ("test", "error", "match"),
    [
        (pd.DataFrame({"user": [1], "item": ["x"]}), ValueError, "need a 'timestamp' column"),
        (
            pd.DataFrame({"user": [1], "item": ["x"], "timestamp": [np.nan]}),
            ValueError,
            "missing value",
        ),
        (
            pd.DataFrame({"user": [1], "item": ["x"], "timestamp": pd.to_datetime(["1998-01-01"])}),
            TypeError,
            "comparable times",
        ),
    ],
)
def test_future_share_bad_input(test, error, match):
    train = pd.DataFrame({"user": [1, 2], "item": ["a", "b"], "timestamp": [1, 2]})
    with pytest.raises(error, match=match):
        ms.future_share(train, test)
