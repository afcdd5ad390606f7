import numpy as np
import pandas as pd
import pytest
from surprise import NMF, SVD, BaselineOnly, KNNBasic, SVDpp
from surprise.model_selection import GridSearchCV, cross_validate

from recsys_lab.data import make_marketing
from recsys_lab.mf import ALSMatrixFactorization, SGDMatrixFactorization, factor_recovery
from recsys_lab.models import surprise_tools
from recsys_lab.models.als_mf import fold_in_user
from recsys_lab.models.sgd_mf import sgd_step

SMALL = pd.DataFrame(
    {
        "user": [1, 1, 2, 2, 3, 3],
        "item": ["a", "b", "a", "c", "b", "c"],
        "rating": [5.0, 3.0, 4.0, 1.0, 2.0, 4.0],
    }
)


def test_sgd_one_epoch_by_hand():
    lr, reg = 0.1, 0.2
    model = SGDMatrixFactorization(
        n_factors=1, n_epochs=1, lr_all=lr, reg_all=reg, random_state=7
    ).fit(SMALL)
    rng = np.random.RandomState(7)
    p = rng.normal(0, 0.1, size=3)  # users 1, 2, 3 (order of first appearance)
    q = rng.normal(0, 0.1, size=3)  # items a, b, c
    bu, bi = np.zeros(3), np.zeros(3)
    mu = SMALL["rating"].mean()
    code_u = {1: 0, 2: 1, 3: 2}
    code_i = {"a": 0, "b": 1, "c": 2}
    for user, item, r in SMALL.itertuples(index=False):  # already user by user
        u, i = code_u[user], code_i[item]
        err = r - (mu + bu[u] + bi[i] + p[u] * q[i])
        bu[u] += lr * (err - reg * bu[u])
        bi[i] += lr * (err - reg * bi[i])
        p_old = p[u]
        p[u] += lr * (err * q[i] - reg * p[u])
        q[i] += lr * (err * p_old - reg * q[i])
    np.testing.assert_allclose(model.user_factors_[:, 0], p, rtol=0, atol=1e-15)
    np.testing.assert_allclose(model.item_factors_[:, 0], q, rtol=0, atol=1e-15)
    np.testing.assert_allclose(model.user_bias_, bu, atol=1e-15)
    np.testing.assert_allclose(model.item_bias_, bi, atol=1e-15)


def test_sgd_equals_surprise_svd():
    ratings = make_marketing(n_users=60, n_items=40, mean_ratings=10, seed=3).ratings
    theirs = SVD(n_factors=8, n_epochs=10, random_state=5).fit(
        surprise_tools.to_dataset(ratings).build_full_trainset()
    )
    ours = SGDMatrixFactorization(n_factors=8, n_epochs=10, random_state=5).fit(ratings)
    pairs = ratings.sample(50, random_state=0)
    expected = [theirs.predict(u, i).est for u, i in zip(pairs["user"], pairs["item"], strict=True)]
    np.testing.assert_allclose(ours.predict(pairs["user"], pairs["item"]), expected, atol=1e-9)
    assert ours.history_["rmse"].is_monotonic_decreasing


def test_als_recovers_a_low_rank_matrix():
    rng = np.random.default_rng(0)
    truth = rng.standard_normal((8, 2)) @ rng.standard_normal((2, 6))
    long = pd.DataFrame(
        [(u, i, truth[u, i]) for u in range(8) for i in range(6)],
        columns=["user", "item", "rating"],
    )
    model = ALSMatrixFactorization(n_factors=2, n_iter=300, reg=1e-9, biased=False).fit(long)
    approx = model.user_factors_ @ model.item_factors_.T
    assert np.abs(approx - truth).max() < 1e-4
    assert factor_recovery(model.user_factors_, truth @ np.linalg.pinv(truth)[:, :2])[0] > 0.99


