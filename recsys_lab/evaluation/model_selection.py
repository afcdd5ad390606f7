r"""Cross-validating and tuning any recommender, honestly.

Splits live in :mod:`recsys_lab.data.splits` and are re-exported here
(:func:`random_split`, :func:`per_user_split`, :func:`temporal_split`,
:func:`leave_last_out`, :func:`split_by_time`, :func:`train_validation_test_split`,
:func:`kfold_indices`).

Tuning — for any recommender with ``fit(ratings)`` and ``predict(users, items)`` or
``recommend(users, n)`` whose parameters are its constructor's (scikit-learn's
convention, so that :func:`sklearn.base.clone` makes fresh copies):

* :func:`search` — grid or random search on a validation set; the best parameters are
  refitted, and :func:`score` (or :meth:`SearchResult.score`) reports them once on test;
* :func:`cross_validate` — k-fold cross-validation over a grid, one row per fold;
  :func:`summarize` — mean and standard deviation per combination.

Measuring what dishonesty costs:

* :func:`winners_curse` — how optimistic the best of several scores is when the same users
  both choose the winner and report it (peeking at the test set);
* :func:`leaky_recommend` — the lists a model would give had it learned from other users'
  future ratings (popularity or similarities computed on the whole log);
* :func:`future_share` — how much of a split's training data postdates its test ratings.

Metrics (``scoring``): ``"rmse"`` :math:`\sqrt{\frac1n\sum (r-\hat r)^2}` and ``"mae"``
:math:`\frac1n\sum|r - \hat r|` on ``predict``; ranking metrics at a cut-off on
``recommend``, named ``"<metric>@<k>"`` for the metrics of
:mod:`recsys_lab.evaluation.metrics.ranking` (``"ndcg@10"``, ``"precision@5"``,
``"hit_rate@10"``, ...).
"""

from __future__ import annotations

import inspect
import itertools
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import ParameterSampler

from recsys_lab._validation import check_positive_int, check_ratings
from recsys_lab.data.splits import (
    Split,
    kfold_indices,
    leave_last_out,
    per_user_split,
    random_split,
    split_by_time,
    temporal_split,
    time_order,
    train_validation_test_split,
)
from recsys_lab.evaluation.metrics import ranking
from recsys_lab.models.base import Recommender
from recsys_lab.models.knn import KNNRecommender

__all__ = [
    "SearchResult",
    "Split",
    "cross_validate",
    "future_share",
    "kfold_indices",
    "leaky_recommend",
    "leave_last_out",
    "per_user_split",
    "random_split",
    "score",
    "search",
    "split_by_time",
    "summarize",
    "temporal_split",
    "train_validation_test_split",
    "winners_curse",
]


