"""One call that scores one or several recommenders on every metric that applies.

Per-user metrics (ranking metrics, novelty, diversity, ...) come with a percentile
bootstrap interval of their mean over users, and, against a chosen reference model, with
a paired test user by user (:mod:`recsys_lab.stats`), its p-values adjusted for the
number of models compared.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from recsys_lab import stats
from recsys_lab._validation import check_choice, check_positive_int
from recsys_lab.metrics import beyond, ranking
from recsys_lab.metrics._lists import Recs

PER_USER_BEYOND = ("novelty", "arp", "aplt", "intra_list_diversity", "calibration", "serendipity")


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    summary : DataFrame
        Tidy: ``model, metric, value, low, high``. ``low, high`` is the bootstrap
        interval of a per-user metric's mean (NaN for metrics of a whole set of lists,
        such as coverage). With ``compare_to``, also ``difference`` (model − reference,
        mean over the users both have a value for), ``pvalue`` and ``pvalue_adjusted``
        (NaN on the reference's own rows).
    per_user : DataFrame
        ``model, user`` and one column per per-user metric (names without ``@k``).
    by_group : DataFrame or None
        With ``groups``: ``model, metric, group, users, mean`` for each per-user metric.
    """

    summary: pd.DataFrame
    per_user: pd.DataFrame
    by_group: pd.DataFrame | None = None

    def table(self, column: str = "value") -> pd.DataFrame:
        """Metrics as rows, models as columns (in the order evaluated).

        ``column`` picks what fills the cells: ``"value"`` (default), ``"low"``,
        ``"high"`` or, after a comparison, ``"difference"``, ``"pvalue"``,
        ``"pvalue_adjusted"``.
        """
        options = [c for c in self.summary.columns if c not in ("model", "metric")]
        column = check_choice(column, "column", options)
        wide = self.summary.pivot(index="metric", columns="model", values=column)
        return wide.reindex(
            index=pd.unique(self.summary["metric"]), columns=pd.unique(self.summary["model"])
        )

    def by_user(self, metric: str) -> pd.DataFrame:
        """One per-user metric (e.g. ``"ndcg@10"``) with users as rows, models as columns.

        The input of :func:`recsys_lab.stats.paired_test` or of a histogram.
        """
        column = metric.split("@")[0]
        per_user_metrics = [c for c in self.per_user.columns if c not in ("model", "user")]
        check_choice(column, "per-user metric", per_user_metrics)
        wide = self.per_user.pivot(index="user", columns="model", values=column)
        return wide[pd.unique(self.per_user["model"])]


def _models(recs: Recs | Mapping[str, Recs]) -> dict[Hashable, Recs]:
    if (
        isinstance(recs, Mapping)
        and recs
        and all(isinstance(v, pd.DataFrame | Mapping) for v in recs.values())
    ):
        return {name: cast(Recs, lists) for name, lists in recs.items()}
    return {"model": cast(Recs, recs)}


