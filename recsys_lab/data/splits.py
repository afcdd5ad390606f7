"""Splitting ratings into train and test, honestly.

Each split returns ``(train, test)``; none loses, duplicates or modifies a rating:

==========================  ===============================================================
:func:`random_split`        a random share of all ratings (leaks the future into training)
:func:`per_user_split`      a random share of *each* user's ratings; every test user keeps
                            training data
:func:`temporal_split`      one global cut in time: test is everything after it
:func:`leave_last_out`      each user's latest ``n`` ratings
:func:`split_by_time`       each user's latest share of ratings
==========================  ===============================================================

:func:`train_validation_test_split` applies a split twice, so that parameters are tuned
on the validation part and the test part is looked at once, at the end;
:func:`kfold_indices` gives k-fold folds. Temporal splits order ratings by
``timestamp``; equal timestamps keep their row order. :mod:`recsys_lab.evaluation.model_selection`
re-exports every split.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int, check_ratings, check_share

# ----------------------------------------------------------------------------- splits
Split = tuple[pd.DataFrame, pd.DataFrame]


def time_order(ratings: pd.DataFrame, time: str = "timestamp") -> np.ndarray:
    """Row positions sorted by ``time``; equal times keep their row order.

    Every temporal split orders the ratings this way, and refuses a missing column or
    missing times with the same message.

    >>> time_order(pd.DataFrame({"timestamp": [3, 1, 1]})).tolist()
    [1, 2, 0]
    """
    if time not in ratings.columns:
        raise ValueError(
            f"ratings need a {time!r} column to split by time; they have "
            f"{', '.join(map(str, ratings.columns))}. Pass time='<column>', or split at "
            f"random with per_user_split / random_split."
        )
    stamps = ratings[time].reset_index(drop=True)
    if stamps.isna().any():
        raise ValueError(f"ratings[{time!r}] has {int(stamps.isna().sum())} missing value(s).")
    return stamps.sort_values(kind="stable").index.to_numpy()


def _parts(ratings: pd.DataFrame, order: np.ndarray, is_test: np.ndarray, sort: bool) -> Split:
    """The rows at ``order[~is_test]`` and ``order[is_test]``; in row order if ``sort``."""
    train, test = order[~is_test], order[is_test]
    if sort:
        train, test = np.sort(train), np.sort(test)
    return ratings.iloc[train], ratings.iloc[test]


def _last_per_user(
    ratings: pd.DataFrame, order: np.ndarray, n_test: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Mask (in ``order``) of each user's last ``n_test(size)`` rows, never all of them."""
    codes = pd.factorize(ratings["user"].to_numpy()[order])[0]
    size = np.bincount(codes)[codes]
    from_end = pd.Series(codes).groupby(codes).cumcount(ascending=False).to_numpy()
    is_test = from_end < np.minimum(n_test(size), size - 1)
    if not is_test.any():
        raise ValueError(
            "no user has two or more ratings, so none can be held out while keeping "
            "training data; use temporal_split or random_split."
        )
    return is_test


def _last_share(n: int, test_size: float) -> np.ndarray:
    """Mask of the last round(test_size × n) of ``n`` rows, at least one, never all."""
    if n < 2:
        raise ValueError("a split needs at least two ratings.")
    n_test = min(max(round(test_size * n), 1), n - 1)
    return np.arange(n) >= n - n_test


def _share(test_size: float) -> Callable[[np.ndarray], np.ndarray]:
    """round(test_size × n) ratings of a user with n, at least one."""
    return lambda size: np.maximum(np.round(test_size * size), 1)


def random_split(ratings: pd.DataFrame, test_size: float = 0.2, random_state: int = 0) -> Split:
    """A random ``test_size`` share of all ratings (at least one, never all) is the test set.

    The simplest split, and the leakiest: a model trains on ratings made *after* the ones
    it is tested on, and some test users or items may be missing from training. Both
    parts keep the input's row order.

    >>> r = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": list("abcde")})
    >>> train, test = random_split(r, 0.2)
    >>> len(train), len(test)
    (4, 1)
    """
    test_size = check_share(test_size)
    check_ratings(ratings, ("user", "item"))
    order = np.random.default_rng(random_state).permutation(len(ratings))
    return _parts(ratings, order, _last_share(len(ratings), test_size), sort=True)