def _errors(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    diff = truth - pred
    return {"mae": float(np.mean(np.abs(diff))), "rmse": float(np.sqrt(np.mean(diff**2)))}


# ------------------------------------------------------------------ scoring and search
@dataclass(frozen=True)
class _Metric:
    name: str  # as the user wrote it, e.g. "ndcg@10"
    base: str  # "rmse", "mae" or a column of ranking.per_user
    k: int | None  # the cut-off of a ranking metric

    @property
    def greater_is_better(self) -> bool:
        return self.k is not None


def _parse_scoring(scoring: str | Sequence[str]) -> list[_Metric]:
    names = [scoring] if isinstance(scoring, str) else list(scoring)
    if not names:
        raise ValueError("scoring is empty: name at least one metric, e.g. 'rmse' or 'ndcg@10'.")
    metrics = []
    for name in dict.fromkeys(names):
        base, _, k = str(name).partition("@")
        if name in ("rmse", "mae"):
            metrics.append(_Metric(name, name, None))
        elif base in ranking.RANKING and k.isdigit() and int(k) > 0:
            metrics.append(_Metric(name, base, int(k)))
        else:
            raise ValueError(
                f"Unknown metric {name!r}. Use 'rmse', 'mae' or a ranking metric at a "
                f"cut-off: {', '.join(f'{m}@10' for m in ranking.RANKING)}."
            )
    return metrics


def _check_table(ratings: object, metrics: list[_Metric], min_rating: float | None) -> None:
    rated = min_rating is not None or any(m.k is None for m in metrics)
    check_ratings(ratings, ("user", "item", "rating") if rated else ("user", "item"))


def _param_names(estimator: object) -> list[str]:
    """The constructor's parameters: scikit-learn's ``get_params`` for its estimators."""
    if isinstance(estimator, BaseEstimator):
        return list(estimator.get_params(deep=False))
    signature = inspect.signature(type(estimator).__init__)
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [p.name for p in list(signature.parameters.values())[1:] if p.kind not in variadic]


def _fresh(estimator: Any, params: Mapping[str, object]) -> Any:
    """An unfitted copy of ``estimator`` with ``params`` changed (:func:`sklearn.base.clone`).

    Classes that are not scikit-learn estimators are rebuilt from the constructor
    parameters they store under their own names, as scikit-learn's convention asks.
    """
    if isinstance(estimator, BaseEstimator):
        return clone(estimator).set_params(**params)
    current = {}
    for name in _param_names(estimator):
        if not hasattr(estimator, name):
            raise TypeError(
                f"{type(estimator).__name__} does not store its parameter {name!r} as an "
                f"attribute; keep each __init__ argument as self.<name> so it can be cloned."
            )
        current[name] = getattr(estimator, name)
    return type(estimator)(**{**current, **params})


def _check_estimator(estimator: object, metrics: list[_Metric]) -> None:
    needs = ["fit"]
    needs += ["predict"] if any(m.k is None for m in metrics) else []
    needs += ["recommend"] if any(m.k is not None for m in metrics) else []
    missing = [name for name in needs if not callable(getattr(estimator, name, None))]
    if missing:
        raise TypeError(
            f"{type(estimator).__name__} has no {' or '.join(missing)} method; rating "
            f"metrics need predict(users, items), ranking metrics recommend(users, n)."
        )


def _candidates(
    estimator: object,
    param_grid: Mapping[str, object],
    n_iter: int | None = None,
    random_state: int = 0,
) -> list[dict[str, object]]:
    """The parameter combinations to try: the whole grid, or ``n_iter`` random draws."""
    if not isinstance(param_grid, Mapping):
        raise TypeError(
            f"param_grid must be a mapping parameter -> candidate values, e.g. "
            f"{{'k': [10, 20]}}, got {type(param_grid).__name__}."
        )
    names = list(param_grid)
    valid = _param_names(estimator)
    unknown = [name for name in names if name not in valid]
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {unknown} for {type(estimator).__name__}; valid: "
            f"{sorted(valid)}."
        )
    for name, values in param_grid.items():
        is_list = isinstance(values, Sequence) and not isinstance(values, str) and len(values) > 0
        if not is_list and not (n_iter and hasattr(values, "rvs")):
            raise TypeError(
                f"param_grid[{name!r}] must be a non-empty list of candidate values "
                f"(or, with n_iter, a scipy.stats distribution), got {values!r}."
            )
    if n_iter is None:
        grid: Any = param_grid  # every value is a sequence here
        return [dict(zip(names, v, strict=True)) for v in itertools.product(*grid.values())]
    sampler = ParameterSampler(
        dict(param_grid), check_positive_int(n_iter, "n_iter"), random_state=random_state
    )
    return [{name: draw[name] for name in names} for draw in sampler]


