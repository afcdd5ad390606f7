"""Retrieve-then-rank: features by hand, balanced weights, the pipeline's contract and learning."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression

from recsys_lab.data import make_marketing
from recsys_lab.evaluation import metrics
from recsys_lab.evaluation.model_selection import per_user_split
from recsys_lab.models import ImplicitALS, PopularityRecommender
from recsys_lab.models.two_stage import TwoStageRecommender, balanced_weights, candidate_features

# users 1, 2, 3; item a known by all three, b by 1 and 2, c by 1; d, e by nobody
SEEN = pd.DataFrame({"user": [1, 1, 1, 2, 2, 3], "item": ["a", "b", "c", "a", "b", "a"]})
ITEMS = pd.DataFrame(
    {
        "item": ["a", "b", "c", "d", "e"],
        "year": [1990.0, 2000.0, np.nan, 1995.0, 2010.0],
        "genres": ["x", "x|y", "y", "y", "z"],
    }
)
USERS = pd.DataFrame({"user": [1, 2, 3], "age": [20, 30, 40]})


def test_candidate_features_by_hand():
    cands = pd.DataFrame(
        {
            "user": [3, 3, 3, 2],
            "item": ["b", "c", "d", "e"],
            "score": [3.0, 2.0, 1.0, 0.5],
            "rank": [1, 2, 3, 1],
        }
    )
    scorer = PopularityRecommender().fit(SEEN)  # b: 2 users, c: 1, d: unknown
    f = candidate_features(cands, SEEN, {"pop": scorer}, ITEMS, USERS, tags="genres")
    assert list(f.columns) == [
        "retriever_rank",
        "retriever_score",
        "pop_rank",
        "item_popularity",
        "user_activity",
        "tag_match",
        "year",
        "year_gap",
        "age",
    ]
    assert f["retriever_rank"].tolist() == [1, 2, 3, 1]
    # user 3's scores 3, 2, 1: mean 2, population sd sqrt(2/3); user 2 has one candidate
    np.testing.assert_allclose(f["retriever_score"], [1.5**0.5, 0, -(1.5**0.5), 0])
    # the scorer ranks b (2 users) above c (1 user); d and e are unknown to it: NaN
    np.testing.assert_array_equal(f["pop_rank"], [1, 2, np.nan, np.nan])
    np.testing.assert_allclose(f["item_popularity"], [2 / 6, 1 / 6, 0, 0])  # d, e: nobody
    np.testing.assert_allclose(f["user_activity"], [1 / 2, 1 / 2, 1 / 2, 1])  # mean is 2
    # user 3 knows a (x): b = x|y -> 1/sqrt(2); c = y and d = y -> 0; user 2 (x, x|y) vs z
    np.testing.assert_allclose(f["tag_match"], [2**-0.5, 0, 0, 0], atol=1e-15)
    np.testing.assert_array_equal(f["year"], [2000, np.nan, 1995, 2010])
    # user 3 saw a (1990); user 2 saw a and b: mean 1995
    np.testing.assert_array_equal(f["year_gap"], [10, np.nan, 5, 15])
    np.testing.assert_array_equal(f["age"], [40, 40, 40, 30])


def test_candidate_features_without_side_information_and_unknown_ids():
    cands = pd.DataFrame({"user": [1, 9], "item": ["d", "a"], "score": [1.0, 1.0], "rank": [1, 1]})
    f = candidate_features(cands, SEEN)
    assert list(f.columns) == [
        "retriever_rank",
        "retriever_score",
        "item_popularity",
        "user_activity",
    ]
    assert f["item_popularity"].tolist() == [0.0, 3 / 6]
    assert f["user_activity"].iloc[0] == 1.5 and np.isnan(f["user_activity"].iloc[1])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"items": ITEMS[["item", "year"]].assign(title="t")},
            ValueError,
            r"non-numeric column\(s\) \['title'\]",
        ),
        (
            {"items": pd.concat([ITEMS, ITEMS.iloc[:1]])},
            ValueError,
            "lists item 'a' more than once",
        ),
        ({"items": ITEMS.rename(columns={"item": "sku"})}, ValueError, "with a 'item' column"),
        ({"tags": "genres"}, ValueError, "no items table was given"),
        ({"items": ITEMS, "tags": "genre"}, ValueError, "tags='genre' is not a column"),
        ({"users": USERS.assign(gender="F")}, ValueError, r"non-numeric column\(s\) \['gender'\]"),
    ],
    ids=["text column", "duplicate item", "no id column", "tags alone", "bad tags", "text user"],
)
def test_candidate_features_bad_side_information(kwargs, error, message):
    cands = pd.DataFrame({"user": [1], "item": ["d"], "score": [1.0], "rank": [1]})
    with pytest.raises(error, match=message):
        candidate_features(cands, SEEN, **kwargs)


def test_candidate_features_need_scores_and_ranks():
    with pytest.raises(ValueError, match="retriever's score and rank"):
        candidate_features(pd.DataFrame({"user": [1], "item": ["d"]}), SEEN)


def test_balanced_weights_by_hand():
    users = np.array(["u", "u", "u", "v", "v", "w"])
    labels = np.array([1, 1, 0, 0, 0, 1])
    # u: two positives share 1/2, one negative 1/2; v has no positive, w no negative
    assert balanced_weights(users, labels).tolist() == [0.25, 0.25, 0.5, 0.0, 0.0, 0.0]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=1, max_size=60))
def test_balanced_weights_give_each_usable_user_half_and_half(pairs):
    users = np.array([u for u, _ in pairs])
    labels = np.array([y for _, y in pairs])
    w = balanced_weights(users, labels)
    for user in np.unique(users):
        mine = users == user
        if labels[mine].all() or not labels[mine].any():
            assert (w[mine] == 0).all()
        else:
            assert w[mine & labels].sum() == pytest.approx(0.5)
            assert w[mine & ~labels].sum() == pytest.approx(0.5)


# ------------------------------------------------------------------------ the pipeline
@pytest.fixture(scope="module")
def shop():
    return make_marketing(n_users=120, n_items=40, mean_ratings=10, seed=3)


@pytest.fixture(scope="module")
def clicks(shop):
    return shop.ratings[["user", "item", "rating"]]


def small(**params) -> TwoStageRecommender:
    return TwoStageRecommender(
        ImplicitALS(n_factors=4, reg=1.0, n_iter=5), n_candidates=20, **params
    )


def test_fit_leaves_the_frame_untouched_and_is_deterministic(clicks):
    before = clicks.copy(deep=True)
    a = small().fit(clicks)
    pd.testing.assert_frame_equal(clicks, before)
    b = clone(small()).fit(clicks)
    pd.testing.assert_frame_equal(a.recommend(n=5), b.recommend(n=5))
    users, items = clicks["user"].iloc[:30], clicks["item"].iloc[::-1].iloc[:30]
    np.testing.assert_array_equal(a.predict(users, items), b.predict(users, items))


def test_lists_are_reordered_candidates_without_seen_items(clicks):
    model = small().fit(clicks)
    recs = model.recommend(n=8)
    assert recs.columns.tolist() == ["user", "item", "score", "rank", "fallback"]
    pairs = set(zip(recs["user"], recs["item"], strict=True))
    candidates = model.candidates()
    assert pairs <= set(zip(candidates["user"], candidates["item"], strict=True))
    assert not pairs & set(zip(clicks["user"], clicks["item"], strict=True))
    assert (recs.groupby("user").size() == 8).all()
    assert ((recs["score"] > 0) & (recs["score"] < 1)).all()  # probabilities
    # never longer than the candidate list
    lightest = clicks["user"].value_counts().index[-1]
    assert model.recommend(users=[lightest], n=50).shape[0] == 20


def test_the_retrievers_rank_alone_keeps_the_retrievers_order(clicks):
    model = small(features=["retriever_rank"]).fit(clicks)
    ours = model.recommend(n=10)[["user", "item"]].reset_index(drop=True)
    theirs = model.retriever_.recommend(n=10)[["user", "item"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs)


def test_predict_scores_candidates_and_flags_the_rest(clicks):
    model = small().fit(clicks)
    cands = model.candidates([clicks["user"].iloc[0]])
    user, inside = cands["user"].iloc[0], cands["item"].iloc[0]
    outside = clicks.loc[clicks["user"] == user, "item"].iloc[0]  # seen: never a candidate
    out = model.predict_details([user, user, "nobody"], [inside, outside, inside])
    assert out["fallback"].tolist() == [False, True, True]
    assert 0 < out["estimate"].iloc[0] < 1 and out["estimate"].iloc[1] == 0.0
    recs = model.recommend(users=[user], n=3)
    top = recs["item"].iloc[0]
    assert model.predict([user], [top])[0] == pytest.approx(recs["score"].iloc[0], abs=1e-9)


def test_pickle_round_trip(clicks):
    model = small().fit(clicks)
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(again.recommend(n=4), model.recommend(n=4))


def test_the_ranker_learns_a_signal_the_retriever_cannot_see():
    """Each user clicks only items of their own kind; popularity ignores kinds."""
    rng = np.random.default_rng(0)
    kinds = np.arange(60) % 2  # items 0..59, two kinds
    rows = []
    for user in range(300):
        own = np.flatnonzero(kinds == user % 2)
        weights = 1.0 / (1 + own)  # a long tail within each kind
        picked = rng.choice(own, size=8, replace=False, p=weights / weights.sum())
        rows += [(user, int(item)) for item in picked]
    clicks = pd.DataFrame(rows, columns=["user", "item"])
    items = pd.DataFrame({"item": np.arange(60), "genres": np.where(kinds == 1, "odd", "even")})
    train, test = per_user_split(clicks, 0.25)
    retriever = PopularityRecommender()
    model = TwoStageRecommender(retriever, n_candidates=40, items=items, tags="genres").fit(train)
    before = metrics.ndcg_at_k(retriever.fit(train).recommend(n=10), test)
    after = metrics.ndcg_at_k(model.recommend(n=10), test)
    assert model.label_recall_ > 0.8
    assert after > before + 0.15, (before, after)
    kinds_listed = kinds[model.recommend(n=10)["item"].to_numpy()]
    users_listed = model.recommend(n=10)["user"].to_numpy() % 2
    assert (kinds_listed == users_listed).mean() > 0.95  # popularity alone: about 1/2


def test_any_classifier_can_rank(clicks):
    model = small(ranker=LogisticRegression(max_iter=500)).fit(clicks)
    assert isinstance(model.ranker_, LogisticRegression)
    assert len(model.recommend(n=3)) == 3 * clicks["user"].nunique()


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"ranker": LinearRegression()}, TypeError, "classifier with predict_proba"),
        ({"retriever": "als"}, TypeError, "retriever must be a recsys_lab recommender"),
        ({"scorers": {"x": 3}}, TypeError, "x must be a recsys_lab recommender"),
        ({"features": ["retriever_rnak"]}, ValueError, r"unknown: \['retriever_rnak'\]"),
        ({"features": []}, ValueError, "features must name some"),
        ({"n_candidates": 0}, ValueError, "n_candidates must be >= 1"),
        ({"label_size": 1.5}, ValueError, "label_size must be strictly between 0 and 1"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_bad_parameters_get_clear_errors(clicks, params, error, message):
    model = small()
    model.set_params(**params)
    with pytest.raises(error, match=message):
        model.fit(clicks)


def test_no_positive_label_is_a_clear_error():
    # each user's two items are theirs alone: a held-out item is unknown to the retriever
    clicks = pd.DataFrame({"user": [1, 1, 2, 2, 3, 3], "item": ["a", "b", "c", "d", "e", "f"]})
    with pytest.raises(ValueError, match="no positive example"):
        TwoStageRecommender(PopularityRecommender(), n_candidates=1).fit(clicks)