def per_user_split(ratings: pd.DataFrame, test_size: float = 0.2, random_state: int = 0) -> Split:
    r"""A random ``test_size`` share of each user's ratings is the test set.

    Stratified by user: a user with :math:`n \ge 2` ratings gives
    :math:`\max(1, \operatorname{round}(\text{test\_size} \cdot n))` of them, never all
    (:func:`numpy.round`: halves go to the even number), so every test user keeps training
    data; users with a single rating stay in training. Small users therefore give more than
    ``test_size`` (one of two is half). Both parts keep the input's row order.

    >>> r = pd.DataFrame({"user": [1, 1, 1, 1, 1, 2], "item": list("abcdef")})
    >>> train, test = per_user_split(r, 0.4)
    >>> test["user"].tolist(), sorted(train["user"].unique().tolist())
    ([1, 1], [1, 2])
    """
    test_size = check_share(test_size)
    check_ratings(ratings, ("user", "item"))
    order = np.random.default_rng(random_state).permutation(len(ratings))
    return _parts(ratings, order, _last_per_user(ratings, order, _share(test_size)), sort=True)


def temporal_split(ratings: pd.DataFrame, test_size: float = 0.2, time: str = "timestamp") -> Split:
    r"""One global cut in time: the latest ``test_size`` share of all ratings is the test set.

    What a deployed model faces: it learns from the past and is scored on what came
    after. :math:`\operatorname{round}(\text{test\_size} \cdot N)` ratings (at least one,
    never all) are held out; ratings with the same timestamp as the cut are divided by row
    order. Users or items first seen after the cut appear only in the test set (cold
    start); drop them with ``test[test["user"].isin(train["user"])]`` if a model cannot
    score them. Both parts are in time order.

    >>> r = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": list("abcde"),
    ...                   "timestamp": [5, 1, 2, 4, 3]})
    >>> train, test = temporal_split(r, 0.4)
    >>> test["item"].tolist()
    ['d', 'a']
    """
    test_size = check_share(test_size)
    check_ratings(ratings, ("user", "item"))
    order = time_order(ratings, time)
    return _parts(ratings, order, _last_share(len(ratings), test_size), sort=False)


def leave_last_out(ratings: pd.DataFrame, n: int = 1, time: str = "timestamp") -> Split:
    r"""Each user's latest ``n`` ratings are the test set (leave-one-out for ``n = 1``).

    A user with :math:`m \le n` ratings gives :math:`m - 1` (the training part keeps at
    least one of each user's ratings); users with a single rating stay in training. Equal
    timestamps keep their row order. Both parts are in time order.

    >>> r = pd.DataFrame({"user": [1, 1, 1, 2, 2], "item": list("abcde"),
    ...                   "timestamp": [3, 1, 2, 1, 1]})
    >>> train, test = leave_last_out(r)
    >>> test["item"].tolist()
    ['e', 'a']
    """
    n = check_positive_int(n, "n")
    check_ratings(ratings, ("user", "item"))
    order = time_order(ratings, time)
    is_test = _last_per_user(ratings, order, lambda size: np.full(size.shape, n))
    return _parts(ratings, order, is_test, sort=False)