def _score(
    model: Any,
    train: pd.DataFrame,
    test: pd.DataFrame,
    metrics: list[_Metric],
    min_rating: float | None,
) -> dict[str, float]:
    """The metrics of a model fitted on ``train``, and the share of unknown test pairs."""
    known_user = test["user"].isin(train["user"]).to_numpy()
    known = known_user & test["item"].isin(train["item"]).to_numpy()
    out: dict[str, float] = {}
    if any(m.k is None for m in metrics):
        if isinstance(model, Recommender):  # the contract: its own baseline for unknown ids
            pred = model.predict(test["user"], test["item"])
        else:
            pred = np.full(len(test), float(train["rating"].mean()))  # Surprise's fallback
            if known.any():
                pred[known] = model.predict(test["user"][known], test["item"][known])
        errors = _errors(test["rating"].to_numpy(float), pred)
    cutoffs = sorted({m.k for m in metrics if m.k is not None})
    if cutoffs:
        relevant = known_user
        if min_rating is not None:
            relevant = relevant & (test["rating"] >= min_rating).to_numpy()
        truth = test.loc[relevant, ["user", "item"]]
        if truth.empty:
            raise ValueError(
                "no held-out rating is relevant (rating >= min_rating) and by a user seen in "
                "training: there is nothing to rank. Lower min_rating or change the split."
            )
        recs = model.recommend(users=pd.unique(truth["user"].to_numpy()), n=max(cutoffs))
        per_k = {k: ranking.per_user(recs, truth, k) for k in cutoffs}
    for m in metrics:
        out[m.name] = errors[m.base] if m.k is None else float(per_k[m.k][m.base].mean())
    out["unknown"] = float(1 - known.mean())
    return out


def _fit_and_score(
    estimator: object,
    params: Mapping[str, object],
    train: pd.DataFrame,
    test: pd.DataFrame,
    metrics: list[_Metric],
    min_rating: float | None,
) -> dict[str, float]:
    start = time.perf_counter()
    model = _fresh(estimator, params).fit(train)
    fit_time = time.perf_counter() - start
    return {**_score(model, train, test, metrics, min_rating), "fit_time": fit_time}


def score(
    estimator: Any,
    train: pd.DataFrame,
    test: pd.DataFrame,
    scoring: str | Sequence[str] = "rmse",
    min_rating: float | None = None,
) -> dict[str, float]:
    """Score a recommender fitted on ``train`` on held-out ``test`` ratings.

    Rating metrics predict every test pair; pairs whose user or item ``train`` lacks
    get the training mean, as in Surprise. Ranking metrics ask ``recommend`` for the
    test users seen in training; their test items (those rated at least ``min_rating``,
    if given) are the relevant ones. ``unknown`` is the share of test pairs whose user
    or item is not in ``train``.

    Call it once, on the model :func:`search` chose: every further look at the test set
    is tuning on it.

    Returns
    -------
    dict
        metric name → value, and ``unknown``.

    Examples
    --------
    >>> from recsys_lab.models.baselines import PopularityRecommender
    >>> train = pd.DataFrame({"user": [1, 2, 2, 3], "item": ["a", "a", "b", "b"]})
    >>> test = pd.DataFrame({"user": [1, 3], "item": ["b", "c"]})
    >>> model = PopularityRecommender().fit(train)
    >>> score(model, train, test, scoring="hit_rate@1")
    {'hit_rate@1': 0.5, 'unknown': 0.5}
    """
    metrics = _parse_scoring(scoring)
    _check_estimator(estimator, metrics)
    for frame in (train, test):
        _check_table(frame, metrics, min_rating)
    return _score(estimator, train, test, metrics, min_rating)


