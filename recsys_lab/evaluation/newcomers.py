"""Evaluating cold-start strategies on real newcomers, history length by history length.

Real newcomers are the users whose first rating comes after a date
(:func:`recsys_lab.data.splits.newcomers_by_time`); for them,

* :func:`evaluate_by_history` — the same metrics for every strategy, for newcomers
  with ``h`` known ratings, scored on their next ratings, so crossovers are visible;
  :func:`summarize_by_history` adds bootstrap intervals over newcomers,
  :func:`paired_by_history` a paired test between two strategies at each ``h`` and
  :func:`switch_point` the history at which collaborative filtering catches up;
* :func:`evaluate_elicitation` — which sign-up questions teach the model most.

The strategies themselves are in :mod:`recsys_lab.models.coldstart`; the cold-start
notebook's set-up is :func:`recsys_lab.teaching.experiments.movielens_newcomers`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int, check_ratings
from recsys_lab.evaluation.metrics import recall_at_k
from recsys_lab.evaluation.metrics.ranking import per_user as metrics_per_user
from recsys_lab.evaluation.stats import bootstrap_ci, paired_test
from recsys_lab.models.als_mf import ALSMatrixFactorization
from recsys_lab.models.coldstart import fold_in, rank_unseen

BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("0", 0, 0),
    ("1–2", 1, 2),
    ("3–5", 3, 5),
    ("6–10", 6, 10),
    (">10", 11, 10**9),
)


def history_bucket(n: int) -> str:
    """The bucket label of a history length: '0', '1–2', '3–5', '6–10' or '>10'."""
    for label, lo, hi in BUCKETS:
        if lo <= n <= hi:
            return label
    raise ValueError(f"history length must be >= 0, got {n}.")


def evaluate_by_history(
    strategies: Mapping[str, Callable[[Hashable, pd.DataFrame], list]],
    newcomers: pd.DataFrame,
    lengths: Sequence[int] = (0, 2, 5, 10, 15),
    n_truth: int = 10,
    k: int = 10,
    relevant: float = 4,
    truth: pd.DataFrame | None = None,
    per_user: bool = False,
) -> pd.DataFrame:
    """Recall@k of every strategy for newcomers with ``h`` known ratings, for each ``h``.

    Each newcomer's ratings are sorted by time; the first ``h`` are the known history
    given to ``strategy(user, history)``, and what a good list contains is among the
    **next** ``n_truth`` ratings (positions ``h + 1 … h + n_truth``) those rated at least
    ``relevant`` — what the newcomer went on to rate, right after the ``h`` we know.
    A newcomer with no such rating in that window has no defined recall at that ``h``
    and is left out there (the same users for every strategy, so the per-user values
    of two strategies at one ``h`` can be compared pairwise).

    Parameters
    ----------
    strategies : mapping of name to callable
        ``strategy(user, history) -> ranked list of items``, e.g.
        :func:`recsys_lab.teaching.experiments.newcomer_strategies`.
    newcomers : DataFrame
        ``user, item, rating, timestamp`` of the users to evaluate; each needs
        ``max(lengths) + n_truth`` ratings.
    lengths : sequence of int
        The history lengths ``h`` to evaluate.
    n_truth : int, default 10
        How many of the ratings right after the first ``h`` form the future.
    k : int, default 10
        The cut-off of recall@k.
    relevant : float, default 4
        Future ratings at least this high are what a good list contains.
    truth : DataFrame, optional
        ``user, item`` replacing the next ratings as what a good list contains (the same
        for every ``h``) — e.g. each user's true favourites in a synthetic data set
        (:func:`recsys_lab.data.true_favourites`), free of exposure bias.
    per_user : bool, default False
        Return one row per strategy, ``h`` and user (column ``user``) instead of means,
        for intervals and paired tests.

    Returns
    -------
    DataFrame
        ``strategy, history, bucket, recall, users``: one row per strategy and ``h``
        (``users`` counts the newcomers scored); with ``per_user``, ``strategy, history,
        user, recall``.
    """
    n_truth = check_positive_int(n_truth, "n_truth")
    need = max(lengths) + n_truth
    df = check_ratings(newcomers, columns=("user", "item", "rating", "timestamp"))
    df = df.sort_values("timestamp", kind="stable")
    sizes = df.groupby("user").size()
    short = sizes[sizes < need]
    if len(short):
        raise ValueError(
            f"{len(short)} newcomer(s) have fewer than {need} ratings, e.g. user "
            f"{short.index[0]!r}; choose users with more history."
        )
    groups = {u: g for u, g in df.groupby("user", sort=False)}
    if truth is not None:
        fixed = truth[truth["user"].isin(groups)]
    rows = []
    for h in lengths:
        histories = {u: g.head(h) for u, g in groups.items()}
        if truth is None:
            future = pd.concat([g.iloc[h : h + n_truth] for g in groups.values()])
            good = future[future["rating"] >= relevant]
        else:
            good = fixed
        if good.empty:
            continue  # no newcomer has a relevant rating at this h: nothing to score
        scored = pd.unique(good["user"].to_numpy())
        for name, strategy in strategies.items():
            recs = {u: strategy(u, histories[u]) for u in scored}
            table = metrics_per_user(recs, good[["user", "item"]], k)
            rows.append(
                pd.DataFrame(
                    {
                        "strategy": name,
                        "history": h,
                        "user": table.index.to_numpy(),
                        "recall": table["recall"].to_numpy(),
                    }
                )
            )
    columns = ["strategy", "history", "user", "recall"]
    long = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    if per_user:
        return long
    out = long.groupby(["strategy", "history"], sort=False)["recall"].agg(["mean", "size"])
    out = out.reset_index().rename(columns={"mean": "recall", "size": "users"})
    out.insert(2, "bucket", out["history"].map(history_bucket))
    return out


def _check_per_user(per_user: object, needs: tuple[str, ...]) -> pd.DataFrame:
    """``per_user`` as :func:`evaluate_by_history` gives it; else an error naming what lacks."""
    if not isinstance(per_user, pd.DataFrame):
        raise TypeError("per_user must be evaluate_by_history(..., per_user=True)'s DataFrame.")
    missing = [c for c in needs if c not in per_user.columns]
    if missing:
        raise ValueError(
            f"per_user lacks column(s) {missing}; pass evaluate_by_history(..., per_user=True)'s "
            f"table, which has {list(needs)}."
        )
    return per_user


def summarize_by_history(
    per_user: pd.DataFrame,
    confidence: float = 0.95,
    n_resamples: int = 2_000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Mean recall with a bootstrap interval over newcomers, per strategy and ``h``.

    ``per_user`` is :func:`evaluate_by_history`'s table with ``per_user=True``. The
    interval resamples newcomers (:func:`recsys_lab.evaluation.stats.bootstrap_ci`).

    Returns ``strategy, history, recall, low, high, users``.
    """
    per_user = _check_per_user(per_user, ("strategy", "history", "recall"))
    rows = []
    for (name, h), g in per_user.groupby(["strategy", "history"], sort=False):
        low, high = bootstrap_ci(g["recall"], confidence, n_resamples, random_state)
        rows.append(
            {
                "strategy": name,
                "history": h,
                "recall": float(g["recall"].mean()),
                "low": low,
                "high": high,
                "users": len(g),
            }
        )
    return pd.DataFrame(rows)


