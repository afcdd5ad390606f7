r"""Weighted voting: how much each neighbour's value counts in a prediction.

A neighbourhood prediction is a weighted mean of the neighbours' values
:math:`v_1, \dots, v_N` (sorted from nearest to farthest):

.. math:: \hat r = \frac{\sum_i w_i v_i}{\sum_i w_i}

The article uses two weightings: *equal* (:math:`w_i = 1`, giving $400,000 for
Alyssa and Staples) and *inverse rank* (:math:`w_i = 1/i`, giving ≈ $433,333).
The others here are the usual next steps. Every weight function takes the
neighbours' distances (nearest first) and returns one non-negative weight each.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from recsys_lab._validation import check_choice, check_positive_int


def _as_distances(distances: object) -> np.ndarray:
    d = np.asarray(distances, dtype=float)
    if d.ndim != 1:
        raise ValueError(f"distances must be 1-D, got shape {d.shape}.")
    if np.isnan(d).any() or (d < 0).any():
        raise ValueError("distances must be known (no NaN) and >= 0.")
    return d


def equal(distances: object) -> np.ndarray:
    """Every neighbour counts the same: :math:`w_i = 1`.

    >>> equal([0.0, 200.0]).tolist()
    [1.0, 1.0]
    """
    return np.ones_like(_as_distances(distances))


def inverse_rank(distances: object) -> np.ndarray:
    """The i-th nearest neighbour gets :math:`w_i = 1/i` (the article's second vote).

    >>> inverse_rank([0.0, 200.0, 300.0]).tolist()
    [1.0, 0.5, 0.3333333333333333]
    """
    d = _as_distances(distances)
    return 1.0 / np.arange(1, d.size + 1, dtype=float)


def inverse_distance(distances: object, eps: float = 1.0) -> np.ndarray:
    r"""Closer counts more: :math:`w_i = 1 / (d_i + \varepsilon)`.

    ``eps`` keeps a distance of 0 finite; pick it on the scale of the data.

    >>> inverse_distance([0.0, 1.0]).tolist()
    [1.0, 0.5]
    """
    if eps <= 0:
        raise ValueError(f"eps must be > 0 so that a distance of 0 stays finite, got {eps}.")
    return 1.0 / (_as_distances(distances) + eps)


def similarity(similarities: object) -> np.ndarray:
    """Use a similarity (larger = closer) directly: :math:`w_i = s_i`, negatives set to 0.

    >>> similarity([0.9, 0.5, -0.2]).tolist()
    [0.9, 0.5, 0.0]
    """
    s = np.asarray(similarities, dtype=float)
    if s.ndim != 1 or np.isnan(s).any():
        raise ValueError("similarities must be a 1-D array without NaN.")
    return np.clip(s, 0.0, None)


def gaussian(distances: object, bandwidth: float = 1.0) -> np.ndarray:
    r"""Gaussian kernel: :math:`w_i = \exp(-d_i^2 / (2h^2))` with bandwidth :math:`h`.

    >>> gaussian([0.0, 1.0], bandwidth=1.0).round(4).tolist()
    [1.0, 0.6065]
    """
    if bandwidth <= 0:
        raise ValueError(f"bandwidth must be > 0, got {bandwidth}.")
    d = _as_distances(distances)
    return np.exp(-(d**2) / (2.0 * bandwidth**2))


def softmax(distances: object, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax of negative distances: :math:`w_i \propto \exp(-d_i / T)`.

    A small temperature :math:`T` puts all the weight on the nearest neighbour,
    a large one approaches equal weights. Weights sum to 1.

    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    z = -_as_distances(distances) / temperature
    if z.size == 0:
        return z
    e = np.exp(z - z.max())  # shift for numerical stability; the ratio is unchanged
    return e / e.sum()


WEIGHTINGS: dict[str, Callable[..., np.ndarray]] = {
    "equal": equal,
    "rank": inverse_rank,
    "inverse_distance": inverse_distance,
    "gaussian": gaussian,
    "softmax": softmax,
}
"""Weightings by name, for the ``weighting=`` argument of :mod:`recsys_lab.teaching.neighbors`."""

BY_POSITION: tuple[str, ...] = ("equal", "rank")
"""Weightings that depend only on a neighbour's position in the sorted list, not on its
distance: the weights of the first :math:`m` neighbours are those of any :math:`m`
distances, which lets :func:`recsys_lab.teaching.neighbors.predict_from_distances` vote for many
cells in one array operation."""


def weights(distances: object, weighting: str = "equal", **params: float) -> np.ndarray:
    """Weights for neighbours at ``distances`` (nearest first) under a named scheme.

    >>> weights([0.0, 200.0], "rank").tolist()
    [1.0, 0.5]
    """
    check_choice(weighting, "weighting", WEIGHTINGS)
    return WEIGHTINGS[weighting](distances, **params)


def weighted_vote(values: object, w: object) -> float:
    r"""The weighted mean :math:`\sum_i w_i v_i / \sum_i w_i`.

    Raises ``ValueError`` when there is nothing to vote with (no values, or
    all weights 0) rather than returning a silent NaN.

    >>> weighted_vote([500_000, 300_000], [1.0, 0.5])
    433333.3333333333
    """
    v = np.asarray(values, dtype=float)
    wt = np.asarray(w, dtype=float)
    if v.shape != wt.shape or v.ndim != 1:
        raise ValueError(
            f"values and weights must be 1-D of equal length: {v.shape} vs {wt.shape}."
        )
    if np.isnan(v).any():
        raise ValueError("values to vote with must be known (no NaN).")
    if (wt < 0).any() or np.isnan(wt).any():
        raise ValueError("weights must be >= 0.")
    total = wt.sum()
    if v.size == 0 or total == 0:
        raise ValueError("no neighbour has a positive weight, so there is nothing to vote with.")
    return float((wt * v).sum() / total)


KNN_WEIGHTINGS = ("similarity", "equal", "rank")
"""The weightings of :class:`~recsys_lab.models.knn.KNNRecommender`'s vote."""


def knn_vote(
    values: object,
    similarities: object,
    k: int = 40,
    weighting: str = "similarity",
    min_k: int = 1,
) -> float:
    r"""One prediction of the k-nearest-neighbour recommender, written out plainly.

    The candidates are everyone who rated the item, in training order, with their
    ``values`` (ratings) and ``similarities`` to the target. As in Surprise's
    ``KNNBasic``: keep the ``k`` most similar (equal similarities keep the earlier
    candidate), then only those with a positive similarity vote, weighted by

    * ``"similarity"``: :math:`w_v = \text{sim}(u, v)` (Surprise);
    * ``"equal"``: :math:`w_v = 1`;
    * ``"rank"``: :math:`w_v = 1/\text{rank}` among the voters (the article's vote).

    The result is :math:`\sum_v w_v r_v / \sum_v w_v`, or NaN with fewer than ``min_k``
    voters (the recommender then falls back to the global mean, flagged).
    :class:`~recsys_lab.models.knn.KNNRecommender` computes the same for many pairs at
    once; this is the readable version, one pair.

    Examples
    --------
    Three candidates; with ``k=2`` the one at similarity 0.2 is left out, so the vote is
    (0.9 × 5 + 0.5 × 1) / 1.4:

    >>> knn_vote([5, 3, 1], [0.9, 0.2, 0.5], k=2)
    3.5714285714285716
    >>> knn_vote([5, 3], [-0.1, 0.0])  # nobody similar: impossible
    nan
    """
    v = np.asarray(values, dtype=float)
    s = np.asarray(similarities, dtype=float)
    if v.shape != s.shape or v.ndim != 1:
        raise ValueError(
            f"values and similarities must be 1-D of equal length: {v.shape} vs {s.shape}."
        )
    if np.isnan(v).any() or np.isnan(s).any():
        raise ValueError("values and similarities must be known (no NaN).")
    check_positive_int(k, "k")
    check_positive_int(min_k, "min_k")
    check_choice(weighting, "weighting", KNN_WEIGHTINGS)
    top = np.argsort(-s, kind="stable")[:k]  # the k most similar; ties: earlier first
    voters = top[s[top] > 0]
    if voters.size < min_k or voters.size == 0:
        return float("nan")
    w = {
        "similarity": s[voters],
        "equal": np.ones(voters.size),
        "rank": 1.0 / np.arange(1, voters.size + 1),
    }[weighting]
    return weighted_vote(v[voters], w)


def mean_centred_vote(
    values: object,
    similarities: object,
    means: object,
    target_mean: float,
    k: int = 40,
    weighting: str = "similarity",
    min_k: int = 1,
) -> float:
    r"""One prediction of the mean-centred recommender (Surprise's ``KNNWithMeans``).

    The candidates vote, as in :func:`knn_vote`, with their deviations from their own
    mean, :math:`r_v - \mu_v`; the target's mean is added back:

    .. math:: \hat r = \mu_u + \frac{\sum_v w_v (r_v - \mu_v)}{\sum_v w_v}

    With fewer than ``min_k`` voters the answer is :math:`\mu_u` alone (not clipped).

    Examples
    --------
    A neighbour who rates the item 1 point above their own mean lifts the target's
    mean by 1:

    >>> mean_centred_vote([4.0], [0.8], means=[3.0], target_mean=2.5)
    3.5
    >>> mean_centred_vote([4.0], [0.0], means=[3.0], target_mean=2.5)  # nobody votes
    2.5
    """
    v = np.asarray(values, dtype=float)
    mu = np.asarray(means, dtype=float)
    if v.shape != mu.shape:
        raise ValueError(f"values and means must have equal length: {v.shape} vs {mu.shape}.")
    if np.isnan(mu).any() or not np.isfinite(target_mean):
        raise ValueError("means and target_mean must be known numbers (no NaN).")
    deviation = knn_vote(v - mu, similarities, k, weighting, min_k)
    return float(target_mean) + (0.0 if np.isnan(deviation) else deviation)