def cross_validate(
    ratings: pd.DataFrame,
    param_grid: Mapping[str, Sequence[object]] | None = None,
    n_splits: int = 5,
    random_state: int = 0,
    *,
    estimator: Any = None,
    scoring: str | Sequence[str] = ("rmse", "mae"),
    min_rating: float | None = None,
) -> pd.DataFrame:
    """K-fold cross-validation of a recommender over a parameter grid.

    Every combination is fitted on the same folds, so differences between rows are
    differences between parameters, not between splits. The folds are random
    (:func:`kfold_indices`): fine for comparing parameters, leaky for estimating how a
    model would fare on future ratings (:func:`temporal_split`). Scoring is as in
    :func:`score`.

    Parameters
    ----------
    ratings : DataFrame
        ``user, item, rating``.
    param_grid : mapping, optional
        Parameter → candidate values; every combination is tried. Default: the
        estimator as given.
    n_splits, random_state : int
        Number of folds and their seed.
    estimator : recommender, default ``KNNRecommender()``
        Any object following scikit-learn's conventions; fresh copies are fitted.
    scoring : str or list of str, default ("rmse", "mae")
    min_rating : float, optional
        For ranking metrics: the least rating that counts as relevant.

    Returns
    -------
    DataFrame
        One row per (combination, fold): the parameters, ``fold``, the metrics,
        ``unknown`` (share of test pairs with a user or item missing from the fold's
        training part) and ``fit_time`` (seconds).

    Examples
    --------
    >>> from recsys_lab.data import make_marketing
    >>> ratings = make_marketing(n_users=60, n_items=40, mean_ratings=10).ratings
    >>> cv = cross_validate(ratings, {"k": [5, 20]}, n_splits=3)
    >>> cv.shape[0], list(cv.columns)
    (6, ['k', 'fold', 'rmse', 'mae', 'unknown', 'fit_time'])
    """
    estimator = KNNRecommender() if estimator is None else estimator
    metrics = _parse_scoring(scoring)
    _check_estimator(estimator, metrics)
    _check_table(ratings, metrics, min_rating)
    candidates = _candidates(estimator, param_grid or {})
    folds = kfold_indices(len(ratings), n_splits, random_state)
    rows = []
    for params in candidates:
        for f, test_idx in enumerate(folds):
            is_test = np.zeros(len(ratings), dtype=bool)
            is_test[test_idx] = True
            train, test = ratings.iloc[~is_test], ratings.iloc[test_idx]
            scores = _fit_and_score(estimator, params, train, test, metrics, min_rating)
            rows.append({**params, "fold": f, **scores})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SearchResult:
    """The result of :func:`search`.

    Attributes
    ----------
    results : DataFrame
        One row per combination, best first: the parameters, the metrics on validation,
        ``unknown``, ``fit_time`` and ``rank`` (1 = best; ties keep the search order).
    best_params : dict
    best_estimator : recommender
        Fitted with ``best_params`` on ``training``.
    training : DataFrame
        What ``best_estimator`` was fitted on: train and validation (``refit=True``) or
        train alone.
    scoring : list of str
        The metrics; the first one chose the best.
    min_rating : float or None
    """

    results: pd.DataFrame
    best_params: dict[str, object]
    best_estimator: Any
    training: pd.DataFrame
    scoring: list[str]
    min_rating: float | None = None

    def score(self, test: pd.DataFrame) -> dict[str, float]:
        """Score the chosen model on the test set, once (see :func:`score`)."""
        return score(self.best_estimator, self.training, test, self.scoring, self.min_rating)