def paired_by_history(per_user: pd.DataFrame, a: str, b: str, method: str = "t") -> pd.DataFrame:
    """Paired test of strategy ``a`` against ``b`` at every ``h``, over the same newcomers.

    Returns ``history, difference`` (mean of a − b), ``low, high`` (its interval) and
    ``pvalue`` — from :func:`recsys_lab.evaluation.stats.paired_test`.
    """
    per_user = _check_per_user(per_user, ("strategy", "history", "user", "recall"))
    known = set(per_user["strategy"])
    for name in (a, b):
        if name not in known:
            raise ValueError(f"Unknown strategy {name!r}. Known: {sorted(known)}.")
    wide = per_user.pivot_table(
        index=["history", "user"], columns="strategy", values="recall", sort=False
    )
    rows = []
    for h, g in wide.groupby(level="history", sort=False):
        test = paired_test(g[a].to_numpy(), g[b].to_numpy(), method=method)
        rows.append(
            {
                "history": h,
                "difference": float((g[a] - g[b]).mean()),
                "low": test.ci[0],
                "high": test.ci[1],
                "pvalue": test.pvalue,
            }
        )
    return pd.DataFrame(rows)


def switch_point(results: pd.DataFrame, cold: str, warm: str) -> int | None:
    """The shortest history at which ``warm`` does at least as well as ``cold``.

    ``results`` is :func:`evaluate_by_history`'s table; None if ``warm`` never catches up.

    >>> t = pd.DataFrame({"strategy": ["c", "w", "c", "w"], "history": [0, 0, 5, 5],
    ...                   "recall": [0.2, 0.1, 0.2, 0.3]})
    >>> switch_point(t, cold="c", warm="w")
    5
    """
    wide = results.pivot(index="history", columns="strategy", values="recall")
    for name in (cold, warm):
        if name not in wide.columns:
            raise ValueError(f"Unknown strategy {name!r}. Known: {list(wide.columns)}.")
    ahead = wide.index[wide[warm] >= wide[cold]]
    return int(ahead.min()) if len(ahead) else None


def evaluate_elicitation(
    questions: Mapping[str, Sequence[Hashable]],
    newcomers: pd.DataFrame,
    model: ALSMatrixFactorization,
    truth: pd.DataFrame,
    k: int = 10,
) -> pd.DataFrame:
    """Ask each newcomer the same items; fold in the answers; score the lists.

    A newcomer can answer only about items they actually rated (their rating is the
    answer); the others are "never heard of it". Returns ``strategy, answered`` (mean
    number of answers per newcomer) and ``recall`` (recall@k against ``truth``).
    """
    rows = []
    by_user = {u: g for u, g in newcomers.groupby("user", sort=False)}
    for name, items in questions.items():
        answers = {u: g[g["item"].isin(list(items))] for u, g in by_user.items()}
        recs = {u: rank_unseen(fold_in(model, a), k, a["item"]) for u, a in answers.items()}
        rows.append(
            {
                "strategy": name,
                "answered": float(np.mean([len(a) for a in answers.values()])),
                "recall": recall_at_k(recs, truth[truth["user"].isin(by_user)], k),
            }
        )
    return pd.DataFrame(rows)
