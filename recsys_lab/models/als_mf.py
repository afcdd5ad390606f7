r"""Biased matrix factorization by alternating least squares, vectorized.

ALS alternates: with the item side fixed, each user's :math:`(p_u, b_u)` is an exact
ridge regression on that user's ratings, solved in closed form; then the same for every
item. Each half-step is a batch of small linear solves, vectorized with numpy. The
model and loss are those of :mod:`recsys_lab.models.factorization`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int
from recsys_lab.models.base import Interactions
from recsys_lab.models.factorization import BiasedFactorModel


class ALSMatrixFactorization(BiasedFactorModel):
    r"""Biased matrix factorization by alternating least squares.

    Each half-step solves, for every user (then every item) :math:`e`, the ridge
    regression :math:`(X_e^\top X_e + \lambda I)\,w_e = X_e^\top y_e` where the rows
    of :math:`X_e` are the other side's vectors :math:`[q_i, 1]` and
    :math:`y_e = r - \mu - b_i` its residual ratings; :math:`w_e = [p_e, b_e]`.

    Parameters
    ----------
    n_factors : int, default 20
    n_iter : int, default 10
        Alternations (each updates all users, then all items).
    reg : float, default 0.1
        :math:`\lambda`, multiplied by the entity's number of ratings (weighted-λ
        regularisation, Zhou et al. 2008), so heavy and light users shrink alike.
    biased : bool, default True
    init_std_dev : float, default 0.1
    random_state : int, default 0
    rating_scale : (low, high), optional
        Predictions are clipped to it; default: the training ratings' range.
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown users/items: global mean plus the known bias, flagged (Surprise's SVD),
        or a ValueError.

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "a"],
    ...                         "rating": [5.0, 3.0, 4.0]})
    >>> ALSMatrixFactorization(n_factors=1, n_iter=5).fit(ratings).predict([2], ["b"]).shape
    (1,)
    """

    def __init__(
        self,
        n_factors: int = 20,
        n_iter: int = 10,
        reg: float = 0.1,
        biased: bool = True,
        init_std_dev: float = 0.1,
        random_state: int = 0,
        rating_scale: tuple[float, float] | None = None,
        handle_unknown: str = "fallback",
    ) -> None:
        self.n_factors = n_factors
        self.n_iter = n_iter
        self.reg = reg
        self.biased = biased
        self.init_std_dev = init_std_dev
        self.random_state = random_state
        self.rating_scale = rating_scale
        self.handle_unknown = handle_unknown

    @staticmethod
    def _solve(
        owner: np.ndarray, n_owners: int, X: np.ndarray, y: np.ndarray, reg: float
    ) -> np.ndarray:
        """Ridge solutions, one per owner, for the rows of ``X`` grouped by ``owner``."""
        d = X.shape[1]
        order = np.argsort(owner, kind="stable")
        X, y = X[order], y[order]
        bounds = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=n_owners))])
        Xy = np.column_stack([X, y])
        G = np.empty((n_owners, d, d + 1))
        for e in range(n_owners):  # one small product per owner; the solves are batched
            rows = slice(bounds[e], bounds[e + 1])
            G[e] = X[rows].T @ Xy[rows]
        A, b = G[:, :, :d], G[:, :, d]
        A += reg * np.maximum(np.diff(bounds), 1)[:, None, None] * np.eye(d)
        return np.linalg.solve(A, b[..., None])[..., 0]

    def _fit(self, data: Interactions, validation: pd.DataFrame | None = None) -> None:
        """Learn biases and factors; ``fit(ratings, validation=None)``.

        ``validation`` works as in :class:`~recsys_lab.models.sgd_mf.SGDMatrixFactorization`.
        """
        f = check_positive_int(self.n_factors, "n_factors")
        n_iter = check_positive_int(self.n_iter, "n_iter")
        if self.reg <= 0:
            raise ValueError(f"reg must be > 0 (it keeps every system solvable), got {self.reg}.")
        self._prepare(data)
        u, i, r = data.user_codes, data.item_codes, data.values
        rng = np.random.default_rng(self.random_state)
        P = self.init_std_dev * rng.standard_normal((len(self.users_), f))
        Q = self.init_std_dev * rng.standard_normal((len(self.items_), f))
        bu, bi = np.zeros(len(self.users_)), np.zeros(len(self.items_))
        mu = self.global_mean_ if self.biased else 0.0
        ones = np.ones((len(r), 1))
        self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_ = P, Q, bu, bi
        valid = self._validation(validation)
        history: list = []
        for it in range(n_iter):
            if self.biased:
                w = self._solve(u, len(P), np.hstack([Q[i], ones]), r - mu - bi[i], self.reg)
                P, bu = w[:, :f], w[:, f]
                w = self._solve(i, len(Q), np.hstack([P[u], ones]), r - mu - bu[u], self.reg)
                Q, bi = w[:, :f], w[:, f]
            else:
                P = self._solve(u, len(P), Q[i], r, self.reg)
                Q = self._solve(i, len(Q), P[u], r, self.reg)
            self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_ = P, Q, bu, bi
            self._record(history, "iteration", it + 1, (u, i, r), valid)
        self.history_ = pd.DataFrame(history)
