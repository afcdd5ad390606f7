"""One call that scores one or several recommenders on every metric that applies."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int
from recsys_lab.metrics import beyond, ranking
from recsys_lab.metrics._lists import Recs

PER_USER_BEYOND = ("novelty", "arp", "aplt", "intra_list_diversity", "calibration", "serendipity")


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    summary : DataFrame
        Tidy: ``model, metric, value``.
    per_user : DataFrame
        ``model, user`` and one column per per-user metric.
    by_group : DataFrame or None
        With ``groups``: ``model, metric, group, users, mean`` for each per-user metric.
    """

    summary: pd.DataFrame
    per_user: pd.DataFrame
    by_group: pd.DataFrame | None = None

    def table(self) -> pd.DataFrame:
        """Metrics as rows, models as columns (in the order evaluated)."""
        wide = self.summary.pivot(index="metric", columns="model", values="value")
        metrics = pd.unique(self.summary["metric"])
        models = pd.unique(self.summary["model"])
        return wide.loc[metrics, models]


def _models(recs: Recs | Mapping[str, Recs]) -> dict[Hashable, Recs]:
    if (
        isinstance(recs, Mapping)
        and recs
        and all(isinstance(v, pd.DataFrame | Mapping) for v in recs.values())
    ):
        return dict(recs)
    return {"model": recs}


def evaluate(
    recs: Recs | Mapping[str, Recs],
    truth: pd.DataFrame | Mapping,
    train: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    k: int = 10,
    groups: pd.Series | None = None,
    item_features: pd.DataFrame | None = None,
    baseline: Recs | None = None,
) -> Evaluation:
    """Score recommenders on ranking and beyond-accuracy metrics at once.

    Parameters
    ----------
    recs : lists, or a mapping model name → lists
        Lists as a DataFrame ``user, item, rank`` or a mapping user → ranked items.
    truth : DataFrame or mapping
        The relevant (held-out) items per user; a ``rating`` column gives graded NDCG.
    train : DataFrame, optional
        ``user, item`` interactions the models learned from: enables novelty, ARP,
        APLT, calibration and a popularity baseline for serendipity.
    items : DataFrame, optional
        The catalog (column ``item``) with an optional ``category`` column: enables
        coverage, Gini, entropy and (with ``train``) calibration.
    k : int
        The cut-off for every metric.
    groups : Series, optional
        User → group, for per-group means and fairness gaps of per-user metrics.
    item_features : DataFrame, optional
        Numeric features indexed by item: enables intra-list diversity.
    baseline : lists, optional
        The lists serendipity must beat; default: the ``k`` most popular training items.

    Examples
    --------
    >>> recs = {"ann": ["a", "b"], "bob": ["b", "c"]}
    >>> result = evaluate(recs, {"ann": ["a"], "bob": ["c"]}, k=2)
    >>> result.table().loc["precision@2", "model"]
    np.float64(0.5)
    """
    k = check_positive_int(k, "k")
    if items is not None and "item" not in items.columns:
        raise ValueError(
            "items needs an 'item' column (the catalog); reset_index() if the "
            "items are in the index."
        )
    if train is not None and not {"user", "item"} <= set(train.columns):
        raise ValueError("train needs columns user and item.")
    if train is not None and baseline is None:
        popular = train["item"].value_counts().index[:k].tolist()
        baseline = popular
    catalog = None if items is None else items["item"]
    categories = None
    if items is not None and "category" in items.columns and train is not None:
        categories = items[["item", "category"]]
    summary, users, grouped = [], [], []
    for name, lists in _models(recs).items():
        per = ranking.per_user(lists, truth, k)
        graded = ranking.per_user(lists, truth, k, graded=True)["ndcg"]
        values = {f"{m}@{k}" if m not in ("mrr",) else m: per[m].mean() for m in ranking.RANKING}
        if isinstance(truth, pd.DataFrame) and "rating" in truth.columns:
            values[f"ndcg_graded@{k}"] = graded.mean()
        extra: dict[str, pd.Series] = {}
        if catalog is not None:
            values["catalog_coverage"] = beyond.catalog_coverage(lists, catalog, k)
            values["gini"] = beyond.gini(lists, catalog, k)
            values["entropy"] = beyond.entropy(lists, catalog, k, normalized=True)
        if _n_lists(lists) >= 2:
            values["personalization"] = beyond.personalization(lists, k)
        if train is not None:
            extra["novelty"] = beyond.novelty(lists, train, k, per_user=True)
            extra["arp"] = beyond.arp(lists, train, k, per_user=True)
            extra["aplt"] = beyond.aplt(lists, train, k, per_user=True)
        if item_features is not None:
            extra["intra_list_diversity"] = beyond.intra_list_diversity(
                lists, item_features, k, per_user=True
            )
        if categories is not None:
            extra["calibration"] = beyond.calibration(lists, train, categories, k, per_user=True)
        if baseline is not None:
            extra["serendipity"] = beyond.serendipity(lists, truth, baseline, k, per_user=True)
        for metric, series in extra.items():
            values[metric] = float(np.nanmean(series)) if series.notna().any() else np.nan
        summary += [{"model": name, "metric": m, "value": float(v)} for m, v in values.items()]
        table = per.join(pd.DataFrame(extra), how="left")
        users.append(table.reset_index().assign(model=name))
        if groups is not None:
            for metric in table.columns:
                means = beyond.group_means(table[metric], groups).assign(model=name, metric=metric)
                grouped.append(means)
                gap = means["mean"].max() - means["mean"].min()
                summary.append({"model": name, "metric": f"{metric} gap", "value": float(gap)})
    per_user = pd.concat(users, ignore_index=True)
    per_user = per_user[
        ["model", "user", *[c for c in per_user.columns if c not in ("model", "user")]]
    ]
    by_group = None
    if grouped:
        by_group = pd.concat(grouped, ignore_index=True)[
            ["model", "metric", "group", "users", "mean"]
        ]
    return Evaluation(pd.DataFrame(summary), per_user, by_group)


def _n_lists(recs: Recs) -> int:
    if isinstance(recs, pd.DataFrame):
        return int(recs["user"].nunique())
    return len(recs)
