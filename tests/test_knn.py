import heapq

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata
from surprise import Dataset, KNNBasic, Reader

from recsys_lab.data import make_marketing
from recsys_lab.models import KNNRecommender
from recsys_lab.models.knn import similarity_ranks, top_k_voters
from recsys_lab.models.similarities import sparse_similarities


@pytest.fixture(scope="module")
def split():
    ratings = make_marketing(n_users=120, n_items=70, mean_ratings=15, seed=5).ratings
    ratings = ratings.sample(frac=1.0, random_state=1).reset_index(drop=True)
    return ratings.iloc[300:], ratings.iloc[:300]


@pytest.mark.parametrize("similarity", ["msd", "cosine", "pearson"])
@pytest.mark.parametrize("user_based", [True, False])
@pytest.mark.parametrize(("k", "min_k"), [(3, 1), (20, 2)])
def test_agrees_with_surprise_knnbasic(split, similarity, user_based, k, min_k):
    train, test = split
    data = Dataset.load_from_df(train[["user", "item", "rating"]], Reader(rating_scale=(1, 5)))
    algo = KNNBasic(
        k=k,
        min_k=min_k,
        sim_options={"name": similarity, "user_based": user_based},
        verbose=False,
    ).fit(data.build_full_trainset())
    theirs = [algo.predict(u, i) for u, i in zip(test["user"], test["item"], strict=True)]
    model = KNNRecommender(k=k, similarity=similarity, user_based=user_based, min_k=min_k)
    ours = model.fit(train).predict_details(test["user"], test["item"])
    est = np.array([p.est for p in theirs])
    impossible = np.array([p.details.get("was_impossible", False) for p in theirs])
    assert (np.abs(ours["estimate"].to_numpy() - est) < 1e-9).all()
    assert (ours["fallback"].to_numpy() == impossible).all()
    np.testing.assert_array_equal(model.sim_, algo.sim)  # bit for bit


def test_hand_computed_prediction_and_weightings():
    # users 1 and 2 rated a and b; user 3 rated only a
    ratings = pd.DataFrame(
        {"user": [1, 1, 2, 2, 3], "item": ["a", "b", "a", "b", "a"], "rating": [5, 3, 4, 1, 5.0]}
    )
    # msd(3, 1) = 0 -> sim 1; msd(3, 2) = 1 -> sim 1/2
    model = KNNRecommender(k=2).fit(ratings)
    assert model.predict([3], ["b"])[0] == pytest.approx((1 * 3 + 0.5 * 1) / 1.5)
    equal = KNNRecommender(k=2, weighting="equal").fit(ratings)
    assert equal.predict([3], ["b"])[0] == pytest.approx(2.0)
    rank = KNNRecommender(k=2, weighting="rank").fit(ratings)
    assert rank.predict([3], ["b"])[0] == pytest.approx((3 + 0.5 * 1) / 1.5)
    assert KNNRecommender(k=1).fit(ratings).predict([3], ["b"])[0] == 3.0
    why = model.explain(3, "b")
    assert why["neighbour"].tolist() == [1, 2]
    assert why["share"].tolist() == pytest.approx([2 / 3, 1 / 3])


def test_unknowns_and_min_k_fall_back_to_the_global_mean():
    ratings = pd.DataFrame({"user": [1, 2], "item": ["a", "b"], "rating": [4.0, 2.0]})
    model = KNNRecommender(min_k=1).fit(ratings)
    out = model.predict_details([1, 9, 1], ["b", "a", "zzz"])
    assert out["estimate"].tolist() == [3.0, 3.0, 3.0]
    assert out["fallback"].all()


