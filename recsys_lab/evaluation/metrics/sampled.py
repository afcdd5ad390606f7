r"""Sampled ranking: each user's held-out items against a few random items, not the catalog.

Many papers rank each user's held-out items among :math:`m = 100` sampled items the user
has not interacted with, and report hit rate and NDCG on those :math:`m + |T_u|`
candidates. It is cheap, but Krichene & Rendle ("On Sampled Metrics for Item
Recommendation", KDD 2020) show that sampled metrics are not consistent with the full
ones: a model that puts the held-out item at rank 30 of 1,000 for everybody beats, on
sampled HR@10, a model that ranks it first for half of the users — the reverse of the
full ranking. :func:`sampled_ranking` computes the sampled metrics so that the two can be
put side by side; the suite's own default stays the full ranking
(:func:`recsys_lab.evaluation.metrics.per_user` on a recommender's lists).

On its candidates a user's metrics are those of :mod:`recsys_lab.evaluation.metrics.ranking`: hit
rate@k is 1 when a held-out item is in the top :math:`k`, and
NDCG@k :math:`= \sum_{r \le k} \text{rel}_r / \log_2(r + 1)` over its ideal value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

import numpy as np
import pandas as pd
from scipy import stats as st

from recsys_lab._validation import check_positive_int, check_ratings
from recsys_lab.evaluation.metrics import ranking

Scorer = Callable[[Iterable[Hashable], Iterable[Hashable]], object]
_BLOCK = 2**22  # user × item cells drawn at once


def _score_function(scorer: object) -> Scorer:
    predict = getattr(scorer, "predict", None)
    if callable(predict):
        return predict
    if callable(scorer):
        return scorer
    raise TypeError(
        f"scorer must be a fitted recommender with predict(users, items) or a function "
        f"(users, items) -> scores, got {type(scorer).__name__}."
    )


def sampled_ranking(
    scorer: object,
    train: pd.DataFrame,
    test: pd.DataFrame,
    k: int = 10,
    n_negatives: int = 100,
    items: Iterable[Hashable] | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Per-user hit rate and NDCG at ``k`` with ``n_negatives`` sampled items per user.

    For each test user seen in ``train``: draw ``n_negatives`` items of the catalog that
    the user has neither in ``train`` nor in ``test`` (uniformly, without replacement; all
    of them if there are fewer), score them and the user's held-out items with
    ``scorer``, rank by score (ties in random order) and compute the metrics of the top
    ``k``. Test rows whose user is not in ``train`` or whose item is not in the catalog
    are left out: a model trained on ``train`` cannot rank them.

    Parameters
    ----------
    scorer : recommender or callable
        A fitted recommender (its ``predict(users, items)`` is used) or any function
        ``(users, items) -> scores``, higher = better.
    train, test : DataFrame
        ``user, item`` of the training data and of the held-out (relevant) items.
    k : int, default 10
    n_negatives : int, default 100
    items : iterable, optional
        The catalog negatives are drawn from; default: the items of ``train``.
    random_state : int, default 0
        Seeds the negatives and the order of ties.

    Returns
    -------
    DataFrame
        Indexed by user: ``hit_rate``, ``ndcg`` and ``negatives`` (how many were drawn).

    Examples
    --------
    >>> train = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "c"]})
    >>> test = pd.DataFrame({"user": [1], "item": ["c"]})
    >>> price = {"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.5}
    >>> by_price = lambda users, items: [price[i] for i in items]
    >>> sampled_ranking(by_price, train, test, k=1, items=list("abcd")).round(3).values.tolist()
    [[1.0, 1.0, 1.0]]
    """
    k = check_positive_int(k, "k")
    n_negatives = check_positive_int(n_negatives, "n_negatives")
    predict = _score_function(scorer)
    train = check_ratings(train, ("user", "item"))
    test = check_ratings(test, ("user", "item"))
    catalog = pd.Index(pd.unique(np.asarray(list(train["item"] if items is None else items))))
    test = test[test["user"].isin(train["user"]) & test["item"].isin(catalog)]
    if test.empty:
        raise ValueError(
            "no test row has a user seen in train and an item in the catalog: nothing to rank."
        )
    u_test, users = pd.factorize(test["user"])
    i_test = catalog.get_indexer(pd.Index(test["item"]))
    seen = train[train["user"].isin(users) & train["item"].isin(catalog)]
    u_seen = users.get_indexer(pd.Index(seen["user"]))
    i_seen = catalog.get_indexer(pd.Index(seen["item"]))
    rng = np.random.default_rng(random_state)
    n_items = len(catalog)
    m = min(n_negatives, n_items)
    rows = max(1, _BLOCK // n_items)
    neg_u, neg_i = [], []
    for start in range(0, len(users), rows):
        stop = min(start + rows, len(users))
        keys = rng.random((stop - start, n_items))
        for u, i in ((u_seen, i_seen), (u_test, i_test)):
            mine = (u >= start) & (u < stop)
            keys[u[mine] - start, i[mine]] = np.inf  # never a negative
        picked = np.argpartition(keys, m - 1, axis=1)[:, :m]
        drawn = np.isfinite(np.take_along_axis(keys, picked, axis=1))
        neg_u.append(np.nonzero(drawn)[0] + start)
        neg_i.append(picked[drawn])
    cand_u = np.concatenate([u_test, *neg_u])
    cand_i = np.concatenate([i_test, *neg_i])
    scores = np.asarray(predict(users[cand_u], catalog[cand_i]), dtype=float)
    if scores.shape != cand_u.shape or np.isnan(scores).any():
        raise ValueError(
            f"the scorer must return one number per (user, item) pair: asked for "
            f"{cand_u.size}, got shape {scores.shape} with {int(np.isnan(scores).sum())} NaN."
        )
    order = np.lexsort((rng.random(cand_u.size), -scores, cand_u))  # ties: random order
    position = pd.Series(cand_u[order]).groupby(cand_u[order]).cumcount().to_numpy()
    top = order[position < k]
    lists = pd.DataFrame(
        {
            "user": users[cand_u[top]],
            "item": catalog[cand_i[top]],
            "rank": position[position < k] + 1,
        }
    )
    truth = pd.DataFrame({"user": users[u_test], "item": catalog[i_test]})
    table = ranking.per_user(lists, truth, k)[["hit_rate", "ndcg"]]
    negatives = np.bincount(np.concatenate(neg_u), minlength=len(users))
    return table.assign(negatives=negatives[users.get_indexer(table.index)])


def sampled_hit_probability(
    rank: object, n_items: int, k: int = 10, n_negatives: int = 100
) -> np.ndarray:
    r"""Probability that an item at full rank ``rank`` is in the top ``k`` of a sampled ranking.

    An item ranked :math:`r`-th of the :math:`N` items a model can rank for a user has
    :math:`r - 1` items above it. Of :math:`m` negatives drawn uniformly without replacement
    from the other :math:`N - 1`, the number :math:`X` that rank above it is hypergeometric,
    and the item is a sampled hit at ``k`` when :math:`X \le k - 1`:

    .. math:: P(\text{hit} \mid r) = P\big(X \le k - 1\big),\quad
              X \sim \text{Hypergeometric}(N - 1,\ r - 1,\ m)

    (Krichene & Rendle, KDD 2020, section 3). It is 1 for :math:`r \le k`, falls smoothly
    around :math:`r \approx kN/(m+1)` and reaches 0 only at :math:`r > N - m + k - 1`: sampled
    HR@k weighs every rank, where full HR@k counts the top ``k`` only. Summed over all
    ranks it is exactly :math:`kN/(m + 1)` (the held-out item's rank among the
    :math:`m + 1` candidates is uniform when :math:`r` is), the width of the full-ranking
    cut-off sampled HR@k stands in for. With :math:`m \ge N - 1` nothing is sampled away
    and the result is the full HR@k: 1 for :math:`r \le k`, else 0.

    Parameters
    ----------
    rank : int or array-like of int
        Full ranks, 1 = best, at most ``n_items``.
    n_items : int
        :math:`N`, the items ranked for the user (the catalog minus the user's history).
    k : int, default 10
    n_negatives : int, default 100

    Returns
    -------
    ndarray
        One probability per rank (a 0-d array for a scalar rank).

    Examples
    --------
    >>> sampled_hit_probability([1, 10, 100, 163, 300, 500], n_items=1682).round(3).tolist()
    [1.0, 1.0, 0.936, 0.498, 0.009, 0.0]
    >>> round(float(sampled_hit_probability(np.arange(1, 1683), 1682).sum()), 2)  # 10 × 1682/101
    166.53
    """
    n_items = check_positive_int(n_items, "n_items")
    k = check_positive_int(k, "k")
    n_negatives = check_positive_int(n_negatives, "n_negatives")
    try:
        r = np.asarray(rank, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("rank must be an integer or integers (1 = the top item).") from None
    if np.isnan(r).any() or (r != np.round(r)).any() or (r < 1).any() or (r > n_items).any():
        raise ValueError(f"rank must hold whole numbers from 1 to n_items = {n_items}, got {rank}.")
    m = min(n_negatives, n_items - 1)
    return np.asarray(st.hypergeom.cdf(k - 1, n_items - 1, r - 1, m), dtype=float)
