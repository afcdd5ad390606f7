r"""Matrix factorization written out: biased SGD (as Surprise's SVD) and vectorized ALS.

Both model a rating as a global mean, two biases and a dot product of latent factors:

.. math:: \hat r_{ui} = \mu + b_u + b_i + q_i^\top p_u

and minimise the regularised squared error over the known ratings

.. math::

    \sum_{(u,i)} (r_{ui} - \hat r_{ui})^2
    + \lambda \left(b_u^2 + b_i^2 + \|p_u\|^2 + \|q_i\|^2\right).

**SGD** (:class:`SGDMatrixFactorization`) visits the ratings one by one — in Surprise's
order: users in order of first appearance, each user's ratings in data order — and
moves every parameter a small step against the error :math:`e_{ui} = r_{ui} - \hat r_{ui}`:

.. math::

    b_u &\leftarrow b_u + \gamma (e_{ui} - \lambda b_u), \qquad
    b_i \leftarrow b_i + \gamma (e_{ui} - \lambda b_i) \\
    p_u &\leftarrow p_u + \gamma (e_{ui} q_i - \lambda p_u), \qquad
    q_i \leftarrow q_i + \gamma (e_{ui} p_u - \lambda q_i)

(the factor updates use the values from before the step). Its defaults and its
initialisation (``numpy.random.RandomState(random_state).normal``, users first) are
Surprise's, so the same seed gives the same model as ``surprise.SVD``.

**ALS** (:class:`ALSMatrixFactorization`) alternates: with the item side fixed, each
user's :math:`(p_u, b_u)` is an exact ridge regression on that user's ratings, solved in
closed form; then the same for every item. Each half-step is a batch of small linear
solves, vectorized with numpy.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int, check_ratings, known_codes


def _check_scale(r: np.ndarray, rating_scale: tuple[float, float] | None) -> tuple[float, float]:
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


class _Factorization:
    """What both factorizations share: data coding, predict, recommend."""

    def _encode(self, ratings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        df = check_ratings(ratings)
        u, self.users_ = pd.factorize(df["user"])
        i, self.items_ = pd.factorize(df["item"])
        r = df["rating"].to_numpy(float)
        self.rating_scale_ = _check_scale(r, self.rating_scale)
        self.global_mean_ = float(r.mean())
        self._seen = (u, i)
        return u, i, r

    def _check_fitted(self) -> None:
        if not hasattr(self, "user_factors_"):
            raise RuntimeError(f"This {type(self).__name__} is not fitted yet: call fit first.")

    def _codes(self, labels: Iterable[Hashable], index: pd.Index, kind: str) -> np.ndarray:
        return known_codes(
            labels,
            index,
            kind,
            "a factorization has no factors for them. Refit with their ratings, or use a "
            "cold-start strategy (popularity, content).",
        )

    def _raw(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        mu = self.global_mean_ if self.biased else 0.0
        dots = np.einsum("nf,nf->n", self.user_factors_[u], self.item_factors_[i])
        return mu + self.user_bias_[u] + self.item_bias_[i] + dots

    def predict(self, users: Iterable[Hashable], items: Iterable[Hashable]) -> np.ndarray:
        """Predicted ratings, clipped to the rating scale (as Surprise does).

        Unknown users or items raise a ``ValueError`` naming them.
        """
        self._check_fitted()
        users, items = list(users), list(items)
        if len(users) != len(items):
            raise ValueError(f"users and items differ in length: {len(users)} vs {len(items)}.")
        u = self._codes(users, self.users_, "user")
        i = self._codes(items, self.items_, "item")
        return np.clip(self._raw(u, i), *self.rating_scale_)

    def recommend(self, users: Iterable[Hashable] | None = None, n: int = 10) -> pd.DataFrame:
        """Top-``n`` unseen items per user by the (unclipped) estimate, as ``user, item, score,
        rank``: one matrix product for all users at once."""
        self._check_fitted()
        n = min(check_positive_int(n, "n"), len(self.items_))
        wanted = list(self.users_) if users is None else list(users)
        u = self._codes(wanted, self.users_, "user")
        mu = self.global_mean_ if self.biased else 0.0
        scores = mu + self.user_bias_[u][:, None] + self.item_bias_[None, :]
        scores = scores + self.user_factors_[u] @ self.item_factors_.T
        row_of = np.full(len(self.users_), -1)
        row_of[u] = np.arange(len(u))
        seen_u, seen_i = self._seen
        mine = row_of[seen_u] >= 0
        scores[row_of[seen_u[mine]], seen_i[mine]] = -np.inf
        top = np.argsort(-scores, axis=1, kind="stable")[:, :n]
        best = np.take_along_axis(scores, top, axis=1)
        keep = np.isfinite(best)
        return pd.DataFrame(
            {
                "user": self.users_[np.repeat(u, n).reshape(-1, n)[keep]],
                "item": self.items_[top[keep]],
                "score": best[keep],
                "rank": np.tile(np.arange(1, n + 1), (len(u), 1))[keep],
            }
        )

    def _rmse(self, u: np.ndarray, i: np.ndarray, r: np.ndarray) -> float:
        return float(np.sqrt(np.mean((r - self._raw(u, i)) ** 2)))

    def _validation(self, validation: pd.DataFrame | None) -> tuple | None:
        """Codes and ratings of the validation pairs whose user and item are known."""
        if validation is None:
            return None
        v = check_ratings(validation)
        u = self.users_.get_indexer(v["user"])
        i = self.items_.get_indexer(v["item"])
        ok = (u >= 0) & (i >= 0)
        if not ok.any():
            raise ValueError("no validation pair has a user and an item seen in training.")
        return u[ok], i[ok], v["rating"].to_numpy(float)[ok]

    def _record(self, history: list, step: str, n: int, train: tuple, valid: tuple | None) -> None:
        row = {step: n, "rmse": self._rmse(*train)}
        if valid is not None:
            row["validation_rmse"] = np.sqrt(
                np.mean(
                    (valid[2] - np.clip(self._raw(valid[0], valid[1]), *self.rating_scale_)) ** 2
                )
            )
        history.append(row)


class SGDMatrixFactorization(_Factorization):
    """Biased matrix factorization by stochastic gradient descent (Surprise's SVD, in numpy).

    Parameters
    ----------
    n_factors : int, default 100
    n_epochs : int, default 20
    biased : bool, default True
        Without biases the model is :math:`\\hat r_{ui} = q_i^\\top p_u`.
    lr_all, reg_all : float, default 0.005, 0.02
        Learning rate :math:`\\gamma` and regularisation :math:`\\lambda` for every parameter.
    init_mean, init_std_dev : float, default 0, 0.1
        The normal distribution the factors start from.
    random_state : int, default 0
        Seed of the initialisation; same seed, same model.
    rating_scale : (low, high), optional
        Predictions are clipped to it; default: the training ratings' range.

    Attributes
    ----------
    user_factors_, item_factors_, user_bias_, item_bias_ : ndarray
    history_ : DataFrame
        Training RMSE after each epoch.

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "a"],
    ...                         "rating": [5.0, 3.0, 4.0]})
    >>> model = SGDMatrixFactorization(n_factors=2, n_epochs=50, lr_all=0.05).fit(ratings)
    >>> model.history_["rmse"].iloc[-1] < model.history_["rmse"].iloc[0]
    np.True_
    """

    def __init__(
        self,
        n_factors: int = 100,
        n_epochs: int = 20,
        biased: bool = True,
        lr_all: float = 0.005,
        reg_all: float = 0.02,
        init_mean: float = 0.0,
        init_std_dev: float = 0.1,
        random_state: int = 0,
        rating_scale: tuple[float, float] | None = None,
    ) -> None:
        self.n_factors = n_factors
        self.n_epochs = n_epochs
        self.biased = biased
        self.lr_all = lr_all
        self.reg_all = reg_all
        self.init_mean = init_mean
        self.init_std_dev = init_std_dev
        self.random_state = random_state
        self.rating_scale = rating_scale

    def fit(
        self, ratings: pd.DataFrame, validation: pd.DataFrame | None = None
    ) -> SGDMatrixFactorization:
        """Learn biases and factors from ``user, item, rating``.

        With ``validation`` (same columns), ``history_`` also records the RMSE on its
        pairs of known users and items after every epoch: a learning curve.
        """
        f = check_positive_int(self.n_factors, "n_factors")
        epochs = check_positive_int(self.n_epochs, "n_epochs")
        if self.lr_all <= 0 or self.reg_all < 0:
            raise ValueError("lr_all must be > 0 and reg_all >= 0.")
        u, i, r = self._encode(ratings)
        order = np.argsort(u, kind="stable")  # Surprise's all_ratings(): user by user
        u, i, r = u[order], i[order], r[order]
        rng = np.random.RandomState(self.random_state)
        P = rng.normal(self.init_mean, self.init_std_dev, size=(len(self.users_), f))
        Q = rng.normal(self.init_mean, self.init_std_dev, size=(len(self.items_), f))
        bu, bi = np.zeros(len(self.users_)), np.zeros(len(self.items_))
        mu = self.global_mean_ if self.biased else 0.0
        lr, reg = self.lr_all, self.reg_all
        self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_ = P, Q, bu, bi
        valid = self._validation(validation)
        history: list = []
        for epoch in range(epochs):
            for uu, ii, rr in zip(u.tolist(), i.tolist(), r.tolist(), strict=True):
                p, q = P[uu], Q[ii]
                err = rr - (mu + bu[uu] + bi[ii] + p @ q)
                if self.biased:
                    bu[uu] += lr * (err - reg * bu[uu])
                    bi[ii] += lr * (err - reg * bi[ii])
                p_old = p.copy()
                p += lr * (err * q - reg * p)
                q += lr * (err * p_old - reg * q)
            self._record(history, "epoch", epoch + 1, (u, i, r), valid)
        self.history_ = pd.DataFrame(history)
        return self


class ALSMatrixFactorization(_Factorization):
    """Biased matrix factorization by alternating least squares.

    Each half-step solves, for every user (then every item) :math:`e`, the ridge
    regression :math:`(X_e^\\top X_e + \\lambda I)\\,w_e = X_e^\\top y_e` where the rows
    of :math:`X_e` are the other side's vectors :math:`[q_i, 1]` and
    :math:`y_e = r - \\mu - b_i` its residual ratings; :math:`w_e = [p_e, b_e]`.

    Parameters
    ----------
    n_factors : int, default 20
    n_iter : int, default 10
        Alternations (each updates all users, then all items).
    reg : float, default 0.1
        :math:`\\lambda`, multiplied by the entity's number of ratings (weighted-λ
        regularisation, Zhou et al. 2008), so heavy and light users shrink alike.
    biased : bool, default True
    init_std_dev : float, default 0.1
    random_state : int, default 0
    rating_scale : (low, high), optional

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
    ) -> None:
        self.n_factors = n_factors
        self.n_iter = n_iter
        self.reg = reg
        self.biased = biased
        self.init_std_dev = init_std_dev
        self.random_state = random_state
        self.rating_scale = rating_scale

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

    def fit(
        self, ratings: pd.DataFrame, validation: pd.DataFrame | None = None
    ) -> ALSMatrixFactorization:
        """Learn biases and factors from ``user, item, rating`` (``validation``: as in
        :meth:`SGDMatrixFactorization.fit`)."""
        f = check_positive_int(self.n_factors, "n_factors")
        n_iter = check_positive_int(self.n_iter, "n_iter")
        if self.reg <= 0:
            raise ValueError(f"reg must be > 0 (it keeps every system solvable), got {self.reg}.")
        u, i, r = self._encode(ratings)
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
        return self


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