def evaluate(
    recs: Recs | Mapping[str, Recs],
    truth: pd.DataFrame | Mapping,
    train: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    k: int = 10,
    groups: pd.Series | None = None,
    item_features: pd.DataFrame | None = None,
    baseline: Recs | Sequence[Hashable] | None = None,
    *,
    compare_to: Hashable | None = None,
    method: str = "t",
    adjust: str = "holm",
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    random_state: int = 0,
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
    compare_to : model name, optional
        Test every other model against this one, user by user, on every per-user metric
        with :func:`recsys_lab.stats.paired_test`; p-values are adjusted over the models
        compared, metric by metric, with :func:`recsys_lab.stats.adjust_pvalues`.
    method : {"t", "wilcoxon", "randomization", "bootstrap"}, default "t"
        The paired test.
    adjust : {"holm", "bonferroni", "fdr_bh"}, default "holm"
        The correction for several models.
    confidence, n_resamples, random_state
        Of the bootstrap intervals (:func:`recsys_lab.stats.bootstrap_ci`) and tests.

    Examples
    --------
    >>> recs = {"ann": ["a", "b"], "bob": ["b", "c"]}
    >>> result = evaluate(recs, {"ann": ["a"], "bob": ["c"]}, k=2)
    >>> result.table().loc["precision@2", "model"]
    np.float64(0.5)
    >>> result.table("low").loc["precision@2", "model"], result.table("high").loc["mrr", "model"]
    (np.float64(0.5), np.float64(1.0))
    """
    k = check_positive_int(k, "k")
    method = check_choice(method, "method", stats.METHODS)
    adjust = check_choice(adjust, "adjust", stats.ADJUSTMENTS)
    stats.check_confidence(confidence)
    models = _models(recs)
    _check_inputs(items, train, compare_to, models)
    if train is not None and baseline is None:
        popular = train["item"].value_counts().index[:k].tolist()
        baseline = popular
    catalog = None if items is None else items["item"]
    categories = None
    if items is not None and "category" in items.columns and train is not None:
        categories = items[["item", "category"]]
    graded = isinstance(truth, pd.DataFrame) and "rating" in truth.columns
    summary, users, grouped = [], [], []
    per_model: dict[Hashable, dict[str, pd.Series]] = {}
    for name, lists in models.items():
        table = ranking.per_user(lists, truth, k)
        if graded:
            table["ndcg_graded"] = ranking.per_user(lists, truth, k, graded=True)["ndcg"]
        extra = _per_user_extras(lists, truth, k, train, item_features, categories, baseline)
        table = table.join(pd.DataFrame(extra), how="left")
        series = {_label(c, k): table[c] for c in table.columns}
        per_model[name] = series
        values = {label: float(s.mean()) for label, s in series.items()}  # NaN skipped
        whole = _whole_list_metrics(lists, catalog, k)
        order = [*list(series)[: len(ranking.RANKING) + graded], *whole, *extra]
        for metric in order:
            low, high = (
                _interval(series[metric], confidence, n_resamples, random_state)
                if metric in series
                else (np.nan, np.nan)
            )
            value = values[metric] if metric in series else whole[metric]
            summary.append(
                {"model": name, "metric": metric, "value": value, "low": low, "high": high}
            )
        users.append(table.reset_index().assign(model=_repeat(name, len(table))))
        if groups is not None:
            for metric in table.columns:
                means = beyond.group_means(table[metric], groups)
                grouped.append(means.assign(model=_repeat(name, len(means)), metric=metric))
                gap = means["mean"].max() - means["mean"].min()
                summary.append({"model": name, "metric": f"{metric} gap", "value": float(gap)})
    result = pd.DataFrame(summary)
    result[["low", "high"]] = result[["low", "high"]].astype(float)
    if compare_to is not None:
        tests = _compare(
            per_model, compare_to, method, adjust, confidence, n_resamples, random_state
        )
        result = result.merge(tests, on=["model", "metric"], how="left")
    per_user = pd.concat(users, ignore_index=True)
    per_user = per_user[
        ["model", "user", *[c for c in per_user.columns if c not in ("model", "user")]]
    ]
    by_group = None
    if grouped:
        by_group = pd.concat(grouped, ignore_index=True)[
            ["model", "metric", "group", "users", "mean"]
        ]
    return Evaluation(result, per_user, by_group)


def _check_inputs(
    items: pd.DataFrame | None,
    train: pd.DataFrame | None,
    compare_to: Hashable | None,
    models: Mapping[Hashable, object],
) -> None:
    if items is not None and "item" not in items.columns:
        raise ValueError(
            "items needs an 'item' column (the catalog); reset_index() if the "
            "items are in the index."
        )
    if train is not None and not {"user", "item"} <= set(train.columns):
        raise ValueError("train needs columns user and item.")
    if compare_to is not None and compare_to not in models:
        raise ValueError(
            f"compare_to={compare_to!r} is not one of the models: {', '.join(map(str, models))}."
        )


def _per_user_extras(
    lists: Recs,
    truth: pd.DataFrame | Mapping,
    k: int,
    train: pd.DataFrame | None,
    item_features: pd.DataFrame | None,
    categories: pd.DataFrame | None,
    baseline: Recs | Sequence[Hashable] | None,
) -> dict[str, Any]:
    """The beyond-accuracy metrics that have a value per user, for those the inputs allow."""
    extra: dict[str, Any] = {}  # metric -> per-user Series
    if train is not None:
        extra["novelty"] = beyond.novelty(lists, train, k, per_user=True)
        extra["arp"] = beyond.arp(lists, train, k, per_user=True)
        extra["aplt"] = beyond.aplt(lists, train, k, per_user=True)
    if item_features is not None:
        extra["intra_list_diversity"] = beyond.intra_list_diversity(
            lists, item_features, k, per_user=True
        )
    if categories is not None and train is not None:
        extra["calibration"] = beyond.calibration(lists, train, categories, k, per_user=True)
    if baseline is not None:
        extra["serendipity"] = beyond.serendipity(lists, truth, baseline, k, per_user=True)
    return extra


def _whole_list_metrics(lists: Recs, catalog: pd.Series | None, k: int) -> dict[str, float]:
    """The metrics of the lists as a whole (coverage, concentration, personalization)."""
    whole: dict[str, float] = {}
    if catalog is not None:
        whole["catalog_coverage"] = beyond.catalog_coverage(lists, catalog, k)
        whole["gini"] = beyond.gini(lists, catalog, k)
        whole["entropy"] = beyond.entropy(lists, catalog, k, normalized=True)
    if _n_lists(lists) >= 2:
        whole["personalization"] = beyond.personalization(lists, k)
    return whole


def _label(column: str, k: int) -> str:
    """The summary's name of a per-user column: ``precision`` → ``precision@10``."""
    if (column in ranking.RANKING and column != "mrr") or column == "ndcg_graded":
        return f"{column}@{k}"
    return column


def _interval(
    values: pd.Series, confidence: float, n_resamples: int, random_state: int
) -> tuple[float, float]:
    known = values.dropna()
    if len(known) < 2:
        return np.nan, np.nan
    return stats.bootstrap_ci(known, confidence, n_resamples, random_state)


def _compare(
    per_model: dict[Hashable, dict[str, pd.Series]],
    reference: Hashable,
    method: str,
    adjust: str,
    confidence: float,
    n_resamples: int,
    random_state: int,
) -> pd.DataFrame:
    """Paired tests of every model against ``reference``, adjusted per metric."""
    rows = []
    for metric, ref in per_model[reference].items():
        tested = []
        for name, series in per_model.items():
            if name == reference or metric not in series:
                continue
            pairs = pd.concat([series[metric], ref], axis=1, join="inner").dropna()
            if len(pairs) < 2:
                continue
            test = stats.paired_test(
                pairs.iloc[:, 0],
                pairs.iloc[:, 1],
                method,
                n_resamples=n_resamples,
                random_state=random_state,
                confidence=confidence,
            )
            tested.append({"model": name, "metric": metric, "pvalue": test.pvalue})
            tested[-1]["difference"] = test.mean_difference
        if tested:
            adjusted = stats.adjust_pvalues([t["pvalue"] for t in tested], adjust)
            rows += [{**t, "pvalue_adjusted": p} for t, p in zip(tested, adjusted, strict=True)]
    columns = ["model", "metric", "difference", "pvalue", "pvalue_adjusted"]
    return pd.DataFrame(rows, columns=columns)


def _repeat(name: Hashable, n: int) -> np.ndarray:
    """A model's name once per row (a tuple name stays one value)."""
    column = np.empty(n, dtype=object)
    column.fill(name)
    return column


def _n_lists(recs: Recs) -> int:
    if isinstance(recs, pd.DataFrame):
        return int(recs["user"].nunique())
    return len(recs)
