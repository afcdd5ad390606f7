r"""Assign clients to salespeople so that predicted bookings are as large as possible.

The article's goal: "predict how much each salesperson can make in bookings
with each client and do the right assignment of clients to salespeople". With
a completed matrix :math:`\hat R` (salespeople × clients) and a capacity
:math:`c_s` per salesperson, choose :math:`x_{sc} \in \{0, 1\}` to

.. math::

    \max \sum_{s,c} \hat R_{sc}\, x_{sc} \quad \text{s.t.} \quad
    \sum_s x_{sc} = 1 \ \forall c, \qquad \sum_c x_{sc} \le c_s \ \forall s.

Repeating each salesperson's column :math:`c_s` times turns this into the
classic assignment problem, solved exactly by the Hungarian-style algorithm in
:func:`scipy.optimize.linear_sum_assignment`. The result is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from recsys_lab._validation import check_matrix, check_positive_int


def assign(predicted: pd.DataFrame, capacity: int | Mapping[object, int] = 1) -> pd.DataFrame:
    """Give every client one salesperson, maximizing total predicted bookings.

    Parameters
    ----------
    predicted : DataFrame
        Salespeople (rows) × clients (columns), every cell known — e.g. the
        output of :func:`recsys_lab.teaching.neighbors.complete`.
    capacity : int or mapping, default 1
        The most clients one salesperson may take: one number for all, or a
        mapping salesperson → number (0 allowed, missing names count as 0).

    Returns
    -------
    DataFrame
        One row per client (in column order): ``client``, ``salesperson``,
        ``predicted``. ``result["predicted"].sum()`` is the optimal total.

    Examples
    --------
    >>> R = pd.DataFrame({"A": [5.0, 4.0], "B": [4.0, 1.0]}, index=["Ann", "Bob"])
    >>> assign(R)[["client", "salesperson"]].values.tolist()
    [['A', 'Bob'], ['B', 'Ann']]
    """
    M = check_matrix(predicted, "predicted")
    if M.isna().any().any():
        raise ValueError(
            "predicted has unknown (NaN) cells; complete the matrix first, e.g. with "
            "recsys_lab.teaching.neighbors.complete, or fill what cannot be predicted."
        )
    if isinstance(capacity, Mapping):
        unknown = [s for s in capacity if s not in M.index]
        if unknown:
            raise ValueError(
                f"capacity names unknown salespeople {unknown}; known: {list(M.index)}."
            )
        caps = [check_positive_int(capacity.get(s, 0), f"capacity[{s!r}]", 0) for s in M.index]
    else:
        caps = [check_positive_int(capacity, "capacity")] * len(M)
    if sum(caps) < M.shape[1]:
        raise ValueError(
            f"{M.shape[1]} clients need at least that many places, but the capacities "
            f"add up to {sum(caps)}. Raise the capacity."
        )
    slots = np.repeat(np.arange(len(M)), caps)  # one column per free place
    gain = M.to_numpy().T[:, slots]  # clients × places
    clients, places = linear_sum_assignment(gain, maximize=True)
    people = slots[places]
    return pd.DataFrame(
        {
            "client": M.columns[clients],
            "salesperson": M.index[people],
            "predicted": M.to_numpy()[people, clients],
        }
    )