def test_recommend_predict_and_errors():
    model = ALSMatrixFactorization(n_factors=2, n_iter=5).fit(SMALL)
    recs = model.recommend(n=3)
    seen = set(zip(SMALL["user"], SMALL["item"], strict=True))
    assert not any((u, i) in seen for u, i in zip(recs["user"], recs["item"], strict=True))
    assert recs.groupby("user").size().tolist() == [1, 1, 1]  # one unseen item each
    est = model.predict([1], ["c"])
    assert 1 <= est[0] <= 5
    strict = ALSMatrixFactorization(n_factors=2, n_iter=5, handle_unknown="error").fit(SMALL)
    with pytest.raises(ValueError, match="Unknown user\\(s\\) \\[9\\].*handle_unknown"):
        strict.predict([9], ["a"])
    with pytest.raises(ValueError, match="Unknown item"):
        strict.predict([1], ["zz"])
    with pytest.raises(ValueError, match="n_factors must be >= 1"):
        SGDMatrixFactorization(n_factors=0).fit(SMALL)
    with pytest.raises(ValueError, match="outside rating_scale"):
        ALSMatrixFactorization(rating_scale=(1, 4)).fit(SMALL)
    with pytest.raises(RuntimeError, match="not fitted"):
        SGDMatrixFactorization().predict([1], ["a"])
    with pytest.raises(ValueError, match="reg must be > 0"):
        ALSMatrixFactorization(reg=0).fit(SMALL)


def test_same_seed_same_numbers():
    a = SGDMatrixFactorization(n_factors=3, n_epochs=3, random_state=1).fit(SMALL)
    b = SGDMatrixFactorization(n_factors=3, n_epochs=3, random_state=1).fit(SMALL)
    np.testing.assert_array_equal(a.user_factors_, b.user_factors_)
    c = ALSMatrixFactorization(random_state=2).fit(SMALL)
    d = ALSMatrixFactorization(random_state=2).fit(SMALL)
    np.testing.assert_array_equal(c.item_factors_, d.item_factors_)


# ------------------------------------------------------------------- surprise adapters
def test_dataset_round_trip_and_validation():
    ts = surprise_tools.to_dataset(SMALL).build_full_trainset()
    back = {(ts.to_raw_uid(u), ts.to_raw_iid(i), r) for u, i, r in ts.all_ratings()}
    assert back == set(SMALL.itertuples(index=False, name=None))
    assert ts.rating_scale == (1.0, 5.0)
    with pytest.raises(ValueError, match="outside rating_scale"):
        surprise_tools.to_dataset(SMALL, rating_scale=(1, 4))
    with pytest.raises(ValueError, match="duplicate"):
        surprise_tools.to_dataset(pd.concat([SMALL, SMALL.head(1)]))
    with pytest.raises(ValueError, match="missing column"):
        surprise_tools.to_dataset(SMALL.drop(columns="rating"))


@pytest.mark.parametrize(
    "algo",
    [
        SVD(random_state=0, n_epochs=5),
        SVD(biased=False, random_state=0),
        SVDpp(random_state=0, n_epochs=3),
        NMF(random_state=0, n_epochs=5),
        BaselineOnly(verbose=False),
        KNNBasic(k=5, verbose=False),
    ],
    ids=["svd", "svd-unbiased", "svdpp", "nmf", "baseline", "knn-loop"],
)
def test_top_n_equals_predict(algo):
    ratings = make_marketing(n_users=40, n_items=30, mean_ratings=8, seed=1).ratings
    algo.fit(surprise_tools.to_dataset(ratings, (1, 5)).build_full_trainset())
    top = surprise_tools.top_n(algo, users=[1, 2, 3], n=5)
    pairs = zip(top["user"], top["item"], strict=True)
    direct = [algo.predict(u, i, clip=False).est for u, i in pairs]  # ranked unclipped
    np.testing.assert_allclose(top["score"], direct, atol=1e-12)
    seen = set(zip(ratings["user"], ratings["item"], strict=True))
    assert not any((u, i) in seen for u, i in zip(top["user"], top["item"], strict=True))
    for _, g in top.groupby("user"):
        assert (np.diff(g["score"]) <= 0).all()
    with pytest.raises(ValueError, match="Unknown user"):
        surprise_tools.top_n(algo, users=[999])


def test_tables_from_cross_validation_and_grid_search():
    data = surprise_tools.to_dataset(make_marketing(n_users=40, n_items=30, mean_ratings=8).ratings)
    cv = {
        "baseline": cross_validate(BaselineOnly(verbose=False), data, cv=2, verbose=False),
        "svd": cross_validate(SVD(n_epochs=2, random_state=0), data, cv=2, verbose=False),
    }
    table = surprise_tools.cv_table(cv)
    assert set(table["algorithm"]) == {"baseline", "svd"}
    assert {"rmse", "rmse_std", "mae", "fit_time"} <= set(table.columns)
    grid = GridSearchCV(SVD, {"n_factors": [2, 4], "n_epochs": [2]}, cv=2)
    grid.fit(data)
    gt = surprise_tools.grid_table(grid)
    assert len(gt) == 2 and gt["mean_rmse"].is_monotonic_increasing
    frame = surprise_tools.predictions_frame(
        grid.best_estimator["rmse"].fit(data.build_full_trainset()).test([(1, 1, 3.0)])
    )
    assert list(frame.columns) == ["user", "item", "rating", "estimate", "impossible"]


