"""Splits of recsys_lab.evaluation.model_selection, pinned on hand-made ratings."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from recsys_lab.evaluation import model_selection as ms

# user 1: five ratings (two share timestamp 4); user 2: two; user 3: one; user 4: four
RATINGS = pd.DataFrame(
    {
        "user": [1, 2, 1, 3, 1, 4, 1, 2, 4, 1, 4, 4],
        "item": list("abcdefghijkl"),
        "rating": [5.0, 3, 4, 2, 1, 5, 3, 4, 2, 5, 1, 4],
        "timestamp": [10, 3, 4, 7, 4, 1, 12, 9, 2, 6, 5, 8],
    },
    index=[f"r{i}" for i in range(12)],
)


def _assert_partition(ratings, *parts):
    """No rating lost, none duplicated, every row unchanged."""
    joined = pd.concat(parts)
    assert len(joined) == len(ratings) and not joined.index.has_duplicates
    pd.testing.assert_frame_equal(joined.loc[ratings.index], ratings)


ALL_SPLITS = [
    lambda r: ms.random_split(r, 0.25),
    lambda r: ms.per_user_split(r, 0.25),
    lambda r: ms.temporal_split(r, 0.25),
    lambda r: ms.leave_last_out(r, 2),
    lambda r: ms.split_by_time(r, 0.25),
]


@pytest.mark.parametrize("split", ALL_SPLITS)
def test_no_rating_lost_duplicated_or_modified(split):
    before = RATINGS.copy()
    train, test = split(RATINGS)
    _assert_partition(RATINGS, train, test)
    pd.testing.assert_frame_equal(RATINGS, before)


def test_temporal_split_is_one_cut_in_time():
    train, test = ms.temporal_split(RATINGS, test_size=0.25)  # round(3.0) = 3 held out
    assert test["item"].tolist() == ["h", "a", "g"]  # timestamps 9, 10, 12, in time order
    assert train["timestamp"].max() <= test["timestamp"].min()
    assert train["timestamp"].is_monotonic_increasing
    # a cut through equal timestamps: row order decides (c before e, both at 4)
    train, test = ms.temporal_split(RATINGS, test_size=8 / 12)
    assert "c" in train["item"].tolist() and "e" in test["item"].tolist()


def test_leave_last_out_by_hand():
    train, test = ms.leave_last_out(RATINGS)
    assert test["item"].tolist() == ["l", "h", "g"]  # 4 at 8, 2 at 9, 1 at 12; 3 stays
    train, test = ms.leave_last_out(RATINGS, n=2)
    # user 1: g (12), a (10); user 2 keeps b; user 4: l (8), k (5)
    assert sorted(test["item"]) == ["a", "g", "h", "k", "l"]
    assert set(train["user"]) == {1, 2, 3, 4}
    # equal timestamps: the later row is the later rating
    tied = pd.DataFrame({"user": [1, 1], "item": ["x", "y"], "timestamp": [5, 5]})
    assert ms.leave_last_out(tied)[1]["item"].tolist() == ["y"]


def test_split_by_time_is_the_per_user_latest_share():
    test = ms.split_by_time(RATINGS, test_fraction=0.4)[1]
    # user 1: round(2.0) = 2 (g, a); user 2: round(0.8) = 1 (h); user 4: round(1.6) = 2 (l, k)
    assert sorted(test["item"]) == ["a", "g", "h", "k", "l"]
    assert test["timestamp"].is_monotonic_increasing


def test_per_user_split_shares_and_every_test_user_keeps_training_data():
    train, test = ms.per_user_split(RATINGS, test_size=0.4, random_state=3)
    assert test.groupby("user").size().to_dict() == {1: 2, 2: 1, 4: 2}  # as above, at random
    assert set(test["user"]) <= set(train["user"]) and 3 not in set(test["user"])
    assert list(test.index) == sorted(test.index, key=RATINGS.index.get_loc)  # row order
    again = ms.per_user_split(RATINGS, test_size=0.4, random_state=3)[1]
    pd.testing.assert_frame_equal(test, again)
    others = {tuple(ms.per_user_split(RATINGS, 0.4, random_state=s)[1]["item"]) for s in range(8)}
    assert len(others) > 1


def test_random_split_size_and_seed():
    train, test = ms.random_split(RATINGS, test_size=0.25, random_state=1)
    assert len(test) == 3 and len(train) == 9
    pd.testing.assert_frame_equal(test, ms.random_split(RATINGS, 0.25, random_state=1)[1])


def test_train_validation_test_split_in_time():
    train, validation, test = ms.train_validation_test_split(RATINGS, test_size=0.25)
    _assert_partition(RATINGS, train, validation, test)
    assert (len(train), len(validation), len(test)) == (7, 2, 3)  # 3 of 12, then 2 of 9
    assert train["timestamp"].max() <= validation["timestamp"].min()
    assert validation["timestamp"].max() <= test["timestamp"].min()
    train, validation, test = ms.train_validation_test_split(RATINGS, ms.leave_last_out)
    # each user's second-latest; user 2, left with one rating after the test split, keeps it
    assert validation["item"].tolist() == ["k", "a"]
    _assert_partition(RATINGS, train, validation, test)


def test_duplicate_index_labels_are_split_by_position():
    ratings = RATINGS.reset_index(drop=True)
    ratings.index = [0] * 12
    train, test = ms.temporal_split(ratings, 0.25)
    assert len(train) + len(test) == 12 and set(train["item"]).isdisjoint(test["item"])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: ms.temporal_split(RATINGS, 0), ValueError, "test_size must be strictly"),
        (lambda: ms.per_user_split(RATINGS, 1.0), ValueError, "test_size must be strictly"),
        (lambda: ms.random_split(RATINGS, -0.2), ValueError, "test_size must be strictly"),
        (lambda: ms.random_split(RATINGS, True), TypeError, "test_size must be a number"),
        (lambda: ms.split_by_time(RATINGS, 1.5), ValueError, "test_fraction must be strictly"),
        (
            lambda: ms.temporal_split(RATINGS.drop(columns="timestamp")),
            ValueError,
            "need a 'timestamp' column",
        ),
        (lambda: ms.leave_last_out(RATINGS, time="when"), ValueError, "need a 'when' column"),
        (
            lambda: ms.leave_last_out(RATINGS.assign(timestamp=np.nan)),
            ValueError,
            "missing value",
        ),
        (lambda: ms.leave_last_out(RATINGS, n=0), ValueError, "n must be >= 1"),
        (
            lambda: ms.per_user_split(RATINGS.drop_duplicates("user")),
            ValueError,
            "no user has two or more ratings",
        ),
        (lambda: ms.random_split(RATINGS.iloc[:1]), ValueError, "at least two ratings"),
        (
            lambda: ms.temporal_split(pd.concat([RATINGS, RATINGS.iloc[:1]])),
            ValueError,
            "duplicate \\(user, item\\)",
        ),
        (lambda: ms.train_validation_test_split(RATINGS, "temporal"), TypeError, "split must"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=40, deadline=None)
@given(
    hs.lists(hs.tuples(hs.integers(0, 5), hs.integers(0, 3)), min_size=2, max_size=40),
    hs.sampled_from([0.1, 0.3, 0.5, 0.9]),
)
def test_property_every_split_partitions_and_respects_time(rows, size):
    users = [u for u, _ in rows]
    ratings = pd.DataFrame(
        {"user": users, "item": range(len(rows)), "timestamp": [t for _, t in rows]}
    )
    if ratings["user"].value_counts().max() < 2:
        return
    for split in (ms.random_split, ms.per_user_split, ms.temporal_split, ms.split_by_time):
        train, test = split(ratings, size)
        _assert_partition(ratings, train, test)
    train, test = ms.temporal_split(ratings, size)
    assert train["timestamp"].max() <= test["timestamp"].min()
    for train, test in (ms.per_user_split(ratings, size), ms.split_by_time(ratings, size)):
        assert set(test["user"]) <= set(train["user"])
        counts = ratings.groupby("user").size()
        expected = np.minimum(np.maximum(np.round(size * counts), 1), counts - 1)
        got = test.groupby("user").size().reindex(counts.index, fill_value=0)
        assert (got == expected).all()
    train, test = ms.split_by_time(ratings, size)
    earliest_test = test.groupby("user")["timestamp"].min()
    latest_train = train.groupby("user")["timestamp"].max().loc[earliest_test.index]
    assert (earliest_test >= latest_train).all()
