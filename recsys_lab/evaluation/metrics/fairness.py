r"""Group fairness with uncertainty: does a metric really differ between groups of users.

A per-user metric (e.g. each user's NDCG@10) is averaged within each user group (gender,
age band, segment). Each group's mean gets a percentile bootstrap interval
(:func:`recsys_lab.evaluation.stats.bootstrap_ci`); each group is compared with the other users
(or with a reference group) by Welch's unequal-variance t-test
(:func:`recsys_lab.evaluation.abtest.welch_test`) — the groups hold different users, so the test is
unpaired. Testing many groups × many models finds "gaps" by chance, so the p-values are
adjusted over the whole table (Holm by default, :func:`recsys_lab.evaluation.stats.adjust_pvalues`).

A significant gap says the metric differs between groups, not why: groups also differ
in how many ratings they hold out, which films they watch, how often they rate — a
gap is a question to investigate, not proof of unfair treatment.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from recsys_lab.evaluation import stats
from recsys_lab.evaluation.abtest import welch_test

COLUMNS = [
    "model",
    "group",
    "users",
    "mean",
    "low",
    "high",
    "difference",
    "difference_low",
    "difference_high",
    "pvalue",
    "pvalue_adjusted",
]


def _joined(values: pd.Series | pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Values (one column per model) with a ``group`` column, users in both only."""
    if not isinstance(groups, pd.Series):
        raise TypeError(f"groups must be a Series user -> group, got {type(groups).__name__}.")
    if isinstance(values, pd.Series):
        values = values.to_frame(values.name if values.name is not None else "value")
    elif not isinstance(values, pd.DataFrame):
        raise TypeError(
            "values must be a Series user -> value or a DataFrame users × models "
            f"(e.g. Evaluation.by_user('ndcg@10')), got {type(values).__name__}."
        )
    if "group" in values.columns:
        raise ValueError("values has a column named 'group'; rename it.")
    joined = values.join(groups.rename("group"), how="inner")
    joined = joined[joined["group"].notna()]
    if joined.empty:
        raise ValueError(
            "no user has both a value and a group; check that both are indexed by user."
        )
    return joined


def group_comparison(
    values: pd.Series | pd.DataFrame,
    groups: pd.Series,
    reference: Hashable | None = None,
    *,
    confidence: float = 0.95,
    n_resamples: int = 10_000,
    random_state: int = 0,
    adjust: str = "holm",
) -> pd.DataFrame:
    r"""Each group's mean of a per-user metric, with an interval and a corrected test.

    Parameters
    ----------
    values : Series or DataFrame
        One value per user (index: user), or one column per model
        (:meth:`~recsys_lab.evaluation.metrics.Evaluation.by_user`). NaN values are left out.
    groups : Series
        User → group label; users without a group are left out.
    reference : group label, optional
        Compare every other group with this one. Default: each group with all the other
        users (:math:`\bar x_g - \bar x_{\neg g}`). With two groups, name one as the
        reference so that the same gap is not tested twice.
    confidence, n_resamples, random_state
        Of the bootstrap intervals of the group means, and the Welch intervals of the
        differences.
    adjust : {"holm", "bonferroni", "fdr_bh"}, default "holm"
        Correction over every test in the table (all models × groups).

    Returns
    -------
    DataFrame
        ``model, group, users, mean, low, high, difference, difference_low,
        difference_high, pvalue, pvalue_adjusted`` (NaN comparisons on the reference's
        rows). Groups in sorted order (a categorical's own order).

    Examples
    --------
    >>> users = range(8)
    >>> ndcg = pd.Series([0.1, 0.2, 0.1, 0.2, 0.5, 0.6, 0.5, 0.7], index=users)
    >>> gender = pd.Series(list("FFFFMMMM"), index=users)
    >>> table = group_comparison(ndcg, gender, reference="F", n_resamples=200)
    >>> table[["group", "users", "mean", "difference"]].round(3).values.tolist()
    [['F', 4, 0.15, nan], ['M', 4, 0.575, 0.425]]
    >>> bool(table.loc[1, "pvalue_adjusted"] < 0.01)
    True
    """
    stats.check_confidence(confidence)
    joined = _joined(values, groups)
    labels = (
        list(joined["group"].cat.categories)
        if isinstance(joined["group"].dtype, pd.CategoricalDtype)
        else sorted(pd.unique(joined["group"]), key=str)
    )
    labels = [g for g in labels if (joined["group"] == g).any()]
    if reference is not None and reference not in labels:
        raise ValueError(f"reference={reference!r} is not one of the groups: {labels}.")
    if len(labels) < 2:
        raise ValueError(f"a comparison needs at least two groups, got {labels}.")
    rows = []
    for model in [c for c in joined.columns if c != "group"]:
        data = joined[[model, "group"]].dropna()
        for g in labels:
            mine = data.loc[data["group"] == g, model].to_numpy(float)
            low, high = (
                stats.bootstrap_ci(mine, confidence, n_resamples, random_state)
                if mine.size >= 2
                else (np.nan, np.nan)
            )
            row = {"model": model, "group": g, "users": mine.size, "mean": mine.mean()}
            row |= {"low": low, "high": high}
            if g != reference:
                others = data.loc[
                    data["group"] != g if reference is None else data["group"] == reference, model
                ].to_numpy(float)
                test = welch_test(others, mine, confidence)
                row |= {
                    "difference": test.difference,
                    "difference_low": test.low,
                    "difference_high": test.high,
                    "pvalue": test.pvalue,
                }
            rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    tested = table["pvalue"].notna()
    table.loc[tested, "pvalue_adjusted"] = stats.adjust_pvalues(
        table.loc[tested, "pvalue"].to_numpy(), adjust
    )
    return table