def split_by_time(
    ratings: pd.DataFrame, test_fraction: float = 0.2, time: str = "timestamp"
) -> Split:
    r"""Each user's latest ``test_fraction`` share of ratings is the test set.

    The per-user, temporal version of :func:`per_user_split`: a user with
    :math:`n \ge 2` ratings gives their latest
    :math:`\max(1, \operatorname{round}(\text{test\_fraction} \cdot n))`, never all;
    users with one rating stay in training. Unlike :func:`temporal_split` there is no
    common cut: one user's test ratings may predate another's training ratings. Both parts
    are in time order.

    >>> r = pd.DataFrame({"user": [1, 1, 1, 2], "item": list("abcd"), "rating": 5.0,
    ...                   "timestamp": [3, 1, 2, 1]})
    >>> train, test = split_by_time(r, 0.34)
    >>> test["item"].tolist()
    ['a']
    """
    test_fraction = check_share(test_fraction, "test_fraction")
    check_ratings(ratings, ("user", "item"))
    order = time_order(ratings, time)
    is_test = _last_per_user(ratings, order, _share(test_fraction))
    return _parts(ratings, order, is_test, sort=False)


def train_validation_test_split(
    ratings: pd.DataFrame, split: Callable[..., Split] = temporal_split, **params: Any
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three parts for honest tuning: ``split`` holds out test, then validation from the rest.

    Tune on ``(train, validation)`` with
    :func:`~recsys_lab.evaluation.model_selection.search`; score the chosen model on
    ``test`` once. With :func:`temporal_split` the validation period comes just before
    the test period; with :func:`leave_last_out` validation is each user's second-latest
    rating. ``params`` go to both calls, so ``test_size=0.2`` gives 20 % test, 16 %
    validation and 64 % training.

    >>> r = pd.DataFrame({"user": [1] * 4 + [2] * 3, "item": list("abcdefg"),
    ...                   "timestamp": [1, 2, 3, 4, 1, 2, 3]})
    >>> train, validation, test = train_validation_test_split(r, leave_last_out)
    >>> test["item"].tolist(), validation["item"].tolist()
    (['g', 'd'], ['f', 'c'])
    """
    if not callable(split):
        raise TypeError(f"split must be a split function such as temporal_split, got {split!r}.")
    rest, test = split(ratings, **params)
    train, validation = split(rest, **params)
    return train, validation, test


def kfold_indices(n: int, n_splits: int = 5, random_state: int = 0) -> list[np.ndarray]:
    """Shuffled, nearly equal folds of ``range(n)`` (test indices of each fold).

    >>> [len(f) for f in kfold_indices(10, 3)]
    [4, 3, 3]
    """
    n_splits = check_positive_int(n_splits, "n_splits", minimum=2)
    if n < n_splits:
        raise ValueError(f"{n} ratings cannot be split into {n_splits} folds.")
    order = np.random.default_rng(random_state).permutation(n)
    return np.array_split(order, n_splits)


def newcomers_by_time(
    ratings: pd.DataFrame, cutoff: pd.Timestamp | str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a log into what was known at ``cutoff`` and the users who arrived after it.

    ``train`` is every rating before ``cutoff``; ``newcomers`` are all ratings of the users
    whose *first* rating comes at or after ``cutoff`` — real newcomers, in time order.
    Ratings after ``cutoff`` by users already known are in neither (they are the old
    users' future, not a cold start).

    >>> t = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-03-02"])
    >>> r = pd.DataFrame({"user": [1, 1, 2, 2], "item": list("abab"), "rating": 4,
    ...                   "timestamp": t})
    >>> train, new = newcomers_by_time(r, "2025-02-15")
    >>> len(train), new["user"].unique().tolist()
    (2, [2])
    """
    check_ratings(ratings, columns=("user", "item"))
    if "timestamp" not in ratings.columns:
        raise ValueError("ratings needs a timestamp column to find who arrived after cutoff.")
    df = ratings
    cutoff = pd.Timestamp(cutoff)
    first = df.groupby("user")["timestamp"].transform("min")
    train = df[df["timestamp"] < cutoff]
    newcomers = df[first >= cutoff].sort_values(["user", "timestamp"], kind="stable")
    if train.empty or newcomers.empty:
        raise ValueError(
            f"cutoff {cutoff} leaves {len(train)} training rating(s) and "
            f"{newcomers['user'].nunique()} newcomer(s); choose a date inside the log."
        )
    return train, newcomers
