r"""What the implicit-feedback recommenders share: strengths, scores and fallbacks.

Clicks, views and purchases say what a user did, not how much they liked it. The models
built on them (:mod:`.ease`, :mod:`.item_cosine`, :mod:`.implicit_als`, :mod:`.bpr`) read a
frame ``user, item[, rating]`` in which every row is an interaction and a ``rating``
column, where present, is its strength :math:`r_{ui} > 0` (1 when absent). They rank
items by a score that is not a rating, so

* ``predict`` returns that score, and ``recommend`` ranks by it;
* an unknown user or item gets the score of an empty history — 0 for every model here
  (plus the item's bias for BPR) — flagged as a fallback, while ``recommend`` gives an
  unknown user the most popular items, as every recommender does.

Two families share their scoring code here: item-to-item models, whose score is the
user's history times an item × item weight matrix, :math:`s_u = x_u W`, and latent-factor
models, whose score is :math:`s_{ui} = p_u^\top q_i`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.sparse as sp

from recsys_lab.models.base import Recommender


def check_positive_float(value: object, name: str, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0 (or >= 0).

    >>> check_positive_float(250, "reg")
    250.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}.")
    return float(value)


def check_strengths(values: np.ndarray) -> np.ndarray:
    """Check interaction strengths: every one finite and > 0; returns them unchanged.

    >>> check_strengths(np.array([1.0, 3.0])).tolist()
    [1.0, 3.0]
    """
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} interaction strength(s) in the rating column are not positive "
            f"finite numbers, e.g. {values[bad][0]:g}. An implicit-feedback model reads each "
            f"row as something the user did, with the rating as its strength (> 0): drop rows "
            f"with no interaction and negative or missing weights, or drop the rating column "
            f"to count every interaction once."
        )
    return values


class InteractionRecommender(Recommender):
    """Base of the implicit-feedback models: rating optional, fallback = empty-history score."""

    _rating = "optional"

    def _fallback_estimate(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        """The score of a user without history: 0."""
        return np.zeros(len(u))


class ItemToItemRecommender(InteractionRecommender):
    r"""Scores :math:`s_{ui} = \sum_j x_{uj} W_{ji}` from a learned item × item ``weights_``.

    ``_history(u)`` gives the users' rows :math:`x_u` (CSR): their interaction strengths.
    """

    weights_: np.ndarray

    def _history(self, u: np.ndarray) -> sp.csr_matrix:
        return self.seen_[u]

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self._history(u) @ self.weights_)

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        # sum_j x_uj W_ji for each pair, touching only the users' interactions
        rows = self._history(u).tocoo()
        return np.bincount(
            rows.row, weights=rows.data * self.weights_[rows.col, i[rows.row]], minlength=len(u)
        )


class LatentFactorRecommender(InteractionRecommender):
    r"""Scores :math:`s_{ui} = p_u^\top q_i` from ``user_factors_`` and ``item_factors_``."""

    user_factors_: np.ndarray
    item_factors_: np.ndarray

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return self.user_factors_[u] @ self.item_factors_.T

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return np.einsum("nf,nf->n", self.user_factors_[u], self.item_factors_[i])
