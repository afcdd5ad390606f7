r"""EASE: an item × item linear model with a closed form (Steck, 2019).

EASE ("embarrassingly shallow autoencoder") predicts each item's column of the user ×
item matrix :math:`X` from the user's other items, by ridge regression with the item
itself left out:

.. math::

    \min_B \; \|X - XB\|_F^2 + \lambda \|B\|_F^2
    \quad \text{subject to} \quad \operatorname{diag}(B) = 0 .

With :math:`P = (X^\top X + \lambda I)^{-1}`, the Lagrangian gives the closed form

.. math::

    B = I - P \operatorname{diag}(1 / \operatorname{diag}(P)),
    \qquad\text{i.e.}\qquad B_{ij} = -P_{ij} / P_{jj} \;(i \ne j),\; B_{jj} = 0,

and a user's scores are :math:`s_u = x_u B`. One :math:`n_\text{items} \times
n_\text{items}` inverse is the whole fit: fast for catalogs up to some ten thousand items.

Reference: H. Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from recsys_lab.models.base import Interactions
from recsys_lab.models.interaction_base import (
    ItemToItemRecommender,
    check_positive_float,
    check_strengths,
)


def ease_weights(X: np.ndarray | sp.spmatrix, reg: float) -> np.ndarray:
    r"""The EASE weight matrix :math:`B` of a user × item matrix ``X`` (dense or sparse).

    Examples
    --------
    Two items, three users. Item 1 alone is the regression of item 1 on item 0:
    :math:`B_{01} = x_0^\top x_1 / (x_0^\top x_0 + \lambda) = 1 / (2 + 1)`.

    >>> ease_weights(np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), reg=1.0).round(4).tolist()
    [[0.0, 0.3333], [0.3333, 0.0]]
    """
    gram = X.T @ X
    gram = np.asarray(gram.toarray() if hasattr(gram, "toarray") else gram, dtype=float)
    gram[np.diag_indices_from(gram)] += reg
    # P = (X'X + λI)^-1; the Gram matrix is symmetric positive definite, so use Cholesky
    P = scipy.linalg.cho_solve(scipy.linalg.cho_factor(gram), np.eye(len(gram)))
    B = -P / np.diag(P)  # divides column j by P_jj
    np.fill_diagonal(B, 0.0)
    return B


class EASE(ItemToItemRecommender):
    r"""EASE (Steck, 2019): scores :math:`s_u = x_u B` with the closed-form :math:`B`.

    See the module docstring for the model. :math:`X` holds the interaction strengths
    (1 for every row of a frame without a ``rating`` column).

    Parameters
    ----------
    reg : float, default 250.0
        :math:`\lambda` > 0, the L2 penalty; Steck tunes it in the hundreds for
        MovieLens-sized data.
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown users/items score 0 (flagged), or raise a ValueError.

    Attributes
    ----------
    weights_ : ndarray, shape (n_items, n_items)
        :math:`B`, zero on the diagonal.

    Examples
    --------
    >>> import pandas as pd
    >>> clicks = pd.DataFrame({"user": [1, 1, 2, 3], "item": ["a", "b", "a", "b"]})
    >>> model = EASE(reg=1.0).fit(clicks)
    >>> model.predict([2], ["b"]).round(4).tolist()  # x_2 B = B_ab = 1 / (2 + 1)
    [0.3333]
    """

    def __init__(self, reg: float = 250.0, handle_unknown: str = "fallback") -> None:
        self.reg = reg
        self.handle_unknown = handle_unknown

    def _fit(self, data: Interactions) -> None:
        reg = check_positive_float(self.reg, "reg")
        check_strengths(data.values)
        self.weights_ = ease_weights(self.seen_, reg)
