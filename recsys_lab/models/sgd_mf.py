r"""Biased matrix factorization by stochastic gradient descent — Surprise's SVD, in numpy.

SGD visits the ratings one by one — in Surprise's order: users in order of first
appearance, each user's ratings in data order — and moves every parameter of
:math:`\hat r_{ui} = \mu + b_u + b_i + q_i^\top p_u` a small step against the error
:math:`e_{ui} = r_{ui} - \hat r_{ui}`:

.. math::

    b_u &\leftarrow b_u + \gamma (e_{ui} - \lambda b_u), \qquad
    b_i \leftarrow b_i + \gamma (e_{ui} - \lambda b_i) \\
    p_u &\leftarrow p_u + \gamma (e_{ui} q_i - \lambda p_u), \qquad
    q_i \leftarrow q_i + \gamma (e_{ui} p_u - \lambda q_i)

(the factor updates use the values from before the step). Its defaults and its
initialisation (``numpy.random.RandomState(random_state).normal``, users first) are
Surprise's, so the same seed gives the same model as ``surprise.SVD``.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
import pandas as pd

from recsys_lab._validation import check_choice, check_positive_int
from recsys_lab.models.base import Interactions
from recsys_lab.models.factorization import BiasedFactorModel


def sgd_step(
    r: float,
    mu: float,
    b_u: float,
    b_i: float,
    p_u: np.ndarray,
    q_i: np.ndarray,
    lr: float,
    reg: float,
    biased: bool = True,
) -> tuple[float, float, np.ndarray, np.ndarray]:
    r"""One SGD update for one rating :math:`r_{ui}`: the new :math:`(b_u, b_i, p_u, q_i)`.

    With :math:`e = r_{ui} - (\mu + b_u + b_i + q_i^\top p_u)`, every parameter moves
    :math:`\gamma` (``lr``) times its negative gradient, :math:`\lambda` being ``reg``:

    .. math::

        b_u' = b_u + \gamma (e - \lambda b_u), \quad
        b_i' = b_i + \gamma (e - \lambda b_i), \quad
        p_u' = p_u + \gamma (e\, q_i - \lambda p_u), \quad
        q_i' = q_i + \gamma (e\, p_u - \lambda q_i)

    — all from the values *before* the step (Surprise's ``SVD``, Funk 2006). Without
    biases (``biased=False``) the biases stay as they are and the prediction is
    :math:`\mu + b_u + b_i + q_i^\top p_u` with whatever ``mu``, ``b_u``, ``b_i`` are
    given (0 for a pure :math:`q_i^\top p_u` model). The inputs are not modified.

    Examples
    --------
    >>> b_u, b_i, p_u, q_i = sgd_step(4.0, 3.0, 0.0, 0.0, np.array([0.1]), np.array([0.2]),
    ...                               lr=0.1, reg=0.0)
    >>> round(b_u, 3), round(float(p_u[0]), 4), round(float(q_i[0]), 4)
    (0.098, 0.1196, 0.2098)
    """
    p_u, q_i = np.asarray(p_u, dtype=float), np.asarray(q_i, dtype=float)
    if p_u.shape != q_i.shape or p_u.ndim != 1:
        raise ValueError(
            f"p_u and q_i must be vectors of the same length (the number of factors), got "
            f"shapes {p_u.shape} and {q_i.shape}."
        )
    b_u, b_i = float(b_u), float(b_i)
    err = r - (mu + b_u + b_i + float(p_u @ q_i))
    if biased:
        b_u, b_i = b_u + lr * (err - reg * b_u), b_i + lr * (err - reg * b_i)
    return b_u, b_i, p_u + lr * (err * q_i - reg * p_u), q_i + lr * (err * p_u - reg * q_i)


def sgd_epoch(
    u: np.ndarray,
    i: np.ndarray,
    r: np.ndarray,
    P: np.ndarray,
    Q: np.ndarray,
    bu: np.ndarray,
    bi: np.ndarray,
    mu: float,
    lr: float,
    reg: float,
    biased: bool,
) -> None:
    """One SGD pass over the ratings, updating ``P, Q, bu, bi`` in place.

    The readable reference: :func:`sgd_step` for each rating ``r[n]`` of user code
    ``u[n]`` and item code ``i[n]``, in the order given.

    >>> P, Q = np.array([[0.1]]), np.array([[0.2]])
    >>> bu, bi = np.zeros(1), np.zeros(1)
    >>> sgd_epoch(np.array([0]), np.array([0]), np.array([4.0]), P, Q, bu, bi,
    ...           mu=3.0, lr=0.1, reg=0.0, biased=True)
    >>> round(float(bu[0]), 3), round(float(P[0, 0]), 4)
    (0.098, 0.1196)
    """
    for uu, ii, rr in zip(u.tolist(), i.tolist(), r.tolist(), strict=True):
        bu[uu], bi[ii], P[uu], Q[ii] = sgd_step(
            rr, mu, bu[uu], bi[ii], P[uu], Q[ii], lr, reg, biased
        )


@numba.njit(cache=True)
def _sgd_epoch_compiled(
    u: np.ndarray,
    i: np.ndarray,
    r: np.ndarray,
    P: np.ndarray,
    Q: np.ndarray,
    bu: np.ndarray,
    bi: np.ndarray,
    mu: float,
    lr: float,
    reg: float,
    biased: bool,
) -> None:  # pragma: no cover - compiled; tested equal to sgd_epoch
    """:func:`sgd_epoch` compiled by numba, with the factor loops written out."""
    n_factors = P.shape[1]
    for n in range(len(r)):
        uu, ii = u[n], i[n]
        dot = 0.0
        for f in range(n_factors):
            dot += Q[ii, f] * P[uu, f]
        err = r[n] - (mu + bu[uu] + bi[ii] + dot)
        if biased:
            bu[uu] += lr * (err - reg * bu[uu])
            bi[ii] += lr * (err - reg * bi[ii])
        for f in range(n_factors):
            puf, qif = P[uu, f], Q[ii, f]
            P[uu, f] += lr * (err * qif - reg * puf)
            Q[ii, f] += lr * (err * puf - reg * qif)


class SGDMatrixFactorization(BiasedFactorModel):
    r"""Biased matrix factorization by stochastic gradient descent (Surprise's SVD, in numpy).

    Parameters
    ----------
    n_factors : int, default 100
    n_epochs : int, default 20
    biased : bool, default True
        Without biases the model is :math:`\hat r_{ui} = q_i^\top p_u`.
    lr_all, reg_all : float, default 0.005, 0.02
        Learning rate :math:`\gamma` and regularisation :math:`\lambda` for every parameter.
    init_mean, init_std_dev : float, default 0, 0.1
        The normal distribution the factors start from.
    random_state : int, default 0
        Seed of the initialisation; same seed, same model.
    rating_scale : (low, high), optional
        Predictions are clipped to it; default: the training ratings' range.
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown users/items: global mean plus the known bias, flagged (Surprise's SVD),
        or a ValueError.
    engine : {"numba", "python"}, default "numba"
        Who runs the epochs: the compiled kernel :func:`_sgd_epoch_compiled`, or the
        readable reference :func:`sgd_epoch` (about 50× slower). Both give the same
        model to rounding.

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
        handle_unknown: str = "fallback",
        engine: str = "numba",
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
        self.handle_unknown = handle_unknown
        self.engine = engine

    def _fit(self, data: Interactions, validation: pd.DataFrame | None = None) -> None:
        """Learn biases and factors; ``fit(ratings, validation=None)``.

        With ``validation`` (a frame ``user, item, rating``), ``history_`` also records
        the RMSE on its pairs of known users and items after every epoch: a learning curve.
        """
        f = check_positive_int(self.n_factors, "n_factors")
        epochs = check_positive_int(self.n_epochs, "n_epochs")
        if self.lr_all <= 0 or self.reg_all < 0:
            raise ValueError("lr_all must be > 0 and reg_all >= 0.")
        engines: dict[str, Callable[..., None]] = {
            "numba": _sgd_epoch_compiled,  # a numba dispatcher, typed as object
            "python": sgd_epoch,
        }
        epoch_pass = engines[check_choice(self.engine, "engine", list(engines))]
        self._prepare(data)
        u, i, r = data.user_codes, data.item_codes, data.values
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
            epoch_pass(u, i, r, P, Q, bu, bi, mu, lr, reg, self.biased)
            self._record(history, "epoch", epoch + 1, (u, i, r), valid)
        self.history_ = pd.DataFrame(history)
