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


def fold_in_user(
    item_factors: np.ndarray,
    item_bias: np.ndarray,
    ratings: np.ndarray,
    global_mean: float,
    reg: float,
) -> tuple[np.ndarray, float]:
    r"""One user's ALS half-step: their :math:`(p_u, b_u)` with the item side held fixed.

    The ridge regression of the residuals :math:`y_i = r_{ui} - \mu - b_i` on the rows
    :math:`x_i = [q_i, 1]` of the :math:`n` items the user rated, with weighted-λ
    regularisation (Zhou et al. 2008):

    .. math:: (X^\top X + \lambda n I)\, w = X^\top y, \qquad w = [p_u, b_u].

    This is the system :class:`ALSMatrixFactorization` solves for every user at each
    alternation, written for one; it is also how a fitted model "folds in" a newcomer's
    first ratings without refitting (:func:`recsys_lab.models.coldstart.fold_in` scores every
    item that way).

    Parameters
    ----------
    item_factors : array (n, f)
        :math:`q_i` of the rated items, one row per rating.
    item_bias : array (n,)
        :math:`b_i` of the rated items.
    ratings : array (n,)
        The user's ratings of those items.
    global_mean : float
        :math:`\mu`.
    reg : float
        :math:`\lambda \ge 0`; with 0 the user needs at least :math:`f + 1` ratings
        whose rows :math:`x_i` are linearly independent.

    Returns
    -------
    p_u : ndarray (f,)
    b_u : float

    Examples
    --------
    >>> p, b = fold_in_user(np.array([[1.0]]), np.array([0.5]), np.array([4.5]), 3.0, reg=1.0)
    >>> p.round(3).tolist(), round(b, 3)  # (x x' + 1·1·I) w = x y with x = [1, 1], y = 1
    ([0.333], 0.333)
    """
    Q = np.asarray(item_factors, dtype=float)
    b = np.asarray(item_bias, dtype=float)
    r = np.asarray(ratings, dtype=float)
    if Q.ndim != 2 or len(Q) == 0 or b.shape != (len(Q),) or r.shape != (len(Q),):
        raise ValueError(
            f"fold_in_user needs item_factors of shape (n, f) with n >= 1 and item_bias and "
            f"ratings of shape (n,); got {Q.shape}, {b.shape} and {r.shape}."
        )
    if not reg >= 0:
        raise ValueError(f"reg must be >= 0, got {reg}.")
    X = np.column_stack([Q, np.ones(len(Q))])
    A = X.T @ X + reg * len(Q) * np.eye(X.shape[1])
    try:
        w = np.linalg.solve(A, X.T @ (r - global_mean - b))
    except np.linalg.LinAlgError:
        raise ValueError(
            f"the system is singular: with reg=0 the user needs at least {X.shape[1]} ratings "
            f"of items whose factors are linearly independent; use reg > 0."
        ) from None
    return w[:-1], float(w[-1])


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
