"""Choosing N, the distance and the weighting from data ("tuned with machine learning").

* :func:`leave_one_out` — hide each known cell of a small matrix in turn, predict it
  from the others with :func:`recsys_lab.neighbors.predict`, and score every
  combination of parameters. Exact and cheap on the salesperson matrix; on a larger
  matrix pass ``n_cells`` to score a seeded sample of cells.
* :func:`cross_validate` — k-fold cross-validation of
  :class:`recsys_lab.neighbors.KNNRecommender` over a parameter grid on a ratings
  table, one row per (parameters, fold).
* :func:`summarize` — mean and standard deviation per parameter combination.

Errors: MAE :math:`\\frac1n\\sum|r - \\hat r|`, RMSE :math:`\\sqrt{\\frac1n\\sum (r-\\hat r)^2}`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recsys_lab import voting
from recsys_lab._validation import check_matrix, check_positive_int, check_ratings
from recsys_lab.distances import aggregate, check_metric
from recsys_lab.models.knn import KNNRecommender


def _errors(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    diff = truth - pred
    return {"mae": float(np.mean(np.abs(diff))), "rmse": float(np.sqrt(np.mean(diff**2)))}


def leave_one_out(
    R: pd.DataFrame,
    ks: Iterable[int] = (1, 2, 3),
    metrics: Iterable[str] = ("sum_abs",),
    weightings: Iterable[str] = ("equal", "rank"),
    min_overlap: int = 1,
    n_cells: int | None = None,
    random_state: int = 0,
    weighting_params: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Leave-one-out error of neighbourhood predictions for every parameter combination.

    For each known cell :math:`(u, i)`: hide it, predict it as
    :func:`~recsys_lab.neighbors.predict` would (the same neighbours, the same
    vote), compare. Cells nobody can vote on are
    counted in ``impossible`` and left out of the errors.

    Parameters
    ----------
    R : DataFrame
        Users × items, NaN where unknown.
    ks, metrics, weightings : iterables
        The grid. A metric may be ``"minkowski:3"`` for Minkowski with p = 3.
    min_overlap : int
        As in :func:`recsys_lab.distances.corated_distance`.
    n_cells : int, optional
        Score only this many known cells, drawn with ``random_state``.
    weighting_params : mapping, optional
        Extra parameters per weighting, e.g. ``{"gaussian": {"bandwidth": 1e5}}``.

    Returns
    -------
    DataFrame
        One row per combination: ``k, metric, weighting, mae, rmse, predicted, impossible``,
        sorted by ``rmse`` (ties: grid order).

    Examples
    --------
    >>> from recsys_lab.datasets import load_sales
    >>> table = leave_one_out(load_sales(), ks=[2], weightings=["equal"])
    >>> int(table.loc[0, "predicted"]), int(table.loc[0, "impossible"])
    (18, 0)
    """
    M = check_matrix(R)
    ks = [check_positive_int(k, "k") for k in ks]
    grid_metrics = [_parse_metric(m) for m in metrics]
    weightings = list(weightings)
    params = dict(weighting_params or {})
    for w in weightings:  # fail before the loop, not inside it
        voting.weights([], w, **params.get(w, {}))
    X = M.to_numpy()
    rows, cols = np.nonzero(~np.isnan(X))
    if n_cells is not None and check_positive_int(n_cells, "n_cells") < len(rows):
        pick = np.sort(np.random.default_rng(random_state).choice(len(rows), n_cells, False))
        rows, cols = rows[pick], cols[pick]
    truth = X[rows, cols]
    results = []
    for name, metric, p in grid_metrics:
        # (weighting, k) → predictions; the neighbours of a cell are found once per metric
        preds = np.full((len(weightings), len(ks), len(rows)), np.nan)
        for c, (r, col) in enumerate(zip(rows, cols, strict=True)):
            hidden = X[r].copy()
            hidden[col] = np.nan  # leave the cell out, also from the distance
            cand = np.flatnonzero(~np.isnan(X[:, col]) & (np.arange(len(X)) != r))
            dist, _ = aggregate(np.abs(X[cand] - hidden), metric, p, min_overlap)
            known = ~np.isnan(dist)
            order = np.argsort(dist[known], kind="stable")[: max(ks)]  # ties: row order
            d, v = dist[known][order], X[cand[known][order], col]
            for a, weighting in enumerate(weightings):
                for j, k in enumerate(ks):
                    w = voting.weights(d[:k], weighting, **params.get(weighting, {}))
                    if w.sum() > 0:
                        preds[a, j, c] = voting.weighted_vote(v[:k], w)
        for (a, weighting), (j, k) in itertools.product(enumerate(weightings), enumerate(ks)):
            ok = ~np.isnan(preds[a, j])
            errs = (
                _errors(truth[ok], preds[a, j, ok])
                if ok.any()
                else dict.fromkeys(("mae", "rmse"), np.nan)
            )
            results.append(
                {
                    "k": k,
                    "metric": name,
                    "weighting": weighting,
                    **errs,
                    "predicted": int(ok.sum()),
                    "impossible": int((~ok).sum()),
                }
            )
    return pd.DataFrame(results).sort_values("rmse", kind="stable").reset_index(drop=True)