def search(
    estimator: Any,
    param_grid: Mapping[str, object],
    train: pd.DataFrame,
    validation: pd.DataFrame,
    scoring: str | Sequence[str] = "rmse",
    n_iter: int | None = None,
    random_state: int = 0,
    refit: bool = True,
    min_rating: float | None = None,
) -> SearchResult:
    """Grid or random search of any recommender's parameters on a validation set.

    Each combination is fitted on ``train`` and scored on ``validation`` (as in
    :func:`score`); the first metric of ``scoring`` picks the best (lowest RMSE/MAE,
    highest ranking metric), which is then refitted. The test set plays no part: report
    it once, afterwards, with :meth:`SearchResult.score`. Get the three parts from
    :func:`train_validation_test_split`.

    Parameters
    ----------
    estimator : recommender
        Any object following scikit-learn's conventions (parameters = constructor
        arguments); it is cloned, never fitted itself.
    param_grid : mapping
        Parameter → list of candidate values; with ``n_iter``, a value may also be a
        ``scipy.stats`` distribution (as :class:`sklearn.model_selection.ParameterSampler`).
    train, validation : DataFrame
        ``user, item[, rating]``.
    scoring : str or list of str, default "rmse"
    n_iter : int, optional
        ``None``: every combination (grid search); else that many random combinations,
        drawn with ``random_state`` (random search; Bergstra & Bengio, JMLR 2012).
    refit : bool, default True
        Refit the best parameters on train + validation (True) or on train alone.
    min_rating : float, optional
        For ranking metrics: the least rating that counts as relevant.

    Returns
    -------
    SearchResult

    Examples
    --------
    >>> from recsys_lab.data import make_marketing
    >>> from recsys_lab.mf import ALSMatrixFactorization
    >>> ratings = make_marketing(n_users=60, n_items=40, mean_ratings=10).ratings
    >>> train, validation, test = train_validation_test_split(ratings, test_size=0.2)
    >>> found = search(ALSMatrixFactorization(), {"n_factors": [2, 4], "reg": [0.1, 1.0]},
    ...                train, validation)
    >>> len(found.results), sorted(found.best_params)
    (4, ['n_factors', 'reg'])
    >>> sorted(found.score(test))
    ['rmse', 'unknown']
    """
    metrics = _parse_scoring(scoring)
    _check_estimator(estimator, metrics)
    for frame in (train, validation):
        _check_table(frame, metrics, min_rating)
    candidates = _candidates(estimator, param_grid, n_iter, random_state)
    rows = [
        {**params, **_fit_and_score(estimator, params, train, validation, metrics, min_rating)}
        for params in candidates
    ]
    first = metrics[0]
    results = pd.DataFrame(rows)
    rank = results[first.name].rank(method="first", ascending=not first.greater_is_better)
    results["rank"] = rank.astype(int)
    best = int(np.argmin(results["rank"].to_numpy()))
    training = pd.concat([train, validation]) if refit else train
    best_estimator = _fresh(estimator, candidates[best]).fit(training)
    return SearchResult(
        results.sort_values("rank", kind="stable").reset_index(drop=True),
        candidates[best],
        best_estimator,
        training,
        [m.name for m in metrics],
        min_rating,
    )


