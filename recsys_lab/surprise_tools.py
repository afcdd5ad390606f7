"""Adapters between pandas and Surprise: datasets in, tidy tables and fast top-N out.

Never call ``surprise.Dataset.load_builtin``: it asks on the terminal and downloads.
Build datasets from DataFrames with :func:`to_dataset` (the shop, or MovieLens files
read by :func:`recsys_lab.datasets.load_movielens`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import numpy as np
import pandas as pd
from surprise import NMF, SVD, BaselineOnly, Dataset, Reader, SVDpp
from surprise.prediction_algorithms.algo_base import AlgoBase

from recsys_lab._validation import check_ratings
from recsys_lab.mf import _check_scale


def to_dataset(ratings: pd.DataFrame, rating_scale: tuple[float, float] | None = None) -> Dataset:
    """A ``surprise.Dataset`` from a DataFrame ``user, item, rating``, validated first.

    Duplicate pairs, missing values and ratings outside ``rating_scale`` (default:
    the data's range) raise a clear error instead of silently skewing Surprise.

    >>> df = pd.DataFrame({"user": [1, 2], "item": ["a", "a"], "rating": [4.0, 2.0]})
    >>> to_dataset(df).build_full_trainset().n_ratings
    2
    """
    df = check_ratings(ratings)
    scale = _check_scale(df["rating"].to_numpy(float), rating_scale)
    return Dataset.load_from_df(df[["user", "item", "rating"]], Reader(rating_scale=scale))


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


def _estimates(algo: AlgoBase, users: np.ndarray) -> np.ndarray | None:
    """All items' estimates for inner users, from the learned parameters (None: unsupported)."""
    ts = algo.trainset
    mu = ts.global_mean
    if isinstance(algo, SVDpp):
        implicit = np.zeros((len(users), algo.yj.shape[1]))
        for row, u in enumerate(users):
            rated = [j for j, _ in ts.ur[u]]
            implicit[row] = algo.yj[rated].sum(axis=0) / np.sqrt(len(rated))
        dots = (algo.pu[users] + implicit) @ algo.qi.T
        return mu + algo.bu[users][:, None] + algo.bi[None, :] + dots
    if isinstance(algo, SVD | NMF):
        dots = algo.pu[users] @ algo.qi.T
        if not algo.biased:
            return dots
        return mu + algo.bu[users][:, None] + algo.bi[None, :] + dots
    if isinstance(algo, BaselineOnly):
        return mu + algo.bu[users][:, None] + algo.bi[None, :]
    return None


def top_n(algo: AlgoBase, users: Iterable[Hashable] | None = None, n: int = 10) -> pd.DataFrame:
    """Top-``n`` unseen items for each user from any fitted Surprise algorithm.

    SVD, SVD++, NMF and BaselineOnly are scored for all items at once from their
    learned biases and factors (the same numbers ``algo.predict`` gives, clipped to
    the rating scale); any other algorithm falls back to ``algo.predict`` over every
    unseen pair, with a progress bar. Ties keep Surprise's inner item order.

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
    inner = np.array(inner, dtype=int)
    est = _estimates(algo, inner)
    if est is None:
        est = _loop_estimates(algo, inner)
    lo, hi = ts.rating_scale
    est = np.clip(est, lo, hi)
    for row, u in enumerate(inner):
        est[row, [j for j, _ in ts.ur[u]]] = -np.inf
    n = min(n, ts.n_items)
    top = _top_columns(est, n)
    scores = np.take_along_axis(est, top, axis=1)
    keep = np.isfinite(scores)
    items = np.array([ts.to_raw_iid(j) for j in range(ts.n_items)], dtype=object)
    return pd.DataFrame(
        {
            "user": np.repeat(np.array(raw_users, dtype=object), n).reshape(-1, n)[keep],
            "item": items[top[keep]],
            "score": scores[keep],
            "rank": np.tile(np.arange(1, n + 1), (len(inner), 1))[keep],
        }
    )


def _top_columns(scores: np.ndarray, n: int) -> np.ndarray:
    """Column indices of each row's ``n`` largest scores, best first, ties in column order.

    A partition finds each row's ``n``-th largest score; only the (few) columns at or
    above it are sorted — much less work than sorting whole rows.

    >>> _top_columns(np.array([[1.0, 3.0, 3.0, 2.0]]), 2).tolist()
    [[1, 2]]
    """
    kth = np.partition(scores, scores.shape[1] - n, axis=1)[:, scores.shape[1] - n]
    top = np.empty((len(scores), n), dtype=int)
    for row, (values, cut) in enumerate(zip(scores, kth, strict=True)):
        candidates = np.flatnonzero(values >= cut)
        top[row] = candidates[np.argsort(-values[candidates], kind="stable")][:n]
    return top


def _loop_estimates(algo: AlgoBase, users: np.ndarray) -> np.ndarray:
    from tqdm.auto import tqdm

    ts = algo.trainset
    items = [ts.to_raw_iid(j) for j in range(ts.n_items)]
    est = np.empty((len(users), ts.n_items))
    for row, u in enumerate(tqdm(users, desc=f"{type(algo).__name__} top-N", leave=False)):
        raw = ts.to_raw_uid(u)
        est[row] = [algo.predict(raw, item).est for item in items]
    return est


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


def grid_table(grid: object, measure: str = "rmse") -> pd.DataFrame:
    """A tidy table from a fitted ``surprise.model_selection.GridSearchCV``: one row per
    parameter combination, best first."""
    res = grid.cv_results  # type: ignore[attr-defined]
    table = pd.DataFrame(res["params"])
    table[f"mean_{measure}"] = res[f"mean_test_{measure}"]
    table[f"std_{measure}"] = res[f"std_test_{measure}"]
    table["mean_fit_time"] = res["mean_fit_time"]
    return table.sort_values(f"mean_{measure}", kind="stable").reset_index(drop=True)
