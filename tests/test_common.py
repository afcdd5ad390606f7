"""One contract, proven for every recommender (in the spirit of scikit-learn's check_estimator).

Each recommender in ``RECOMMENDERS`` is cloned, fitted and checked for: no mutation of
its input, determinism under ``random_state``, seen-item exclusion, the shape of its
lists, unknown ids handled both ways, clear errors on bad frames, and a pickle round trip.
A new recommender joins by adding one line here.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from surprise import SVD, KNNBasic

from recsys_lab.data import make_marketing
from recsys_lab.evaluation.metrics import item_features
from recsys_lab.models import (
    BPR,
    EASE,
    ALSMatrixFactorization,
    ContentBasedRecommender,
    ImplicitALS,
    ItemCosine,
    KNNRecommender,
    KNNWithMeans,
    PopularityRecommender,
    RandomRecommender,
    Recommender,
    SegmentPopularityRecommender,
    SGDMatrixFactorization,
    SurpriseRecommender,
)
from recsys_lab.models.two_stage import TwoStageRecommender

SHOP = make_marketing(n_users=30, n_items=25, mean_ratings=6, seed=4)

RECOMMENDERS = {
    "knn-user-msd": KNNRecommender(k=5),
    "knn-item-cosine": KNNRecommender(k=5, similarity="cosine", user_based=False, min_k=2),
    "sgd": SGDMatrixFactorization(n_factors=4, n_epochs=3, random_state=1),
    "als": ALSMatrixFactorization(n_factors=3, n_iter=2, random_state=1),
    "popularity": PopularityRecommender(),
    "random": RandomRecommender(random_state=3),
    "surprise-svd": SurpriseRecommender(SVD(n_factors=4, n_epochs=3, random_state=1)),
    "surprise-knn": SurpriseRecommender(KNNBasic(k=3, verbose=False)),
    "segment-popularity": SegmentPopularityRecommender(SHOP.users[["user", "segment"]]),
    "content-based": ContentBasedRecommender(
        item_features(SHOP.items, ["category", "brand"], ["price"]), centered=True
    ),
    "ease": EASE(reg=5.0),
    "implicit-als": ImplicitALS(n_factors=4, n_iter=3, random_state=1),
    "implicit-als-exact": ImplicitALS(n_factors=4, n_iter=2, solver="exact", random_state=1),
    "bpr": BPR(n_factors=4, n_epochs=3, lr=0.05, random_state=1),
    "item-cosine": ItemCosine(k=5),
    "knn-means": KNNWithMeans(k=5, min_k=2),
    "two-stage": TwoStageRecommender(
        ImplicitALS(n_factors=4, n_iter=3, random_state=1), n_candidates=10
    ),
}
COLUMNS = ["user", "item", "score", "rank", "fallback"]


@pytest.fixture(scope="module")
def ratings() -> pd.DataFrame:
    return SHOP.ratings


@pytest.fixture(params=list(RECOMMENDERS), ids=list(RECOMMENDERS))
def model(request: pytest.FixtureRequest) -> Recommender:
    return clone(RECOMMENDERS[request.param])


def test_is_an_estimator_whose_params_round_trip(model):
    assert isinstance(model, Recommender)
    params = model.get_params()
    assert "handle_unknown" in params
    assert clone(model).get_params().keys() == params.keys()
    assert not [a for a in vars(model) if a.endswith("_")], "__init__ must only store params"


def test_fit_returns_self_and_leaves_the_frame_untouched(model, ratings):
    before = ratings.copy(deep=True)
    assert model.fit(ratings) is model
    pd.testing.assert_frame_equal(ratings, before)


def test_same_parameters_same_results(model, ratings):
    users, items = ratings["user"].iloc[:20], ratings["item"].iloc[::-1].iloc[:20]
    a, b = clone(model).fit(ratings), clone(model).fit(ratings)
    np.testing.assert_array_equal(a.predict(users, items), b.predict(users, items))
    pd.testing.assert_frame_equal(a.recommend(n=5), b.recommend(n=5))


def test_lists_exclude_seen_items_and_are_ranked(model, ratings):
    recs = model.fit(ratings).recommend(n=4)
    assert recs.columns.tolist() == COLUMNS
    assert set(recs["user"]) == set(ratings["user"])
    seen = set(zip(ratings["user"], ratings["item"], strict=True))
    assert not any(pair in seen for pair in zip(recs["user"], recs["item"], strict=True))
    for _, group in recs.groupby("user"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert len(group) == 4
        assert (np.diff(group["score"].to_numpy()) <= 0).all()
    one = model.recommend(users=[ratings["user"].iloc[0]], n=2)
    assert len(one) == 2


def test_unknown_ids_fall_back_flagged(model, ratings):
    model.fit(ratings)
    out = model.predict_details(
        ["nobody", ratings["user"].iloc[0]], [ratings["item"].iloc[0], "no"]
    )
    assert out.columns.tolist() == ["user", "item", "estimate", "fallback"]
    assert out["fallback"].all()
    assert np.isfinite(out["estimate"]).all()
    recs = model.recommend(users=["nobody"], n=3)
    assert recs["fallback"].all()
    popular = ratings.groupby("item")["user"].nunique().sort_values(ascending=False, kind="stable")
    assert recs["score"].tolist() == popular.iloc[:3].tolist()


def test_unknown_ids_raise_when_asked(model, ratings):
    model.set_params(handle_unknown="error").fit(ratings)
    with pytest.raises(ValueError, match=r"Unknown user\(s\) \['nobody'\].*handle_unknown"):
        model.predict(["nobody"], [ratings["item"].iloc[0]])
    with pytest.raises(ValueError, match=r"Unknown item\(s\) \['no'\]"):
        model.predict([ratings["user"].iloc[0]], ["no"])
    with pytest.raises(ValueError, match="Unknown user"):
        model.recommend(users=["nobody"])


def test_pickle_round_trip(model, ratings):
    model.fit(ratings)
    again = pickle.loads(pickle.dumps(model))
    users, items = ratings["user"].iloc[:10], ratings["item"].iloc[:10]
    np.testing.assert_array_equal(again.predict(users, items), model.predict(users, items))


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        ([[1, "a", 4.0]], TypeError, "must be a pandas DataFrame"),
        (pd.DataFrame({"userId": [1], "item": ["a"], "rating": [4.0]}), ValueError, "missing col"),
        (pd.DataFrame({"user": [], "item": [], "rating": []}), ValueError, "empty"),
        (
            pd.DataFrame({"user": [1, 1], "item": ["a", "a"], "rating": [4.0, 5.0]}),
            ValueError,
            "dup",
        ),
        (
            pd.DataFrame({"user": [None], "item": ["a"], "rating": [4.0]}),
            ValueError,
            "missing user",
        ),
    ],
    ids=["list", "renamed", "empty", "duplicates", "missing-id"],
)
def test_bad_frames_get_clear_errors(model, frame, error, message):
    with pytest.raises(error, match=message):
        model.fit(frame)


def test_bad_calls_get_clear_errors(model, ratings):
    with pytest.raises(RuntimeError, match="not fitted"):
        clone(model).recommend()
    with pytest.raises(ValueError, match="handle_unknown"):
        clone(model).set_params(handle_unknown="ignore").fit(ratings)
    model.fit(ratings)
    with pytest.raises(ValueError, match="n must be >= 1"):
        model.recommend(n=0)
    with pytest.raises(TypeError, match="n must be an integer"):
        model.recommend(n=2.5)
    with pytest.raises(ValueError, match="differ in length"):
        model.predict([1, 2], ["a"])


def test_rating_column_is_needed_only_by_rating_models(model, ratings):
    clicks = ratings[["user", "item"]]
    if model._rating == "required":
        with pytest.raises(ValueError, match="missing column"):
            model.fit(clicks)
    else:
        assert len(model.fit(clicks).recommend(n=2)) == 2 * ratings["user"].nunique()