def test_recommend_excludes_seen_and_ranks(split):
    train, _ = split
    model = KNNRecommender(k=10).fit(train)
    recs = model.recommend(n=5)
    assert set(recs.columns) == {"user", "item", "score", "rank", "fallback"}
    seen = set(zip(train["user"], train["item"], strict=True))
    assert not any((u, i) in seen for u, i in zip(recs["user"], recs["item"], strict=True))
    for _, group in recs.groupby("user"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert (np.diff(group["score"]) <= 0).all()
    some = list(model.users_[:3])
    sub = model.recommend(users=some, n=5)
    pd.testing.assert_frame_equal(
        sub.reset_index(drop=True),
        recs[recs["user"].isin(some)].reset_index(drop=True),
        check_dtype=False,
    )
    direct = model.predict(sub["user"], sub["item"])
    np.testing.assert_allclose(direct, sub["score"], rtol=0, atol=1e-12)


def test_item_based_recommend_matches_predict(split):
    train, _ = split
    model = KNNRecommender(k=5, similarity="cosine", user_based=False).fit(train)
    recs = model.recommend(users=list(model.users_[:10]), n=3)
    np.testing.assert_allclose(model.predict(recs["user"], recs["item"]), recs["score"], atol=1e-12)


def test_top_k_voters_ties_keep_training_order():
    ranks = np.array([[2, 0, 2, 2, 1]]).T  # candidates × one target
    assert top_k_voters(ranks, 3).ravel().tolist() == [True, True, False, False, True]
    assert top_k_voters(ranks, 9).all()


def test_fit_leaves_ratings_alone(split):
    train, _ = split
    before = train.copy()
    KNNRecommender().fit(train)
    pd.testing.assert_frame_equal(train, before)


@pytest.mark.parametrize(
    ("params", "data", "error", "match"),
    [
        ({"k": 0}, None, ValueError, "k must be >= 1"),
        ({"min_k": 0}, None, ValueError, "min_k must be >= 1"),
        ({"similarity": "jaccard"}, None, ValueError, "Unknown similarity 'jaccard'"),
        ({"weighting": "loud"}, None, ValueError, "Unknown weighting 'loud'"),
        ({"user_based": "yes"}, None, TypeError, "user_based must be True or False"),
        ({}, "empty", ValueError, "ratings is empty"),
        ({}, "nan", ValueError, "missing value"),
        ({}, "dup", ValueError, "duplicate \\(user, item\\) pair"),
        ({}, "cols", ValueError, "missing column\\(s\\) rating"),
    ],
)
def test_bad_input(params, data, error, match):
    good = pd.DataFrame({"user": [1, 2], "item": ["a", "a"], "rating": [4.0, 2.0]})
    frames = {
        None: good,
        "empty": good.iloc[:0],
        "nan": good.assign(rating=[4.0, np.nan]),
        "dup": pd.concat([good, good.iloc[:1]]),
        "cols": good.drop(columns="rating"),
    }
    with pytest.raises(error, match=match):
        KNNRecommender(**params).fit(frames[data])


def test_use_before_fit_and_unknown_users():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        KNNRecommender().predict([1], ["a"])
    model = KNNRecommender().fit(
        pd.DataFrame({"user": [1, 2], "item": ["a", "b"], "rating": [4.0, 2.0]})
    )
    with pytest.raises(ValueError, match="Unknown user\\(s\\) \\[7\\].*handle_unknown"):
        model.set_params(handle_unknown="error").recommend(users=[7])
    with pytest.raises(ValueError, match="Unknown item 'q'"):
        model.explain(1, "q")
    with pytest.raises(ValueError, match="differ in length"):
        model.predict([1, 2], ["a"])
    assert repr(KNNRecommender(k=5)) == "KNNRecommender(k=5)"  # scikit-learn's repr


def test_old_with_impossible_flag_still_works_with_a_deprecation_warning():
    ratings = pd.DataFrame({"user": [1, 2], "item": ["a", "b"], "rating": [4.0, 2.0]})
    model = KNNRecommender().fit(ratings)
    with pytest.warns(DeprecationWarning, match="predict_details"):
        out = model.predict([1], ["b"], with_impossible=True)
    assert out.columns.tolist() == ["user", "item", "estimate", "impossible"]
    assert out["impossible"].tolist() == [True]


# --------------------------------------------------------------- mean-centred KNN
@pytest.mark.parametrize("similarity", ["msd", "cosine", "pearson"])
@pytest.mark.parametrize("user_based", [True, False])
@pytest.mark.parametrize(("k", "min_k"), [(3, 1), (20, 5)])
def test_knn_with_means_agrees_with_surprise(split, similarity, user_based, k, min_k):
    from surprise import KNNWithMeans as SurpriseKNNWithMeans

    from recsys_lab.models.knn_means import KNNWithMeans

    train, test = split
    data = Dataset.load_from_df(train[["user", "item", "rating"]], Reader(rating_scale=(1, 5)))
    algo = SurpriseKNNWithMeans(
        k=k, min_k=min_k, sim_options={"name": similarity, "user_based": user_based}, verbose=False
    ).fit(data.build_full_trainset())
    theirs = [algo.predict(u, i) for u, i in zip(test["user"], test["item"], strict=True)]
    model = KNNWithMeans(k=k, similarity=similarity, user_based=user_based, min_k=min_k)
    ours = model.fit(train).predict_details(test["user"], test["item"])
    np.testing.assert_allclose(ours["estimate"], [p.est for p in theirs], rtol=0, atol=1e-9)
    impossible = [p.details.get("was_impossible", False) for p in theirs]
    assert ours["fallback"].tolist() == impossible  # unknown ids only: few voters is no fallback
    np.testing.assert_array_equal(model.sim_, algo.sim)
    # lists rank on the unclipped estimate (Surprise's predict(..., clip=False))
    recs = model.recommend(users=list(model.users_[:8]), n=5)
    unclipped = [
        algo.predict(u, i, clip=False).est for u, i in zip(recs["user"], recs["item"], strict=True)
    ]
    np.testing.assert_allclose(recs["score"], unclipped, rtol=0, atol=1e-9)


def test_knn_with_means_by_hand_and_its_explanation():
    from recsys_lab.models.knn_means import KNNWithMeans

    ratings = pd.DataFrame(
        {"user": [1, 1, 2, 2, 3, 3], "item": list("ababac"), "rating": [4, 5, 2, 1, 3, 1.0]}
    )
    # means: 4.5, 1.5, 2; msd(3, 1) = 1 -> sim 1/2; msd(3, 2) = 1 -> sim 1/2
    model = KNNWithMeans(k=2).fit(ratings)
    expected = 2.0 + (0.5 * (5 - 4.5) + 0.5 * (1 - 1.5)) / 1.0
    assert model.predict([3], ["b"])[0] == pytest.approx(expected)
    assert model.means_.tolist() == [4.5, 1.5, 2.0]
    why = model.explain(3, "b")
    assert why.columns.tolist()[:5] == ["neighbour", "similarity", "rating", "mean", "deviation"]
    assert why["rating"].tolist() == [5.0, 1.0] and why["mean"].tolist() == [4.5, 1.5]
    assert 2.0 + (why["share"] * why["deviation"]).sum() == pytest.approx(expected)
    # fewer voters than min_k: the user's own mean, not a fallback
    out = KNNWithMeans(k=2, min_k=3).fit(ratings).predict_details([3], ["b"])
    assert out["estimate"].tolist() == [2.0] and not out["fallback"].any()
    # clipped to the rating scale when predicting
    clipped = KNNWithMeans(k=2, rating_scale=(2.0, 5.0)).fit(
        ratings.assign(rating=ratings["rating"].clip(2))
    )
    assert clipped.predict([3], ["b"])[0] >= 2.0


def test_knn_with_means_bad_input_and_clone():
    from sklearn.base import clone

    from recsys_lab.models.knn_means import KNNWithMeans

    good = pd.DataFrame({"user": [1, 2], "item": ["a", "a"], "rating": [4.0, 2.0]})
    with pytest.raises(ValueError, match="outside rating_scale"):
        KNNWithMeans(rating_scale=(3, 5)).fit(good)
    with pytest.raises(ValueError, match="k must be >= 1"):
        KNNWithMeans(k=0).fit(good)
    copy = clone(KNNWithMeans(k=7, min_support=3))
    assert copy.get_params()["k"] == 7 and copy.get_params()["min_support"] == 3


# --------------------------------------------------- the plain one-pair references
def _candidates(train, model, user, item):
    """The raters of ``item`` in training order, their ratings and similarities to ``user``."""
    raters = train[train["item"] == item]
    codes = model.users_.get_indexer(raters["user"])
    sims = model.sim_[model.users_.get_loc(user), codes]
    return raters, sims


@pytest.mark.parametrize("weighting", ["similarity", "equal", "rank"])
@pytest.mark.parametrize(("k", "min_k"), [(3, 1), (15, 4)])
def test_knn_vote_is_the_recommender_for_one_pair(split, weighting, k, min_k):
    from recsys_lab.teaching.voting import knn_vote

    train, test = split
    model = KNNRecommender(k=k, weighting=weighting, min_k=min_k).fit(train)
    known = test[test["user"].isin(train["user"]) & test["item"].isin(train["item"])].head(80)
    ours = model.predict_details(known["user"], known["item"])
    for (u, i), est, fell_back in zip(
        zip(known["user"], known["item"], strict=True),
        ours["estimate"],
        ours["fallback"],
        strict=True,
    ):
        raters, sims = _candidates(train, model, u, i)
        vote = knn_vote(raters["rating"].to_numpy(), sims, k=k, weighting=weighting, min_k=min_k)
        assert np.isnan(vote) == fell_back
        if not fell_back:
            assert vote == pytest.approx(est, abs=1e-12)


def test_mean_centred_vote_is_knn_with_means_for_one_pair(split):
    from recsys_lab.models.knn_means import KNNWithMeans
    from recsys_lab.teaching.voting import mean_centred_vote

    train, test = split
    model = KNNWithMeans(k=10, rating_scale=(-10, 10)).fit(train)  # a wide scale: no clipping
    known = test[test["user"].isin(train["user"]) & test["item"].isin(train["item"])].head(60)
    means = pd.Series(model.means_, index=model.users_)
    for u, i, est in zip(
        known["user"], known["item"], model.predict(known["user"], known["item"]), strict=True
    ):
        raters, sims = _candidates(train, model, u, i)
        vote = mean_centred_vote(
            raters["rating"].to_numpy(), sims, means[raters["user"]].to_numpy(), means[u], k=10
        )
        assert vote == pytest.approx(est, abs=1e-12)


def test_knn_vote_by_hand_and_bad_input():
    from recsys_lab.teaching.voting import knn_vote, mean_centred_vote

    # k=2 keeps 0.9 and the first 0.5 (ties: earlier first); the 0.5 at the end is out
    assert knn_vote([5, 1, 3], [0.9, 0.5, 0.5], k=2) == pytest.approx((4.5 + 0.5) / 1.4)
    rank = knn_vote([5, 1, 3], [0.9, 0.5, 0.5], k=2, weighting="rank")
    assert rank == pytest.approx((5 + 0.5 * 1) / 1.5)
    assert knn_vote([5, 1], [0.9, -0.5], k=2, weighting="equal") == 5.0
    assert np.isnan(knn_vote([5, 1], [0.9, 0.5], k=2, min_k=3))
    assert np.isnan(knn_vote([], [], k=2))
    assert mean_centred_vote([], [], [], 3.5) == 3.5
    with pytest.raises(ValueError, match="equal length"):
        knn_vote([1, 2], [0.5], k=1)
    with pytest.raises(ValueError, match="no NaN"):
        knn_vote([1, np.nan], [0.5, 0.5], k=1)
    with pytest.raises(ValueError, match="Unknown weighting 'loud'"):
        knn_vote([1], [0.5], weighting="loud")
    with pytest.raises(ValueError, match="k must be >= 1"):
        knn_vote([1], [0.5], k=0)
    with pytest.raises(ValueError, match="equal length"):
        mean_centred_vote([1, 2], [0.5, 0.5], [3.0], 3.0)
    with pytest.raises(ValueError, match="known numbers"):
        mean_centred_vote([1], [0.5], [3.0], float("nan"))


# ---------------------------------------------------------------- the compiled paths
def plain_scores(model):
    """Every user × item estimate by the readable numpy vote (the reference)."""
    if model.user_based:
        return np.column_stack([model._vote(None, i) for i in range(len(model.items_))])
    return np.vstack([model._vote(None, u) for u in range(len(model.users_))])


def assert_same_estimates(fast, plain):
    # bit for bit, NaN (impossible) in the same places: both sum in training order
    np.testing.assert_array_equal(fast, plain)


@pytest.mark.parametrize("similarity", ["msd", "cosine", "pearson"])
@pytest.mark.parametrize("user_based", [True, False])
@pytest.mark.parametrize(
    ("k", "min_k", "weighting"),
    [(1, 1, "similarity"), (5, 2, "equal"), (40, 1, "similarity"), (500, 3, "equal")],
)
def test_kernel_equals_the_plain_vote(split, similarity, user_based, k, min_k, weighting):
    train, _ = split
    model = KNNRecommender(
        k=k, similarity=similarity, user_based=user_based, min_k=min_k, weighting=weighting
    ).fit(train)
    fast = model._scores(np.arange(len(model.users_)))
    assert_same_estimates(fast, plain_scores(model))
    some = np.array([7, 0, 3])  # a few users: the same numbers (user-based: by the vote)
    assert_same_estimates(model._scores(some), fast[some])


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 5), st.integers(1, 3)),
        min_size=1,
        max_size=40,
        unique_by=lambda c: c[:2],
    ),
    k=st.integers(1, 4),
    user_based=st.booleans(),
)
def test_kernel_equals_the_plain_vote_with_many_ties(cells, k, user_based):
    # ratings 1-3 on a tiny grid: similarities tie all the time, in any training order
    ratings = pd.DataFrame(cells, columns=["user", "item", "rating"]).astype(float)
    model = KNNRecommender(k=k, similarity="msd", user_based=user_based).fit(ratings)
    assert_same_estimates(model._scores(np.arange(len(model.users_))), plain_scores(model))