@pytest.mark.parametrize("biased", [True, False])
def test_compiled_sgd_kernel_equals_the_readable_loop(biased):
    ratings = make_marketing(n_users=60, n_items=40, mean_ratings=10, seed=2).ratings
    params = {"n_factors": 5, "n_epochs": 4, "biased": biased, "lr_all": 0.01}
    fast = SGDMatrixFactorization(**params).fit(ratings)
    plain = SGDMatrixFactorization(**params, engine="python").fit(ratings)
    for name in ("user_factors_", "item_factors_", "user_bias_", "item_bias_"):
        np.testing.assert_allclose(getattr(fast, name), getattr(plain, name), atol=1e-12)
    assert fast.history_["rmse"].iloc[-1] < fast.history_["rmse"].iloc[0]  # it did learn
    with pytest.raises(ValueError, match="Unknown engine 'cython'"):
        SGDMatrixFactorization(engine="cython").fit(ratings)


# ------------------------------------------------------------- one step, one fold-in
def test_sgd_step_by_hand_and_inputs_untouched():
    p, q = np.array([0.1, 0.2]), np.array([0.3, -0.1])
    # prediction 3 + 0.5 - 0.5 + (0.03 - 0.02) = 3.01, error 0.99
    b_u, b_i, p_new, q_new = sgd_step(4.0, 3.0, 0.5, -0.5, p, q, lr=0.1, reg=0.5)
    assert b_u == pytest.approx(0.5 + 0.1 * (0.99 - 0.25))
    assert b_i == pytest.approx(-0.5 + 0.1 * (0.99 + 0.25))
    np.testing.assert_allclose(p_new, [0.1 + 0.1 * (0.99 * 0.3 - 0.05), 0.2 + 0.1 * (-0.099 - 0.1)])
    np.testing.assert_allclose(q_new, [0.3 + 0.1 * (0.099 - 0.15), -0.1 + 0.1 * (0.198 + 0.05)])
    assert p.tolist() == [0.1, 0.2] and q.tolist() == [0.3, -0.1]
    unbiased = sgd_step(4.0, 0.0, 0.0, 0.0, p, q, lr=0.1, reg=0.5, biased=False)
    assert unbiased[:2] == (0.0, 0.0)
    with pytest.raises(ValueError, match="same length"):
        sgd_step(4.0, 3.0, 0.0, 0.0, p, np.array([1.0]), lr=0.1, reg=0.0)


def test_fold_in_user_by_hand_and_equal_to_the_batch_solve():
    # one factor, two ratings: X = [[1, 1], [2, 1]], y = [1, 2], lambda n = 0.5 * 2
    p, b = fold_in_user(
        np.array([[1.0], [2.0]]), np.array([0.0, 0.0]), np.array([4.0, 5.0]), 3.0, reg=0.5
    )
    A, rhs = np.array([[5.0 + 1, 3.0], [3.0, 2.0 + 1]]), np.array([5.0, 3.0])
    np.testing.assert_allclose([*p, b], np.linalg.solve(A, rhs))
    rng = np.random.default_rng(0)
    Q, bi = rng.standard_normal((5, 3)), rng.standard_normal(5)
    r = rng.integers(1, 6, 5).astype(float)
    X = np.column_stack([Q, np.ones(5)])
    batch = ALSMatrixFactorization._solve(np.zeros(5, dtype=int), 1, X, r - 3.2 - bi, 0.3)[0]
    p, b = fold_in_user(Q, bi, r, 3.2, reg=0.3)
    np.testing.assert_allclose([*p, b], batch, atol=1e-12)


def test_fold_in_user_equals_the_cold_start_fold_in():
    from recsys_lab.models.coldstart import fold_in

    ratings = make_marketing(n_users=60, n_items=40, mean_ratings=10, seed=3).ratings
    model = ALSMatrixFactorization(n_factors=3, n_iter=5).fit(ratings)
    history = pd.DataFrame({"item": model.items_[[0, 4, 7]], "rating": [5.0, 2.0, 4.0]})
    codes = [0, 4, 7]
    p, b = fold_in_user(
        model.item_factors_[codes],
        model.item_bias_[codes],
        history["rating"].to_numpy(),
        model.global_mean_,
        model.reg,
    )
    expected = fold_in(model, history)
    mine = model.global_mean_ + b + model.item_bias_ + model.item_factors_ @ p
    np.testing.assert_allclose(mine, expected.to_numpy(), atol=1e-10)