def summarize(results: pd.DataFrame, by: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and standard deviation of each metric per parameter combination, best first.

    "Best" is by the first metric column (lowest RMSE/MAE, highest ranking metric);
    ties keep the order of the results.

    >>> cv = pd.DataFrame({"k": [5, 5, 9, 9], "fold": [0, 1, 0, 1],
    ...                    "rmse": [1.0, 1.2, 0.9, 0.9], "mae": [0.8, 0.8, 0.7, 0.7]})
    >>> summarize(cv)["k"].tolist()
    [9, 5]
    """
    metrics = [c for c in results.columns if _is_metric(c)]
    if not metrics:
        raise ValueError(
            f"results have no metric column (rmse, mae, ndcg@10, ...); they have "
            f"{list(results.columns)}."
        )
    values = [*metrics, *(c for c in ("unknown", "fit_time") if c in results.columns)]
    if by is None:
        by = [c for c in results.columns if c not in (*values, "fold", "rank")]
    if not by:  # one model, no parameters: one row
        overall = pd.concat([results[values].mean(), results[values].std().add_suffix("_std")])
        return overall.to_frame().T.reset_index(drop=True)
    grouped = results.groupby(list(by), sort=False, dropna=False)[values]
    table = grouped.mean().join(grouped.std().add_suffix("_std"))
    ascending = not _parse_scoring(metrics[0])[0].greater_is_better
    return table.sort_values(metrics[0], ascending=ascending, kind="stable").reset_index()


def _is_metric(name: Hashable) -> bool:
    try:
        _parse_scoring(str(name))
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------- the cost of leaks
def winners_curse(
    scores: pd.DataFrame,
    n_users: int | None = None,
    n_repeats: int = 1000,
    random_state: int = 0,
    greater_is_better: bool = True,
) -> pd.DataFrame:
    r"""How much better the chosen candidate looks on the users who chose it than on fresh ones.

    ``scores`` holds one per-user metric (rows: users, columns: candidates such as
    parameter settings). Each repeat draws two disjoint random sets :math:`A` and
    :math:`B` of ``n_users`` users; the candidate with the best mean on :math:`A` is
    chosen,

    .. math:: c^* = \arg\max_c \bar s_A(c),\qquad
              \text{optimism} = \bar s_A(c^*) - \bar s_B(c^*),

    (ties: the first column). :math:`\bar s_A(c^*)` is what peeking reports — the best of
    several noisy estimates on the same users, biased upwards — and
    :math:`\bar s_B(c^*)` what an untouched test set would report for the same choice.
    The mean optimism over repeats estimates the bias of peeking at ``n_users`` users
    (the "winner's curse"; Cawley & Talbot, JMLR 2010, on selection bias in model
    evaluation). With ``greater_is_better=False`` (RMSE) the lowest mean is chosen and
    optimism is :math:`\bar s_B(c^*) - \bar s_A(c^*)`, so it is positive when peeking
    flatters.

    Parameters
    ----------
    scores : DataFrame
        Users × candidates, no NaN; e.g. ``evaluate(...).by_user("ndcg@10")``.
    n_users : int, optional
        Users in each of :math:`A` and :math:`B`; default (and at most) half of them.
    n_repeats : int, default 1000
    random_state : int, default 0
    greater_is_better : bool, default True

    Returns
    -------
    DataFrame
        One row per repeat: ``chosen`` (the column), ``peeked``, ``honest``, ``optimism``.

    Examples
    --------
    >>> same = pd.DataFrame({"a": [0.0, 1.0] * 50, "b": [1.0, 0.0] * 50})  # equal on average
    >>> curse = winners_curse(same, n_users=10, n_repeats=200)
    >>> bool(curse["optimism"].mean() > 0.1), sorted(curse["chosen"].unique())
    (True, ['a', 'b'])
    """
    if not isinstance(scores, pd.DataFrame) or scores.shape[1] < 1:
        raise TypeError(
            "scores must be a DataFrame with one row per user and one column per candidate, "
            "e.g. evaluate(...).by_user('ndcg@10')."
        )
    values = scores.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError(
            f"scores has {int(np.isnan(values).sum())} missing value(s); keep the users every "
            f"candidate scored (scores.dropna())."
        )
    half = len(values) // 2
    if half < 1:
        raise ValueError("scores needs at least two users: one to choose, one to report.")
    n_users = half if n_users is None else check_positive_int(n_users, "n_users")
    if n_users > half:
        raise ValueError(
            f"n_users must be at most half of the {len(values)} users ({half}), so that the "
            f"choosing and the reporting users differ; got {n_users}."
        )
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    sign = 1.0 if greater_is_better else -1.0
    rng = np.random.default_rng(random_state)
    rows = []
    for _ in range(n_repeats):
        drawn = rng.permutation(len(values))[: 2 * n_users]
        mean_a = values[drawn[:n_users]].mean(axis=0)
        mean_b = values[drawn[n_users:]].mean(axis=0)
        best = int(np.argmax(sign * mean_a))
        rows.append((scores.columns[best], mean_a[best], mean_b[best]))
    out = pd.DataFrame(rows, columns=["chosen", "peeked", "honest"])
    out["optimism"] = sign * (out["peeked"] - out["honest"])
    return out


def future_share(train: pd.DataFrame, test: pd.DataFrame, time: str = "timestamp") -> float:
    r"""Mean share of the training ratings made *after* a test rating: the future a model sees.

    .. math:: \frac{1}{|T|} \sum_{t \in T} \frac{|\{r \in R : \tau_r > \tau_t\}|}{|R|}

    for training ratings :math:`R` and test ratings :math:`T` with times :math:`\tau`. It is
    0 for :func:`temporal_split` (nothing in training comes after the cut) and about
    1/2 when test ratings are drawn at random from the same period as the training ones
    (:func:`random_split`, :func:`per_user_split`).

    >>> train = pd.DataFrame({"user": [1, 1, 2], "item": list("abc"), "timestamp": [1, 5, 9]})
    >>> test = pd.DataFrame({"user": [1, 2], "item": list("de"), "timestamp": [4, 10]})
    >>> round(future_share(train, test), 4)  # 2 of 3 training ratings after t = 4, none after 10
    0.3333
    """
    check_ratings(train, ("user", "item"))
    check_ratings(test, ("user", "item"))
    order = time_order(train, time)
    time_order(test, time)  # the same checks: the column exists, nothing missing
    stamps = train[time].to_numpy()[order]
    try:
        before = np.searchsorted(stamps, test[time].to_numpy(), side="right")
    except TypeError:
        raise TypeError(
            f"train[{time!r}] and test[{time!r}] must be comparable times (both datetimes or "
            f"both numbers)."
        ) from None
    return float(np.mean(1 - before / len(stamps)))


def leaky_recommend(
    estimator: Any,
    train: pd.DataFrame,
    future: pd.DataFrame,
    users: Iterable[Hashable],
    n: int = 10,
    n_folds: int = 5,
    random_state: int = 0,
) -> pd.DataFrame:
    r"""Lists from a model that also learned from *other* users' future: a leak, measurable.

    Computing popularity or item similarities on the whole log — test period included —
    is a common leak. To measure it without handing a model its own answers, ``users``
    are dealt at random into ``n_folds`` folds; for each fold a fresh copy of
    ``estimator`` (:func:`sklearn.base.clone`) is fitted on ``train`` plus the ``future``
    rows of every user *outside* the fold, and recommends for the fold's users. Their own
    future ratings are never seen, so the lists exclude only their training items, and
    the difference with the honest model's lists (fitted on ``train`` alone) is what
    knowing where the crowd goes next is worth. More folds leak more of the future
    (a share :math:`1 - 1/\text{n\_folds}` of the other users' future).

    Parameters
    ----------
    estimator : recommender
        Unfitted, with scikit-learn's conventions (every :mod:`recsys_lab.models` one).
    train, future : DataFrame
        ``user, item[, rating]``: the training part and the held-out (later) part.
    users : iterable
        The users to recommend for (e.g. the test users seen in training).
    n : int, default 10
    n_folds : int, default 5
        At least 2 and at most the number of users.
    random_state : int, default 0

    Returns
    -------
    DataFrame
        As ``recommend``: ``user, item, score, rank, fallback``, in the order of ``users``.

    Examples
    --------
    >>> from recsys_lab.models import PopularityRecommender
    >>> train = pd.DataFrame({"user": [1, 2, 3], "item": ["a", "a", "b"]})
    >>> future = pd.DataFrame({"user": [1, 2, 3, 4], "item": ["c", "c", "c", "c"]})
    >>> PopularityRecommender().fit(train).recommend(n=1)["item"].tolist()  # honest
    ['b', 'b', 'a']
    >>> leaky_recommend(PopularityRecommender(), train, future, [1, 2, 3], n=1,
    ...                 n_folds=3)["item"].tolist()  # the others' future made "c" popular
    ['c', 'c', 'c']
    """
    if not isinstance(estimator, BaseEstimator):
        raise TypeError(
            f"estimator must follow scikit-learn's conventions (a recsys_lab.models "
            f"recommender), got {type(estimator).__name__}."
        )
    check_ratings(train, ("user", "item"))
    check_ratings(future, ("user", "item"))
    wanted = pd.unique(np.asarray(list(users), dtype=object))
    n = check_positive_int(n, "n")
    n_folds = check_positive_int(n_folds, "n_folds", minimum=2)
    if n_folds > len(wanted):
        raise ValueError(f"n_folds ({n_folds}) cannot exceed the number of users ({len(wanted)}).")
    fold = np.random.default_rng(random_state).permutation(len(wanted)) % n_folds
    lists = []
    for f in range(n_folds):
        mine = wanted[fold == f]
        others_future = future[~future["user"].isin(mine)]
        model = clone(estimator).fit(pd.concat([train, others_future], ignore_index=True))
        lists.append(model.recommend(users=mine, n=n))
    out = pd.concat(lists, ignore_index=True)
    position = pd.Series(np.arange(len(wanted)), index=pd.Index(wanted))
    order = np.lexsort((out["rank"].to_numpy(), position.loc[out["user"]].to_numpy()))
    return out.iloc[order].reset_index(drop=True)
