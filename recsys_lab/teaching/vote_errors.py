r"""Leave-one-out errors of the salesperson's vote: every known cell hidden in turn.

On a small users × items matrix (the sales matrix), each known cell :math:`(u, i)` is
hidden, predicted by the neighbourhood vote of :func:`recsys_lab.neighbors.predict` (the
same neighbours, the same weights; the hidden cell is left out of the distances too) and
compared with the truth:

* :func:`leave_one_out` — MAE and RMSE for every combination of k, distance and
  weighting, with the cells nobody can vote on counted apart;
* :func:`leave_one_out_errors` — one setting's per-cell errors, so that two settings can
  be paired cell by cell (:func:`recsys_lab.stats.paired_test`).

Both share one loop (:func:`_hidden_cell_votes`), which finds a cell's neighbours once for
every k and weighting.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recsys_lab._validation import check_matrix, check_positive_int
from recsys_lab.teaching import voting
from recsys_lab.teaching.distances import aggregate, check_metric


def leave_one_out_errors(
    R: pd.DataFrame,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
    p: float | None = None,
    min_overlap: int = 1,
    **weighting_params: float,
) -> pd.DataFrame:
    """Hide each known cell of ``R`` in turn and predict it as ``neighbors.predict`` does.

    (:func:`recsys_lab.neighbors.predict`: the same neighbours, the same vote.)

    The per-cell version of :func:`leave_one_out` (the same predictions: the hidden cell
    is left out of the distances too), so that two settings can be compared cell by cell
    with :func:`recsys_lab.stats.paired_test`.

    Returns
    -------
    DataFrame
        One row per known cell, in row-major order: ``user, item, actual, predicted,
        error`` (predicted − actual); NaN where nobody can vote.

    Examples
    --------
    >>> from recsys_lab.data import load_sales
    >>> cells = leave_one_out_errors(load_sales(), k=2)
    >>> len(cells), int(cells["error"].isna().sum())
    (18, 0)
    """
    M = check_matrix(R)
    voting.weights([], weighting, **weighting_params)  # reject a bad weighting up front
    metric, p = check_metric(metric, p)
    X = M.to_numpy()
    rows, cols = np.nonzero(~np.isnan(X))
    votes = _hidden_cell_votes(
        X, rows, cols, metric, p, min_overlap, [k], [weighting], {weighting: weighting_params}
    )[0, 0]
    actual = X[rows, cols]
    return pd.DataFrame(
        {
            "user": M.index[rows],
            "item": M.columns[cols],
            "actual": actual,
            "predicted": votes,
            "error": votes - actual,
        }
    )


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
    for name in weightings:  # fail before the loop, not inside it
        voting.weights([], name, **params.get(name, {}))
    X = M.to_numpy()
    rows, cols = np.nonzero(~np.isnan(X))
    if n_cells is not None and check_positive_int(n_cells, "n_cells") < len(rows):
        pick = np.sort(np.random.default_rng(random_state).choice(len(rows), n_cells, False))
        rows, cols = rows[pick], cols[pick]
    truth = X[rows, cols]
    results = []
    for name, metric, p in grid_metrics:
        preds = _hidden_cell_votes(X, rows, cols, metric, p, min_overlap, ks, weightings, params)
        for (a, weighting), (j, k) in itertools.product(enumerate(weightings), enumerate(ks)):
            ok = ~np.isnan(preds[a, j])
            errs = (
                _errors(truth[ok] - preds[a, j, ok])
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


def _hidden_cell_votes(
    X: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    metric: str,
    p: float | None,
    min_overlap: int,
    ks: Sequence[int],
    weightings: Sequence[str],
    params: Mapping[str, Mapping[str, float]],
) -> np.ndarray:
    """Votes for the cells ``(rows, cols)`` of ``X``, each hidden in turn (NaN: no voter).

    Returns a (weightings × ks × cells) array; a cell's neighbours are found once and
    shared by every k and weighting. The hidden cell is left out of the distances too,
    as :func:`recsys_lab.neighbors.predict` does for a known cell.
    """
    preds = np.full((len(weightings), len(ks), len(rows)), np.nan)
    for c, (r, col) in enumerate(zip(rows, cols, strict=True)):
        hidden = X[r].copy()
        hidden[col] = np.nan
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
    return preds


def _errors(diff: np.ndarray) -> dict[str, float]:
    return {"mae": float(np.mean(np.abs(diff))), "rmse": float(np.sqrt(np.mean(diff**2)))}