def _parse_metric(spec: str) -> tuple[str, str, float | None]:
    name, _, p = str(spec).partition(":")
    try:
        p_value = float(p) if p else None
    except ValueError:
        raise ValueError(
            f"Cannot read the Minkowski exponent in {spec!r}; write e.g. 'minkowski:3'."
        ) from None
    metric, p_value = check_metric(name, p_value)
    return str(spec), metric, p_value


def split_by_time(
    ratings: pd.DataFrame, test_fraction: float = 0.2, time: str = "timestamp"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out each user's latest ratings: the test set is the future of the training set.

    Every user with at least two ratings gives ``round(test_fraction × n)`` of them
    (at least one, never all) to the test set; users with one rating stay in training.

    >>> r = pd.DataFrame({"user": [1, 1, 1, 2], "item": list("abcd"), "rating": 5.0,
    ...                   "timestamp": [3, 1, 2, 1]})
    >>> train, test = split_by_time(r, 0.34)
    >>> test["item"].tolist()
    ['a']
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}.")
    check_ratings(ratings)
    if time not in ratings.columns:
        raise ValueError(f"ratings need a {time!r} column to split by time.")
    order = ratings.sort_values([time], kind="stable")
    position = order.groupby("user").cumcount(ascending=False)  # 0 = the latest
    size = order.groupby("user")["user"].transform("size")
    n_test = np.minimum(np.maximum(np.round(test_fraction * size), 1), size - 1)
    is_test = position < n_test
    return ratings.loc[order.index[~is_test]], ratings.loc[order.index[is_test]]


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


def cross_validate(
    ratings: pd.DataFrame,
    param_grid: Mapping[str, Sequence[object]],
    n_splits: int = 5,
    random_state: int = 0,
) -> pd.DataFrame:
    """K-fold cross-validation of :class:`KNNRecommender` over a parameter grid.

    Every combination is fitted on the same folds, so differences between rows are
    differences between parameters, not between splits. Ratings whose user or
    item is missing from a fold's training part are predicted by the global mean
    and counted in ``impossible``, as in Surprise.

    Returns
    -------
    DataFrame
        One row per (combination, fold): the parameters, ``fold``, ``mae``, ``rmse``,
        ``impossible`` (share of test pairs) and ``fit_time`` (seconds).

    Examples
    --------
    >>> from recsys_lab.datasets import make_marketing
    >>> ratings = make_marketing(n_users=60, n_items=40, mean_ratings=10).ratings
    >>> cv = cross_validate(ratings, {"k": [5, 20]}, n_splits=3)
    >>> cv.shape[0], sorted(cv.columns)[:3]
    (6, ['fit_time', 'fold', 'impossible'])
    """
    df = check_ratings(ratings)
    names = list(param_grid)
    unknown = set(names) - set(KNNRecommender().get_params())
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {sorted(unknown)} for KNNRecommender; "
            f"valid: {sorted(KNNRecommender().get_params())}."
        )
    folds = kfold_indices(len(df), n_splits, random_state)
    rows = []
    for values in itertools.product(*(param_grid[n] for n in names)):
        params = dict(zip(names, values, strict=True))
        for f, test_idx in enumerate(folds):
            test = df.iloc[test_idx]
            train = df.drop(df.index[test_idx])
            start = time.perf_counter()
            model = KNNRecommender(**params).fit(train)
            fit_time = time.perf_counter() - start
            out = model.predict_details(test["user"], test["item"])
            errs = _errors(test["rating"].to_numpy(float), out["estimate"].to_numpy())
            rows.append(
                {
                    **params,
                    "fold": f,
                    **errs,
                    "impossible": float(out["fallback"].mean()),
                    "fit_time": fit_time,
                }
            )
    return pd.DataFrame(rows)


def summarize(results: pd.DataFrame, by: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and standard deviation of the errors per parameter combination, best first.

    >>> cv = pd.DataFrame({"k": [5, 5, 9, 9], "fold": [0, 1, 0, 1],
    ...                    "rmse": [1.0, 1.2, 0.9, 0.9], "mae": [0.8, 0.8, 0.7, 0.7]})
    >>> summarize(cv)["k"].tolist()
    [9, 5]
    """
    errors = [c for c in ("rmse", "mae", "impossible", "fit_time") if c in results]
    if by is None:
        by = [c for c in results.columns if c not in (*errors, "fold")]
    grouped = results.groupby(list(by), sort=False)[errors]
    table = grouped.mean().join(grouped.std().add_suffix("_std"))
    return table.sort_values("rmse", kind="stable").reset_index()
