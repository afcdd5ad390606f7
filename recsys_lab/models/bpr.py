r"""Bayesian personalized ranking (Rendle et al., 2009): a pairwise loss for implicit data.

BPR does not predict whether a user interacted with an item; it learns to rank an item
the user interacted with, :math:`i`, above one they did not, :math:`j`. With scores
:math:`\hat x_{ui} = p_u^\top q_i + b_i` (factors and an item bias) and
:math:`\hat x_{uij} = \hat x_{ui} - \hat x_{uj}`, it maximises

.. math::

    \text{BPR-Opt} = \sum_{(u, i, j)} \ln \sigma(\hat x_{uij})
        - \frac{\lambda}{2} \big(\|p_u\|^2 + \|q_i\|^2 + \|q_j\|^2 + b_i^2 + b_j^2\big)

by stochastic gradient ascent over sampled triples (LearnBPR): :math:`(u, i)` drawn
uniformly from the interactions, :math:`j` uniformly from the items :math:`u` has not
interacted with. With :math:`z = \sigma(-\hat x_{uij}) = 1 / (1 + e^{\hat x_{uij}})` and
learning rate :math:`\eta`, each triple moves

.. math::

    p_u &\leftarrow p_u + \eta\,(z\,(q_i - q_j) - \lambda p_u), \\
    q_i &\leftarrow q_i + \eta\,(z\,p_u - \lambda q_i), \qquad
    q_j \leftarrow q_j + \eta\,(-z\,p_u - \lambda q_j), \\
    b_i &\leftarrow b_i + \eta\,(z - \lambda b_i), \qquad\;\;\,
    b_j \leftarrow b_j + \eta\,(-z - \lambda b_j)

(all from the values before the step). An epoch draws as many triples as there are
interactions.

**Against** ``implicit.cpu.bpr.BayesianPersonalizedRanking``: the same updates, item
bias (its factors' last column, against a user column fixed at 1), one :math:`\lambda`
for every parameter, and initialisation (uniform on :math:`(-0.5, 0.5) / f`). It
differs in sampling: its negative is the item of another random interaction, so
negatives are drawn in proportion to popularity, and a triple whose negative the user
knows is skipped rather than redrawn (``negatives="popularity"`` does the same). It
runs lock-free on several threads (so it is not reproducible across runs) in float32;
here one thread, float64, seeded.

Reference: S. Rendle, C. Freudenthaler, Z. Gantner and L. Schmidt-Thieme, "BPR: Bayesian
Personalized Ranking from Implicit Feedback", UAI 2009.
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys_lab._validation import check_choice, check_positive_int
from recsys_lab.models.base import Interactions
from recsys_lab.models.interaction_base import (
    LatentFactorRecommender,
    check_positive_float,
    check_strengths,
)

NEGATIVES = ("uniform", "popularity")


def sample_triples(
    seen: sp.csr_matrix, n_samples: int, rng: np.random.Generator, negatives: str = "uniform"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sampled triples (u, i, j): an interaction (u, i) and an item j that u has not touched.

    (u, i) is uniform over the interactions of ``seen``.

    ``negatives="uniform"`` (LearnBPR): j uniform over the items, redrawn until u does
    not know it; ``n_samples`` triples. ``"popularity"`` (``implicit``'s scheme): j is the
    item of another random interaction — drawn in proportion to its number of users —
    and triples whose j the user knows are dropped, so fewer than ``n_samples`` remain.
    ``seen`` is a users × items CSR matrix with sorted indices. Users who interacted
    with every item have no negative and are never drawn.

    >>> seen = sp.csr_matrix(np.array([[1, 0, 0], [1, 1, 0]]))
    >>> u, i, j = sample_triples(seen, 1000, np.random.default_rng(0))
    >>> bool((seen[u, j] == 0).all()), sorted(set(zip(u.tolist(), j.tolist())))
    (True, [(0, 1), (0, 2), (1, 2)])
    """
    n_users, n_items = seen.shape
    counts = np.diff(seen.indptr)
    owner = np.repeat(np.arange(n_users), counts)
    drawable = np.flatnonzero(counts[owner] < n_items)
    if drawable.size == 0:
        raise ValueError(
            "every user interacted with every item: BPR has no negative items to learn from."
        )
    pick = drawable[rng.integers(drawable.size, size=n_samples)]
    u, i = owner[pick], seen.indices[pick]
    if negatives == "popularity":
        j = seen.indices[rng.integers(seen.nnz, size=n_samples)]
        keep = ~_known(seen.indptr, seen.indices, u, j)
        return u[keep], i[keep], j[keep]
    j = rng.integers(n_items, size=n_samples)
    redraw = np.flatnonzero(_known(seen.indptr, seen.indices, u, j))
    while redraw.size:
        j[redraw] = rng.integers(n_items, size=redraw.size)
        redraw = redraw[_known(seen.indptr, seen.indices, u[redraw], j[redraw])]
    return u, i, j