def test_fold_in_user_errors():
    q = np.array([[1.0, 0.0]])
    with pytest.raises(ValueError, match="singular: with reg=0 the user needs at least 3"):
        fold_in_user(q, np.zeros(1), np.array([4.0]), 3.0, reg=0.0)
    with pytest.raises(ValueError, match="shape \\(n, f\\)"):
        fold_in_user(np.zeros(2), np.zeros(2), np.array([4.0, 3.0]), 3.0, reg=0.1)
    with pytest.raises(ValueError, match="shape \\(n, f\\)"):
        fold_in_user(q, np.zeros(2), np.array([4.0]), 3.0, reg=0.1)
    with pytest.raises(ValueError, match="reg must be >= 0"):
        fold_in_user(q, np.zeros(1), np.array([4.0]), 3.0, reg=-1.0)


# ------------------------------------------------------------- Surprise's folds, algorithms
def test_kfold_gives_surprises_folds_in_surprises_order():
    from surprise.model_selection import KFold

    ratings = make_marketing(n_users=40, n_items=30, mean_ratings=8, seed=5).ratings
    ours = surprise_tools.kfold(ratings, n_splits=3, random_state=7)
    theirs = KFold(n_splits=3, random_state=7).split(surprise_tools.to_dataset(ratings))
    for (train, test), (trainset, testset) in zip(ours, theirs, strict=True):
        assert list(zip(test["user"], test["item"], test["rating"], strict=True)) == testset
        assert [trainset.to_raw_uid(u) for u in range(trainset.n_users)] == list(
            pd.unique(train["user"])
        )
        assert [trainset.to_raw_iid(i) for i in range(trainset.n_items)] == list(
            pd.unique(train["item"])
        )
        assert len(train) + len(test) == len(ratings)
        # the same order, so the same SVD: SGD from scratch equals Surprise on the fold
        svd = SVD(n_factors=4, n_epochs=3, random_state=0).fit(trainset)
        sgd = SGDMatrixFactorization(n_factors=4, n_epochs=3, random_state=0).fit(train)
        expected = [p.est for p in svd.test(testset)]
        np.testing.assert_allclose(sgd.predict(test["user"], test["item"]), expected, atol=1e-9)
    assert [len(t) for _, t in surprise_tools.kfold(SMALL.head(5), n_splits=2)] == [3, 2]
    with pytest.raises(ValueError, match="cannot be split into 7 folds"):
        surprise_tools.kfold(SMALL, n_splits=7)
    with pytest.raises(ValueError, match="n_splits must be >= 2"):
        surprise_tools.kfold(SMALL, n_splits=1)


def test_algorithms_are_surprises_eleven():
    import surprise
    from surprise.prediction_algorithms.algo_base import AlgoBase

    exported = {
        name
        for name in surprise.prediction_algorithms.__all__
        if isinstance(getattr(surprise, name, None), type)
        and issubclass(getattr(surprise, name), AlgoBase)
        and name not in ("AlgoBase", "SymmetricAlgo")
    }
    algos = surprise_tools.algorithms(random_state=3)
    assert set(algos) == exported and len(algos) == 11
    assert all(type(algo).__name__ == name for name, algo in algos.items())
    assert algos["SVD"].random_state == 3 and algos["SVDpp"].cache_ratings


# ------------------------------------------------------------------- the explorer's view
def test_mf_view_is_the_explorers_default_state():
    from recsys_lab.teaching.widgets import MF_DEFAULTS, mf_explorer, mf_view

    ratings = make_marketing(n_users=40, n_items=30, mean_ratings=8, seed=6).ratings
    cut = int(0.8 * len(ratings))
    train, test = ratings.iloc[:cut], ratings.iloc[cut:]
    rmse, top = mf_view(train, test, user=1, n=3, titles={i: f"title {i}" for i in range(99)})
    model = SGDMatrixFactorization(**MF_DEFAULTS).fit(train)
    expected = np.sqrt(np.mean((test["rating"] - model.predict(test["user"], test["item"])) ** 2))
    assert rmse == pytest.approx(expected)
    assert list(top.columns) == ["rank", "item", "title", "score"] and len(top) == 3
    assert top["title"].tolist() == [f"title {i}" for i in top["item"]]
    assert top["score"].is_monotonic_decreasing
    box = mf_explorer(train, test, user=1, n=3)
    assert f"test RMSE {rmse:.3f}" in box.children[1].value
