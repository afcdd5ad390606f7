r"""The biased factor model shared by the SGD and ALS factorizations.

Both model a rating as a global mean, two biases and a dot product of latent factors:

.. math:: \hat r_{ui} = \mu + b_u + b_i + q_i^\top p_u

and minimise the regularised squared error over the known ratings

.. math::

    \sum_{(u,i)} (r_{ui} - \hat r_{ui})^2
    + \lambda \left(b_u^2 + b_i^2 + \|p_u\|^2 + \|q_i\|^2\right).

They differ in how they minimise it: :mod:`recsys_lab.models.sgd_mf` (one rating at a
time, as Surprise's SVD) and :mod:`recsys_lab.models.als_mf` (exact ridge solves, one
side at a time). What they share — prediction, ranking, fallbacks, learning curves —
lives here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab._validation import check_ratings
from recsys_lab.models.base import Interactions, Recommender


def check_scale(r: np.ndarray, rating_scale: tuple[float, float] | None) -> tuple[float, float]:
    """The rating scale: ``rating_scale`` checked against the ratings, or their range.

    >>> check_scale(np.array([1.0, 5.0]), None)
    (1.0, 5.0)
    """
    if rating_scale is None:
        return float(r.min()), float(r.max())
    lo, hi = rating_scale
    if not lo < hi:
        raise ValueError(f"rating_scale must be (low, high) with low < high, got {rating_scale}.")
    outside = (r < lo) | (r > hi)
    if outside.any():
        raise ValueError(
            f"{int(outside.sum())} rating(s) fall outside rating_scale {rating_scale}, e.g. "
            f"{r[outside][0]:g}. Fix the data or the scale."
        )
    return float(lo), float(hi)


class BiasedFactorModel(Recommender):
    r"""Prediction, ranking and learning curves for :math:`\mu + b_u + b_i + q_i^\top p_u`.

    Predictions are clipped to the rating scale (as Surprise does); lists rank on the
    unclipped estimate, so that top items are not tied at the scale's maximum. An
    unknown user or item gets the global mean plus whichever bias is known (Surprise's
    SVD), flagged as a fallback.
    """

    biased: bool
    rating_scale: tuple[float, float] | None

    def _prepare(self, data: Interactions) -> None:
        self.rating_scale_ = check_scale(data.values, self.rating_scale)

    def _raw(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        mu = self.global_mean_ if self.biased else 0.0
        dots = np.einsum("nf,nf->n", self.user_factors_[u], self.item_factors_[i])
        return mu + self.user_bias_[u] + self.item_bias_[i] + dots

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return np.clip(self._raw(u, i), *self.rating_scale_)

    def _fallback_estimate(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        est = np.full(len(u), self.global_mean_)
        if self.biased:
            est += np.where(u >= 0, self.user_bias_[np.maximum(u, 0)], 0.0)
            est += np.where(i >= 0, self.item_bias_[np.maximum(i, 0)], 0.0)
        return np.clip(est, *self.rating_scale_)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        mu = self.global_mean_ if self.biased else 0.0
        scores = mu + self.user_bias_[u][:, None] + self.item_bias_[None, :]
        return scores + self.user_factors_[u] @ self.item_factors_.T

    def _rmse(self, u: np.ndarray, i: np.ndarray, r: np.ndarray) -> float:
        return float(np.sqrt(np.mean((r - self._raw(u, i)) ** 2)))

    def _validation(self, validation: pd.DataFrame | None) -> tuple | None:
        """Codes and ratings of the validation pairs whose user and item are known."""
        if validation is None:
            return None
        v = check_ratings(validation)
        u = self.users_.get_indexer(pd.Index(v["user"]))
        i = self.items_.get_indexer(pd.Index(v["item"]))
        ok = (u >= 0) & (i >= 0)
        if not ok.any():
            raise ValueError("no validation pair has a user and an item seen in training.")
        return u[ok], i[ok], v["rating"].to_numpy(float)[ok]

    def _record(self, history: list, step: str, n: int, train: tuple, valid: tuple | None) -> None:
        row = {step: n, "rmse": self._rmse(*train)}
        if valid is not None:
            row["validation_rmse"] = float(
                np.sqrt(np.mean((valid[2] - self._predict_known(valid[0], valid[1])) ** 2))
            )
        history.append(row)


def factor_recovery(learned: np.ndarray, true: np.ndarray) -> tuple[float, np.ndarray]:
    """How well learned factors span the true ones, up to any invertible linear map.

    Factorizations are only identified up to rotation and scaling, so compare
    after the best linear alignment: regress each true factor on the learned ones
    (least squares) and report the R² of each, and their mean.

    >>> rng = np.random.default_rng(0)
    >>> true = rng.standard_normal((50, 2))
    >>> mean_r2, _ = factor_recovery(true @ np.array([[2.0, 1.0], [0.0, 1.0]]), true)
    >>> round(mean_r2, 6)
    1.0
    """
    L = np.column_stack([learned, np.ones(len(learned))])
    coef, *_ = np.linalg.lstsq(L, true, rcond=None)
    residual = true - L @ coef
    r2 = 1 - (residual**2).sum(axis=0) / ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    return float(r2.mean()), r2
