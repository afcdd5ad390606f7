"""Adapters between pandas and Surprise: datasets in, tidy tables and fast top-N out.

Never call ``surprise.Dataset.load_builtin``: it asks on the terminal and downloads.
Build datasets from DataFrames with :func:`to_dataset` (the shop, or MovieLens files
read by :func:`recsys_lab.data.load_movielens`). :func:`algorithms` lists Surprise's
eleven prediction algorithms with the settings of its published benchmark, and
:func:`kfold` gives Surprise's cross-validation folds as DataFrames, so that any other
recommender can be scored on exactly the same folds.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from surprise import (
    NMF,
    SVD,
    BaselineOnly,
    CoClustering,
    Dataset,
    KNNBaseline,
    KNNBasic,
    KNNWithMeans,
    KNNWithZScore,
    NormalPredictor,
    Reader,
    SlopeOne,
    SVDpp,
)
from surprise.prediction_algorithms.algo_base import AlgoBase

from recsys_lab._validation import check_positive_int, check_ratings
from recsys_lab.models.base import top_n as top_n_columns
from recsys_lab.models.factorization import check_scale
from recsys_lab.models.surprise_adapter import loop_scores, parameter_scores

if TYPE_CHECKING:  # pragma: no cover
    from surprise.model_selection import GridSearchCV


def to_dataset(ratings: pd.DataFrame, rating_scale: tuple[float, float] | None = None) -> Dataset:
    """A ``surprise.Dataset`` from a DataFrame ``user, item, rating``, validated first.

    Duplicate pairs, missing values and ratings outside ``rating_scale`` (default:
    the data's range) raise a clear error instead of silently skewing Surprise.

    >>> df = pd.DataFrame({"user": [1, 2], "item": ["a", "a"], "rating": [4.0, 2.0]})
    >>> to_dataset(df).build_full_trainset().n_ratings
    2
    """
    df = check_ratings(ratings)
    scale = check_scale(df["rating"].to_numpy(float), rating_scale)
    return Dataset.load_from_df(df[["user", "item", "rating"]], Reader(rating_scale=scale))


def algorithms(random_state: int = 0) -> dict[str, AlgoBase]:
    """Surprise's eleven prediction algorithms, with its benchmark's settings.

    Default parameters everywhere, ``random_state`` for the four that draw random
    numbers at fit time (SVD, SVD++, NMF, CoClustering), ``cache_ratings=True`` for
    SVD++ (same numbers, faster) and ``verbose=False`` for those that print. This is
    Surprise's ``examples/benchmark.py`` (which makes the README's published table),
    plus ``KNNWithZScore``, which that table leaves out. ``NormalPredictor`` draws its
    predictions from numpy's global generator: seed it (``np.random.seed``) before
    testing, as that script does.

    >>> list(algorithms())[:3]
    ['NormalPredictor', 'BaselineOnly', 'KNNBasic']
    >>> len(algorithms())
    11
    """
    quiet = {"verbose": False}
    return {
        "NormalPredictor": NormalPredictor(),
        "BaselineOnly": BaselineOnly(**quiet),
        "KNNBasic": KNNBasic(**quiet),
        "KNNWithMeans": KNNWithMeans(**quiet),
        "KNNWithZScore": KNNWithZScore(**quiet),
        "KNNBaseline": KNNBaseline(**quiet),
        "SVD": SVD(random_state=random_state),
        "SVDpp": SVDpp(random_state=random_state, cache_ratings=True),
        "NMF": NMF(random_state=random_state),
        "SlopeOne": SlopeOne(),
        "CoClustering": CoClustering(random_state=random_state),
    }


def kfold(
    ratings: pd.DataFrame, n_splits: int = 5, random_state: int = 0
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """The ``(train, test)`` frames of ``surprise.model_selection.KFold``, in its order.

    ``KFold(n_splits, random_state=random_state).split(to_dataset(ratings))`` shuffles
    the row positions with ``numpy.random.RandomState(random_state)`` and cuts them into
    ``n_splits`` consecutive blocks (the first ``len % n_splits`` one row longer); block
    ``f`` is fold ``f``'s test set, the other blocks in order its training set. The frames
    hold the same ratings in the same order as Surprise's trainset and testset, so a
    recommender fitted on ``train`` sees its users and items in Surprise's inner order —
    :class:`~recsys_lab.models.sgd_mf.SGDMatrixFactorization` then learns exactly
    Surprise's SVD. With GroupLens's ``u.data`` order (that of
    :func:`recsys_lab.data.load_movielens`) and ``random_state=0`` these are the
    folds of Surprise's published MovieLens-100k table.

    >>> r = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": list("abcab"), "rating": 3.0})
    >>> [(len(train), len(test)) for train, test in kfold(r, n_splits=2)]
    [(2, 3), (3, 2)]
    """
    n_splits = check_positive_int(n_splits, "n_splits", minimum=2)
    df = check_ratings(ratings)
    if n_splits > len(df):
        raise ValueError(f"{len(df)} ratings cannot be split into {n_splits} folds.")
    order = np.arange(len(df))
    np.random.RandomState(random_state).shuffle(order)
    sizes = np.full(n_splits, len(df) // n_splits)
    sizes[: len(df) % n_splits] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    folds = []
    for start, stop in itertools.pairwise(bounds):
        rest = np.concatenate([order[:start], order[stop:]])
        folds.append((ratings.iloc[rest], ratings.iloc[order[start:stop]]))
    return folds


def predictions_frame(predictions: Iterable) -> pd.DataFrame:
    """Surprise ``Prediction`` objects as ``user, item, rating, estimate, impossible``.

    >>> from surprise import Prediction
    >>> predictions_frame([Prediction(1, "a", 4.0, 3.5, {"was_impossible": False})]).shape
    (1, 5)
    """
    rows = [
        (p.uid, p.iid, p.r_ui, p.est, bool(p.details.get("was_impossible", False)))
        for p in predictions
    ]
    return pd.DataFrame(rows, columns=["user", "item", "rating", "estimate", "impossible"])


def top_n(algo: AlgoBase, users: Iterable[Hashable] | None = None, n: int = 10) -> pd.DataFrame:
    """Top-``n`` unseen items for each user from any fitted Surprise algorithm.

    SVD, SVD++, NMF and BaselineOnly are scored for all items at once from their
    learned biases and factors; any other algorithm falls back to ``algo.predict`` over
    every pair, with a progress bar. Items are ranked on the *unclipped* estimate (the
    ``score`` column): clipped to the scale, every item estimated above its top would tie
    (SVD's defaults fitted on 80 % of MovieLens-100k: 13 % of users' top-10 lists would).
    Ties keep Surprise's inner item order; impossible pairs are left out.

    Returns ``user, item, score, rank``.
    """
    ts = algo.trainset
    raw_users = [ts.to_raw_uid(u) for u in ts.all_users()] if users is None else list(users)
    inner, unknown = [], []
    for u in raw_users:
        try:
            inner.append(ts.to_inner_uid(u))
        except ValueError:
            unknown.append(u)
    if unknown:
        raise ValueError(f"Unknown user(s) {unknown[:5]}: they were not in the training set.")
    codes = np.array(inner, dtype=int)
    est = parameter_scores(algo, codes)
    if est is None:
        est = loop_scores(algo, codes)
    est[np.isnan(est)] = -np.inf
    for row, u in enumerate(codes):
        est[row, [j for j, _ in ts.ur[u]]] = -np.inf
    rows, cols, scores, rank = top_n_columns(est, n)
    items = np.array([ts.to_raw_iid(j) for j in range(ts.n_items)], dtype=object)
    return pd.DataFrame(
        {
            "user": np.array(raw_users, dtype=object)[rows],
            "item": items[cols],
            "score": scores,
            "rank": rank,
        }
    )


def cv_table(results: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    """A tidy table from ``{name: surprise.model_selection.cross_validate(...)}``.

    One row per algorithm: mean and standard deviation of every ``test_*`` measure
    and the mean fit and test times, sorted by the first measure.
    """
    rows = []
    for name, res in results.items():
        row: dict[str, object] = {"algorithm": name}
        for key, values in res.items():
            values = np.asarray(values, dtype=float)
            if key in ("fit_time", "test_time"):
                row[key] = values.mean()
            else:
                row[key.removeprefix("test_")] = values.mean()
                row[f"{key.removeprefix('test_')}_std"] = values.std()
        rows.append(row)
    table = pd.DataFrame(rows)
    first = next(c for c in table.columns if c not in ("algorithm",))
    return table.sort_values(first, kind="stable").reset_index(drop=True)


def grid_table(grid: GridSearchCV, measure: str = "rmse") -> pd.DataFrame:
    """A tidy table from a fitted ``surprise.model_selection.GridSearchCV``.

    One row per parameter combination, best (lowest mean ``measure``) first, with
    columns for the parameters, ``mean_<measure>``, ``std_<measure>`` and
    ``mean_fit_time``.
    """
    res = grid.cv_results
    table = pd.DataFrame(res["params"])
    table[f"mean_{measure}"] = res[f"mean_test_{measure}"]
    table[f"std_{measure}"] = res[f"std_test_{measure}"]
    table["mean_fit_time"] = res["mean_fit_time"]
    return table.sort_values(f"mean_{measure}", kind="stable").reset_index(drop=True)