def test_ties_at_the_kth_place_keep_training_order_as_surprise():
    # item-based, target "t": items a, b, c are equally similar to it (msd: identical
    # ratings by user 1 and 2); user 9 rated c before a before b. With k=1 the vote is
    # c's rating (first in user 9's training order), as Surprise's heapq.nlargest.
    rows = [(1, i, 4) for i in "tabc"] + [(2, i, 2) for i in "tabc"]
    rows += [(9, "c", 5), (9, "a", 1), (9, "b", 3)]
    ratings = pd.DataFrame(rows, columns=["user", "item", "rating"]).astype({"rating": float})
    model = KNNRecommender(k=1, similarity="msd", user_based=False).fit(ratings)
    recs = model.recommend(users=[9], n=1)
    assert recs["item"].tolist() == ["t"] and recs["score"].tolist() == [5.0]
    data = Dataset.load_from_df(ratings, Reader(rating_scale=(1, 5)))
    algo = KNNBasic(k=1, sim_options={"name": "msd", "user_based": False}, verbose=False)
    assert algo.fit(data.build_full_trainset()).predict(9, "t").est == 5.0


def test_recommend_scores_are_surprises_predictions(split):
    train, _ = split
    model = KNNRecommender(k=10, similarity="cosine", user_based=False).fit(train)
    recs = model.recommend(n=5)
    data = Dataset.load_from_df(train[["user", "item", "rating"]], Reader(rating_scale=(1, 5)))
    algo = KNNBasic(k=10, sim_options={"name": "cosine", "user_based": False}, verbose=False)
    algo.fit(data.build_full_trainset())
    theirs = [algo.predict(u, i).est for u, i in zip(recs["user"], recs["item"], strict=True)]
    np.testing.assert_allclose(recs["score"], theirs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("metric", ["msd", "cosine", "pearson"])
def test_corated_sums_equal_sparse_products(metric):
    # the kernel against the four sums as matrix products, a few rows per block
    rng = np.random.default_rng(3)
    dense = rng.integers(1, 6, (30, 25)) * (rng.random((30, 25)) < 0.3)
    X = sp.csr_matrix(dense.astype(float))
    B = (X != 0).astype(float)
    n, prods = (B @ B.T).toarray(), (X @ X.T).toarray()
    sq, s = (X.multiply(X) @ B.T).toarray(), (X @ B.T).toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "msd":
            expected = 1.0 / ((sq + sq.T - 2.0 * prods) / n + 1.0)
        elif metric == "cosine":
            expected = prods / np.sqrt(sq * sq.T)
        else:
            num, den = n * prods - s * s.T, np.sqrt((n * sq - s**2) * (n * sq.T - s.T**2))
            expected = np.where(den == 0, 0.0, num / den)
    expected = np.where(n == 0, 0.0, expected)
    np.fill_diagonal(expected, 1.0)
    for block_rows in (1, 7, 512):
        got = sparse_similarities(X, metric, block_rows=block_rows)
        np.testing.assert_array_equal(got, expected)  # integer sums: bit for bit


def test_similarity_ranks_are_dense_ranks():
    rng = np.random.default_rng(0)
    sim = rng.integers(0, 6, (20, 30)) / 5.0  # many ties
    expected = np.vstack([rankdata(-row, method="dense") - 1 for row in sim])
    np.testing.assert_array_equal(similarity_ranks(sim), expected)
    assert similarity_ranks(sim).dtype == np.int16


# ------------------------------------------------ MovieLens-100k: the same bits (slow)
@pytest.fixture(scope="module")
def movielens():
    from recsys_lab.data import load_movielens

    try:
        return load_movielens("100k").ratings[["user", "item", "rating"]]
    except FileNotFoundError:
        pytest.skip("needs MovieLens-100k offline (RecBole's copy or the cache folder)")


@pytest.mark.slow
@pytest.mark.parametrize("similarity", ["msd", "cosine", "pearson"])
@pytest.mark.parametrize("user_based", [True, False])
def test_kernel_equals_the_plain_vote_on_movielens(movielens, monkeypatch, similarity, user_based):
    model = KNNRecommender(k=40, similarity=similarity, user_based=user_based).fit(movielens)
    fast = model._scores(np.arange(len(model.users_)))
    plain = plain_scores(model)
    assert_same_estimates(fast, plain)
    lists = model.recommend(n=10)
    monkeypatch.setattr(model, "_scores", lambda u: plain[u])
    pd.testing.assert_frame_equal(model.recommend(n=10), lists)  # the same top-10 lists


def surprise_vote(algo, x, y, in_training_order):
    """Surprise's ``KNNBasic.estimate`` for inner ids ``x, y``, as written in its knns.py.

    Its ``k_neighbors`` are summed by similarity, as Surprise does, or in training order.
    """
    candidates = [(algo.sim[x, x2], at, r) for at, (x2, r) in enumerate(algo.yr[y])]
    k_neighbors = heapq.nlargest(algo.k, candidates, key=lambda t: t[0])
    if in_training_order:
        k_neighbors.sort(key=lambda t: t[1])
    sum_sim = sum_ratings = 0.0
    for sim, _, r in k_neighbors:
        if sim > 0:
            sum_sim += sim
            sum_ratings += sim * r
    return sum_ratings / sum_sim


@pytest.mark.slow
@pytest.mark.parametrize("similarity", ["msd", "cosine", "pearson"])
@pytest.mark.parametrize("user_based", [True, False])
def test_surprise_neighbours_in_training_order_on_movielens(movielens, similarity, user_based):
    train, test = movielens.iloc[20_000:], movielens.iloc[:20_000:10]
    data = Dataset.load_from_df(train, Reader(rating_scale=(1, 5)))
    algo = KNNBasic(sim_options={"name": similarity, "user_based": user_based}, verbose=False)
    trainset = data.build_full_trainset()
    algo.fit(trainset)
    model = KNNRecommender(similarity=similarity, user_based=user_based).fit(train)
    ours = model.predict_details(test["user"], test["item"])
    for (u, i), est, fell_back in zip(
        zip(test["user"], test["item"], strict=True),
        ours["estimate"],
        ours["fallback"],
        strict=True,
    ):
        if fell_back:
            continue
        inner = trainset.to_inner_uid(u), trainset.to_inner_iid(i)
        x, y = inner if user_based else inner[::-1]
        assert surprise_vote(algo, x, y, in_training_order=False) == algo.estimate(*inner)[0]
        assert surprise_vote(algo, x, y, in_training_order=True) == est
