r"""Popularity under user-level differential privacy (the cold-start notebook).

Each user may add at most ``max_items`` to the counts (:func:`clipped_counts`), so one
user changes any count vector by at most ``max_items`` in :math:`L_1`; Laplace noise of
scale ``max_items / epsilon`` then makes the counts :math:`\varepsilon`-differentially
private for users (:func:`private_counts`). :func:`private_popularity` ranks items by the
noisy counts, and :func:`private_top_n_overlap` measures how much of the true top-n list
survives the noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int


def clipped_counts(
    ratings: pd.DataFrame, max_items: int, items: Sequence | pd.Index | None = None
) -> pd.Series:
    """How many users interacted with each item, counting at most ``max_items`` per user.

    Each user keeps only their first ``max_items`` distinct items (by ``timestamp`` if the
    frame has one, else in row order); every item of ``items`` (default: the items in
    ``ratings``) gets a count, 0 if nobody kept it. Bounding each user's contribution is
    what makes the sensitivity of the whole vector of counts equal to ``max_items``.

    >>> r = pd.DataFrame({"user": [1, 1, 1, 2], "item": ["a", "b", "c", "a"]})
    >>> clipped_counts(r, max_items=2, items=["a", "b", "c", "d"]).tolist()
    [2, 1, 0, 0]
    """
    max_items = check_positive_int(max_items, "max_items")
    df = ratings[["user", "item"] + (["timestamp"] if "timestamp" in ratings else [])]
    if "timestamp" in df:
        df = df.sort_values("timestamp", kind="stable")
    df = df.drop_duplicates(["user", "item"])
    kept = df[df.groupby("user", sort=False).cumcount() < max_items]
    catalogue = pd.Index(pd.unique(ratings["item"].to_numpy()) if items is None else items)
    return kept["item"].value_counts().reindex(catalogue, fill_value=0).rename("count")


def private_counts(
    counts: pd.Series, epsilon: float, sensitivity: float = 1.0, random_state: int = 0
) -> pd.Series:
    """Counts with Laplace noise of scale ``sensitivity / epsilon`` (the Laplace mechanism).

    ``sensitivity`` is the L1 sensitivity of the whole vector: the most that adding or
    removing *one user* can change the counts in total. If each user counts at most
    ``m`` items once each (:func:`clipped_counts`), it is ``m``, and the released vector is
    ε-differentially private at the user level (Dwork & Roth 2014, Thm 3.6). Release the
    noisy counts of the *whole* catalogue: choosing which items to publish from the true
    counts would leak. Smaller ε: more privacy, more noise.

    >>> noisy = private_counts(pd.Series({"a": 100, "b": 3}), epsilon=1.0)
    >>> noisy.index.tolist()
    ['a', 'b']
    """
    if epsilon <= 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}.")
    if sensitivity <= 0:
        raise ValueError(f"sensitivity must be > 0, got {sensitivity}.")
    noise = np.random.default_rng(random_state).laplace(0.0, sensitivity / epsilon, len(counts))
    return counts.astype(float) + noise


def private_popularity(
    ratings: pd.DataFrame,
    epsilon: float,
    max_items: int,
    items: Sequence | pd.Index | None = None,
    random_state: int = 0,
) -> pd.Series:
    """User-level ε-DP popularity of the whole catalogue: clip to ``max_items``, add noise.

    :func:`clipped_counts` then :func:`private_counts` with sensitivity ``max_items``.

    >>> r = pd.DataFrame({"user": range(100), "item": ["a"] * 60 + ["b"] * 40})
    >>> private_popularity(r, epsilon=10.0, max_items=1).idxmax()
    'a'
    """
    counts = clipped_counts(ratings, max_items, items)
    return private_counts(counts, epsilon, float(max_items), random_state)


def private_top_n_overlap(
    train: pd.DataFrame,
    epsilon: float,
    max_items: int,
    n: int = 10,
    n_runs: int = 20,
    random_state: int = 0,
) -> float:
    """Average share of the true top-``n`` (unclipped counts) that the private top-``n`` keeps.

    The private list is the top ``n`` of :func:`private_popularity`; it loses items both
    to the clipping (bias) and to the noise (variance).

    >>> r = pd.DataFrame({"user": range(100), "item": ["a"] * 60 + ["b"] * 40})
    >>> private_top_n_overlap(r, epsilon=10.0, max_items=1, n=1)
    1.0
    """
    n = check_positive_int(n, "n")
    counts = train.groupby("item")["user"].nunique()
    true_top = set(counts.sort_values(ascending=False, kind="stable").index[:n])
    clipped = clipped_counts(train, max_items, counts.index)
    kept = []
    for run in range(check_positive_int(n_runs, "n_runs")):
        noisy = private_counts(clipped, epsilon, float(max_items), random_state + run)
        kept.append(len(true_top & set(noisy.sort_values(ascending=False).index[:n])) / n)
    return float(np.mean(kept))