@numba.njit(cache=True)
def _known(
    indptr: np.ndarray, indices: np.ndarray, u: np.ndarray, j: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled; tested through sample_triples
    """Whether each (u, j) is stored in a CSR matrix with sorted indices (binary search)."""
    out = np.zeros(len(u), dtype=np.bool_)
    for n in range(len(u)):
        row = indices[indptr[u[n]] : indptr[u[n] + 1]]
        k = np.searchsorted(row, j[n])
        out[n] = k < len(row) and row[k] == j[n]
    return out


def bpr_epoch(
    u: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    P: np.ndarray,
    Q: np.ndarray,
    b: np.ndarray,
    lr: float,
    reg: float,
) -> int:
    r"""One pass of the updates over the triples, in place; the readable reference.

    Returns how many triples were ranked right (:math:`\hat x_{uij} > 0`) before their step.

    >>> P, Q, b = np.array([[0.1]]), np.array([[0.2], [0.0]]), np.zeros(2)
    >>> bpr_epoch(np.array([0]), np.array([0]), np.array([1]), P, Q, b, lr=1.0, reg=0.0)
    1
    >>> round(float(b[0]), 4), round(float(P[0, 0]), 4)  # z = 1 / (1 + e^0.02)
    (0.495, 0.199)
    """
    correct = 0
    for uu, ii, jj in zip(u.tolist(), i.tolist(), j.tolist(), strict=True):
        x = P[uu] @ (Q[ii] - Q[jj]) + b[ii] - b[jj]
        z = 1.0 / (1.0 + np.exp(x))
        correct += int(x > 0)
        p = P[uu].copy()
        P[uu] += lr * (z * (Q[ii] - Q[jj]) - reg * P[uu])
        Q[ii] += lr * (z * p - reg * Q[ii])
        Q[jj] += lr * (-z * p - reg * Q[jj])
        b[ii] += lr * (z - reg * b[ii])
        b[jj] += lr * (-z - reg * b[jj])
    return correct


@numba.njit(cache=True)
def _bpr_epoch_compiled(
    u: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    P: np.ndarray,
    Q: np.ndarray,
    b: np.ndarray,
    lr: float,
    reg: float,
) -> int:  # pragma: no cover - compiled; tested equal to bpr_epoch
    """:func:`bpr_epoch` compiled by numba, with the factor loops written out."""
    correct = 0
    for n in range(len(u)):
        uu, ii, jj = u[n], i[n], j[n]
        x = b[ii] - b[jj]
        for f in range(P.shape[1]):
            x += P[uu, f] * (Q[ii, f] - Q[jj, f])
        z = 1.0 / (1.0 + np.exp(x))
        if x > 0:
            correct += 1
        for f in range(P.shape[1]):
            pu, qi, qj = P[uu, f], Q[ii, f], Q[jj, f]
            P[uu, f] += lr * (z * (qi - qj) - reg * pu)
            Q[ii, f] += lr * (z * pu - reg * qi)
            Q[jj, f] += lr * (-z * pu - reg * qj)
        b[ii] += lr * (z - reg * b[ii])
        b[jj] += lr * (-z - reg * b[jj])
    return correct


class BPR(LatentFactorRecommender):
    r"""Bayesian personalized ranking (Rendle et al. 2009); see the module docstring.

    Scores :math:`p_u^\top q_i + b_i`. Interaction strengths are ignored (as in
    ``implicit``): every interaction is a positive.

    Parameters
    ----------
    n_factors : int, default 64
    n_epochs : int, default 100
        Passes; each draws as many triples as there are interactions.
    lr : float, default 0.01
        Learning rate :math:`\eta` > 0.
    reg : float, default 0.01
        :math:`\lambda` >= 0, for every parameter.
    negatives : {"uniform", "popularity"}, default "uniform"
        How the negative item is drawn: uniformly among those the user has not
        interacted with (Rendle et al.), or ``implicit``'s scheme — in proportion to its
        popularity, dropping triples whose negative the user knows (see
        :func:`sample_triples`). Popular negatives push popular items down.
    random_state : int or numpy Generator, default 0
        Seeds the initial factors and the sampling; same seed, same model.
    handle_unknown : {"fallback", "error"}, default "fallback"
        An unknown user scores the item bias :math:`b_i` (an unknown item 0), flagged; or
        a ValueError.
    engine : {"numba", "python"}, default "numba"
        Who runs the epochs: the compiled kernel, or the readable :func:`bpr_epoch`
        (about 100× slower). Both give the same model to rounding.

    Attributes
    ----------
    user_factors_, item_factors_, item_bias_ : ndarray
    history_ : DataFrame
        ``epoch, sampled_auc``: the share of the epoch's triples ranked right before
        their step — a running estimate of the training AUC.

    Examples
    --------
    >>> clicks = pd.DataFrame({"user": [1, 1, 2, 2, 3, 4], "item": ["a", "b", "a", "b", "a", "c"]})
    >>> model = BPR(n_factors=2, n_epochs=200, lr=0.1).fit(clicks)
    >>> model.recommend(users=[3, 4], n=1)["item"].tolist()  # b for a's fan, a for the rest
    ['b', 'a']
    """

    def __init__(
        self,
        n_factors: int = 64,
        n_epochs: int = 100,
        lr: float = 0.01,
        reg: float = 0.01,
        negatives: str = "uniform",
        random_state: int | np.random.Generator = 0,
        handle_unknown: str = "fallback",
        engine: str = "numba",
    ) -> None:
        self.n_factors = n_factors
        self.n_epochs = n_epochs
        self.lr = lr
        self.reg = reg
        self.negatives = negatives
        self.random_state = random_state
        self.handle_unknown = handle_unknown
        self.engine = engine

    def _fit(self, data: Interactions) -> None:
        f = check_positive_int(self.n_factors, "n_factors")
        n_epochs = check_positive_int(self.n_epochs, "n_epochs")
        lr = check_positive_float(self.lr, "lr")
        reg = check_positive_float(self.reg, "reg", allow_zero=True)
        engine = check_choice(self.engine, "engine", ("numba", "python"))
        epoch_pass = _bpr_epoch_compiled if engine == "numba" else bpr_epoch
        negatives = check_choice(self.negatives, "negatives", NEGATIVES)
        check_strengths(data.values)
        seen = self.seen_.sorted_indices()  # sample_triples searches each row
        n_users, n_items = data.shape
        rng = np.random.default_rng(self.random_state)
        P = (rng.random((n_users, f)) - 0.5) / f
        Q = (rng.random((n_items, f)) - 0.5) / f
        b = (rng.random(n_items) - 0.5) / f
        history = []
        for epoch in range(n_epochs):
            u, i, j = sample_triples(seen, seen.nnz, rng, negatives)
            correct = epoch_pass(u, i, j, P, Q, b, lr, reg)
            history.append({"epoch": epoch + 1, "sampled_auc": correct / len(u)})
        self.user_factors_, self.item_factors_, self.item_bias_ = P, Q, b
        self.history_ = pd.DataFrame(history)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return super()._scores(u) + self.item_bias_

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return super()._predict_known(u, i) + self.item_bias_[i]

    def _fallback_estimate(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        """An unknown user's score: the item's bias (0 for an unknown item)."""
        return np.where(i >= 0, self.item_bias_[np.maximum(i, 0)], 0.0)
