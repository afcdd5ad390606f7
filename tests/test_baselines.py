import numpy as np
import pandas as pd
import pytest

from recsys_lab.evaluation.model_selection import split_by_time
from recsys_lab.models.baselines import PopularityRecommender, RandomRecommender
from recsys_lab.teaching.experiments import shop_experiment

RATINGS = pd.DataFrame(
    {
        "user": [1, 1, 2, 2, 3, 3, 3],
        "item": list("abacabd"),
        "rating": 4.0,
        "timestamp": [1, 2, 1, 5, 3, 1, 2],
    }
)


def test_popularity_ranks_by_distinct_users_and_skips_seen():
    model = PopularityRecommender().fit(RATINGS)
    recs = model.recommend(n=2)
    # counts: a 3, b 2, c 1, d 1
    assert recs[recs.user == 1]["item"].tolist() == ["c", "d"]
    assert recs[recs.user == 3]["item"].tolist() == ["c"]  # only c is left unseen
    assert model.recommend(users=[99], n=2)["item"].tolist() == ["a", "b"]  # newcomer


def test_random_is_seeded_and_per_user():
    a = RandomRecommender(random_state=1).fit(RATINGS).recommend(n=2)
    b = RandomRecommender(random_state=1).fit(RATINGS).recommend(n=2)
    pd.testing.assert_frame_equal(a, b)
    seen = set(zip(RATINGS.user, RATINGS.item, strict=True))
    assert not any((u, i) in seen for u, i in zip(a.user, a.item, strict=True))
    catalog = pd.DataFrame({"user": 0, "item": range(40)})
    others = pd.DataFrame({"user": range(1, 50), "item": 0})
    many = RandomRecommender(random_state=0).fit(pd.concat([catalog, others]))
    firsts = many.recommend(n=1)["item"]
    assert firsts.nunique() > 1  # not the same order for everybody


def test_unfitted():
    with pytest.raises(RuntimeError, match="not fitted"):
        PopularityRecommender().recommend()


def test_split_by_time_holds_out_the_latest():
    train, test = split_by_time(RATINGS, test_fraction=0.34)
    assert set(test.index) == {1, 3, 4}  # each user's latest rating
    assert len(train) + len(test) == len(RATINGS) and not set(train.index) & set(test.index)
    latest = RATINGS.groupby("user")["timestamp"].max()
    assert test.set_index("user")["timestamp"].sort_index().tolist() == latest.tolist()
    with pytest.raises(ValueError, match="test_fraction"):
        split_by_time(RATINGS, 1.0)
    with pytest.raises(ValueError, match="'when' column"):
        split_by_time(RATINGS, 0.2, time="when")


def test_shop_experiment_is_cached_and_consistent():
    exp = shop_experiment()
    assert shop_experiment() is exp
    assert (exp.truth["rating"] >= 4).all() and set(exp.truth.index) <= set(exp.test.index)
    for recs in exp.recs.values():
        assert set(recs["user"]) <= set(exp.truth["user"])
        assert recs.groupby("user").size().max() == 10
    assert np.isin(exp.train.index, exp.test.index).sum() == 0
