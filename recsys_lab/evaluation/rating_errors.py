r"""Rating-prediction errors with the user as the unit: intervals and paired tests of RMSE.

The RMSE of :math:`N` held-out ratings, :math:`\sqrt{\frac1N\sum (r - \hat r)^2}`, is one
number; how far it could move on other users is what decides whether one setting
really beats another. Ratings of one person are not independent draws, people are —
so both tools here resample or pair *users*:

* :meth:`UserErrors.ci` — a user-level (cluster) percentile bootstrap of the RMSE:
  draw the :math:`m` users with replacement :math:`B` times and recompute
  :math:`\sqrt{\sum_u \text{SSE}_u^* / \sum_u n_u^*}` from each user's sum of squared
  errors :math:`\text{SSE}_u` and rating count :math:`n_u` (Davison & Hinkley,
  *Bootstrap Methods and their Application*, 1997, §3.8);
* :meth:`UserErrors.paired_test` — two models predicting the same ratings, compared
  user by user with :func:`recsys_lab.evaluation.stats.paired_test` on
  :math:`d_u = \frac{m}{N}(\text{SSE}^a_u - \text{SSE}^b_u)`, whose mean is exactly
  :math:`\text{MSE}_a - \text{MSE}_b`.

:func:`compare` fits several recommenders on the same training data and scores them on
the same held-out ratings (a validation set when tuning, the test set once at the end).
The salesperson matrix's leave-one-out errors are :mod:`recsys_lab.teaching.vote_errors`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from recsys_lab._validation import check_positive_int, check_ratings
from recsys_lab.evaluation import stats
from recsys_lab.models.base import Recommender

_BLOCK = 2**21  # users drawn at once by the bootstrap: bounds its memory


@dataclass(frozen=True)
class UserErrors:
    """Each user's number of predicted ratings ``n`` and sum of squared errors ``sse``.

    Build it with :meth:`from_predictions` or :meth:`of`.

    Examples
    --------
    >>> e = UserErrors.from_predictions([1, 1, 2], [4.0, 2.0, 5.0], [3.0, 2.0, 3.0])
    >>> e.sse.tolist(), round(e.rmse, 4)  # sqrt((1 + 0 + 4) / 3)
    ([1.0, 4.0], 1.291)
    """

    n: pd.Series
    sse: pd.Series

    @classmethod
    def from_predictions(
        cls, users: Iterable[Hashable], y_true: object, y_pred: object
    ) -> UserErrors:
        """Group the squared errors of ``y_pred`` against ``y_true`` by user."""
        user = pd.Index(list(users) if not isinstance(users, pd.Series) else users.to_numpy())
        truth = np.asarray(y_true, dtype=float)
        pred = np.asarray(y_pred, dtype=float)
        if not len(user) == truth.size == pred.size or truth.ndim != 1 or pred.ndim != 1:
            raise ValueError(
                f"users, y_true and y_pred must be 1-D of equal length: {len(user)}, "
                f"{truth.shape} and {pred.shape}."
            )
        if truth.size == 0:
            raise ValueError("there are no predictions to score.")
        if np.isnan(truth).any() or np.isnan(pred).any():
            raise ValueError("y_true and y_pred must be known numbers (no NaN).")
        squared = pd.Series((truth - pred) ** 2, index=user)
        grouped = squared.groupby(level=0, sort=False)
        return cls(grouped.size().rename("n"), grouped.sum().rename("sse"))

    @classmethod
    def of(cls, model: Recommender, ratings: pd.DataFrame) -> UserErrors:
        """The errors of a fitted recommender's ``predict`` on held-out ``ratings``."""
        table = check_ratings(ratings, ("user", "item", "rating"))
        pred = model.predict(table["user"], table["item"])
        return cls.from_predictions(table["user"], table["rating"], pred)

    @property
    def rmse(self) -> float:
        r"""The RMSE over all ratings, :math:`\sqrt{\sum_u \text{SSE}_u / \sum_u n_u}`."""
        return float(np.sqrt(self.sse.sum() / self.n.sum()))

    def ci(
        self,
        confidence: float = 0.95,
        n_resamples: int = 10_000,
        random_state: stats.RandomState = 0,
    ) -> tuple[float, float]:
        """Percentile interval of the RMSE from resampling users (see the module).

        >>> wrong_half = np.r_[np.ones(50), np.zeros(50)]
        >>> e = UserErrors.from_predictions(range(100), np.zeros(100), wrong_half)
        >>> low, high = e.ci()
        >>> bool(low < e.rmse < high)
        True
        """
        stats.check_confidence(confidence)
        n_resamples = check_positive_int(n_resamples, "n_resamples")
        rng = np.random.default_rng(random_state)
        n, sse = self.n.to_numpy(float), self.sse.to_numpy()
        m = n.size
        rows = max(1, _BLOCK // m)
        rmse = np.empty(n_resamples)
        for start in range(0, n_resamples, rows):
            stop = min(start + rows, n_resamples)
            picks = rng.integers(0, m, size=(stop - start, m))
            rmse[start:stop] = np.sqrt(sse[picks].sum(axis=1) / n[picks].sum(axis=1))
        alpha = 1 - confidence
        low, high = np.quantile(rmse, [alpha / 2, 1 - alpha / 2])
        return float(low), float(high)

    def paired_test(
        self,
        other: UserErrors,
        method: str = "t",
        n_resamples: int = 10_000,
        random_state: stats.RandomState = 0,
        confidence: float = 0.95,
    ) -> stats.PairedTest:
        r"""Test "same MSE" against ``other``, user by user, on the same ratings.

        ``mean_difference`` and ``ci`` are in MSE units (this model's minus the
        other's): negative means this model errs less.

        >>> a = UserErrors.from_predictions([1, 2, 3], [4.0, 4.0, 4.0], [4.0, 3.0, 4.0])
        >>> b = UserErrors.from_predictions([1, 2, 3], [4.0, 4.0, 4.0], [3.0, 2.0, 4.0])
        >>> round(a.paired_test(b).mean_difference, 4)  # MSE 1/3 vs 5/3
        -1.3333
        """
        if not isinstance(other, UserErrors):
            raise TypeError(f"other must be UserErrors, got {type(other).__name__}.")
        if not (self.n.index.equals(other.n.index) and self.n.equals(other.n)):
            raise ValueError(
                "the two sets of errors are not on the same users and ratings; score both "
                "models on the same held-out ratings."
            )
        scale = len(self.n) / self.n.sum()
        return stats.paired_test(
            self.sse.to_numpy() * scale,
            other.sse.to_numpy() * scale,
            method=method,
            n_resamples=n_resamples,
            random_state=random_state,
            confidence=confidence,
        )


def _scalar_params(model: object) -> dict[str, object]:
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    return {k: v for k, v in params.items() if isinstance(v, str | int | float | bool)}


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    table : DataFrame
        One row per model, in the order given: ``model`` (its name), ``estimator`` (the
        class), the scalar parameters that differ between the models, ``rmse``,
        ``low``, ``high`` (the bootstrap interval), ``fallback`` (share of predictions
        answered by the model's baseline) and ``rank`` (1 = lowest RMSE).
    errors : dict
        Model name → :class:`UserErrors`.
    models : dict
        Model name → the fitted model.
    """

    table: pd.DataFrame
    errors: dict[Hashable, UserErrors]
    models: dict[Hashable, Recommender]

    @property
    def best(self) -> Hashable:
        """The name of the model with the lowest RMSE (ties: the first given)."""
        return self.table.loc[self.table["rank"] == 1, "model"].iloc[0]

    def paired_test(self, a: Hashable, b: Hashable, method: str = "t") -> stats.PairedTest:
        """:meth:`UserErrors.paired_test` of model ``a`` against model ``b``."""
        for name in (a, b):
            if name not in self.errors:
                raise ValueError(f"Unknown model {name!r}; the models are {list(self.errors)}.")
        return self.errors[a].paired_test(self.errors[b], method=method)


def compare(
    models: Mapping[Hashable, Recommender],
    train: pd.DataFrame,
    test: pd.DataFrame,
    confidence: float = 0.95,
    n_resamples: int = 2_000,
    random_state: int = 0,
) -> Comparison:
    """Fit fresh copies of several recommenders on ``train`` and score them on ``test``.

    Every model predicts the same held-out ratings, so any two can be compared with a
    paired test (:meth:`Comparison.paired_test`). Use a validation set to choose, and
    the test set once, for the chosen model.

    Parameters
    ----------
    models : mapping
        Name → recommender (cloned, never fitted in place).
    train, test : DataFrame
        ``user, item, rating``.
    confidence, n_resamples, random_state
        Of the bootstrap intervals (:meth:`UserErrors.ci`).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from recsys_lab.data import make_marketing
    >>> from recsys_lab.models import KNNRecommender
    >>> ratings = make_marketing(n_users=60, n_items=40, mean_ratings=10).ratings
    >>> train, test = ratings.iloc[:-100], ratings.iloc[-100:]
    >>> result = compare({"k=5": KNNRecommender(k=5), "k=20": KNNRecommender(k=20)},
    ...                  train, test)
    >>> list(result.table.columns)
    ['model', 'estimator', 'k', 'rmse', 'low', 'high', 'fallback', 'rank']
    """
    if not isinstance(models, Mapping) or not models:
        raise TypeError("models must be a non-empty mapping name -> recommender.")
    for name, model in models.items():
        if not isinstance(model, Recommender):
            raise TypeError(
                f"models[{name!r}] must be a recsys_lab recommender, got {type(model).__name__}."
            )
    held_out = check_ratings(test, ("user", "item", "rating"))
    rows, errors, fitted = [], {}, {}
    for name, model in models.items():
        fitted[name] = clone(model).fit(train)
        details = fitted[name].predict_details(held_out["user"], held_out["item"])
        errors[name] = UserErrors.from_predictions(
            held_out["user"], held_out["rating"], details["estimate"]
        )
        low, high = errors[name].ci(confidence, n_resamples, random_state)
        rows.append(
            {
                "model": name,
                "estimator": type(model).__name__,
                **_scalar_params(model),
                "rmse": errors[name].rmse,
                "low": low,
                "high": high,
                "fallback": float(details["fallback"].mean()),
            }
        )
    table = pd.DataFrame(rows)
    params = [c for c in table.columns[2:] if c not in ("rmse", "low", "high", "fallback")]
    varying = [c for c in params if table[c].astype(str).nunique() > 1]
    table = table[["model", "estimator", *varying, "rmse", "low", "high", "fallback"]]
    table["rank"] = table["rmse"].rank(method="first").astype(int)
    return Comparison(table, errors, fitted)
