r"""One call that scores one or several recommenders on every metric that applies.

Two kinds of metric, two kinds of uncertainty:

* **Per-user metrics** (ranking metrics, novelty, diversity, calibration, …) are means
  over users: each comes with a percentile bootstrap interval of that mean
  (:func:`recsys_lab.stats.bootstrap_cis`: a model's per-user metrics are resampled
  together, from one set of draws) and, against a reference model, a paired test user
  by user (:func:`recsys_lab.stats.paired_test`).
* **Set-level metrics** (catalog coverage, exposure Gini and entropy, personalization)
  describe the whole set of lists, and depend on how many users there are: more users,
  more items shown. Resampling users *with* replacement repeats some users' lists,
  which fakes concentration (the bootstrap Gini of random lists is far above the
  observed one, and the interval misses it). They get instead the half-sample
  (delete-:math:`d`) jackknife interval :math:`\hat\theta \pm z\,\sqrt{\tfrac{r}{d}
  \operatorname{Var}_s \hat\theta_s}` over random subsets :math:`s` of :math:`r =
  \lfloor n/2 \rfloor` users, :math:`d = n - r` left out (Shao & Wu, *Ann. Stat.* 1989)
  — no user twice, at the price of being conservative: with random lists (the tests'
  seeded simulation) the half-sample standard error is 1.2 to 2.6 times the real one,
  most for coverage. Clipped to [0, 1], the metrics' range. The variance is taken over
  ``HALF_SAMPLES`` = 1,000 subsets (or ``n_resamples`` if fewer): a standard error, unlike
  the 2.5 % quantile of a bootstrap, needs no more; 1,000 subsets pin it down to about
  ±2 % (:math:`1/\sqrt{2 \cdot 1000}`), on an interval already conservative. Against a
  reference, a paired randomization test that swaps each user's two lists between the
  models at random (:func:`set_level_resamples`).

P-values are adjusted for the number of models compared, metric by metric
(:func:`recsys_lab.evaluation.stats.adjust_pvalues`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numba
import numpy as np
import pandas as pd
from scipy import stats as st

from recsys_lab._lists import Lists, Recs, as_lists, truth_table
from recsys_lab._validation import check_choice, check_positive_int
from recsys_lab.evaluation import stats
from recsys_lab.evaluation.metrics import beyond, ranking

PER_USER_BEYOND = ("novelty", "arp", "aplt", "intra_list_diversity", "calibration", "serendipity")
SET_LEVEL = ("catalog_coverage", "gini", "entropy", "personalization")
SCHEMES = ("half", "bootstrap", "swap")
_BLOCK = 2**22  # resampled values held at once
HALF_SAMPLES = 1000  # the most half-samples a set-level interval is computed from


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    summary : DataFrame
        Tidy: ``model, metric, value, low, high``. ``low, high`` is the bootstrap
        interval of a per-user metric's mean, or the half-sample jackknife interval of
        a set-level metric (coverage, Gini, entropy, personalization). With
        ``compare_to``, also ``difference`` (model − reference), ``pvalue`` and
        ``pvalue_adjusted`` (NaN on the reference's own rows). Per-user differences are
        means over the users both models have a value for.
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

    def report(self, digits: int = 3) -> pd.DataFrame:
        """Each value with its interval as text, ``0.191 [0.179, 0.202]``: metrics × models.

        >>> result = evaluate({"ann": ["a", "b"], "bob": ["b", "c"]}, {"ann": ["a"], "bob": ["c"]})
        >>> result.report().loc["mrr", "model"]
        '0.750 [0.500, 1.000]'
        """
        digits = check_positive_int(digits, "digits", minimum=0)
        value, low, high = (self.table(c) for c in ("value", "low", "high"))

        def text(v: float, lo: float, hi: float) -> str:
            if np.isnan(lo) or np.isnan(hi):
                return f"{v:.{digits}f}"
            return f"{v:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"

        cells = [
            [text(v, lo, hi) for v, lo, hi in zip(*rows, strict=True)]
            for rows in zip(value.to_numpy(), low.to_numpy(), high.to_numpy(), strict=True)
        ]
        return pd.DataFrame(cells, index=value.index, columns=value.columns)

    def by_user(self, metric: str) -> pd.DataFrame:
        """One per-user metric (e.g. ``"ndcg@10"``) with users as rows, models as columns.

        The input of :func:`recsys_lab.evaluation.stats.paired_test` or of a histogram.
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
    baseline: Recs | None = None,
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
        The relevant (held-out) items per user; a ``rating`` column gives graded NDCG
        (gain = the rating).
    train : DataFrame, optional
        ``user, item`` interactions the models learned from: enables novelty, ARP,
        APLT, calibration and serendipity (against each user's popularity list).
    items : DataFrame, optional
        The catalog (column ``item``) with an optional ``category`` column (one row per
        item and category, see :func:`recsys_lab.evaluation.metrics.category_table`): enables
        coverage, Gini, entropy and (with ``train``) calibration.
    k : int
        The cut-off for every metric.
    groups : Series, optional
        User → group, for per-group means and fairness gaps of per-user metrics.
    item_features : DataFrame, optional
        Numeric features indexed by item: enables intra-list diversity.
    baseline : lists, optional
        Per-user lists serendipity must beat; default: each user's ``k`` most popular
        training items not yet seen (:func:`recsys_lab.evaluation.metrics.popular_unseen`).
    compare_to : model name, optional
        Test every other model against this one: per-user metrics user by user with
        :func:`recsys_lab.evaluation.stats.paired_test`, set-level metrics by swapping users' lists
        between the two models at random (:func:`set_level_resamples`). P-values are
        adjusted over the models compared, metric by metric.
    method : {"t", "wilcoxon", "randomization", "bootstrap"}, default "t"
        The paired test of per-user metrics.
    adjust : {"holm", "bonferroni", "fdr_bh"}, default "holm"
        The correction for several models.
    confidence, n_resamples, random_state
        Of the intervals and the resampling tests; set-level intervals use at most
        ``HALF_SAMPLES`` (1,000) half-samples (see the module's description).

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
    history = None if train is None else beyond.Interactions.of(train)  # checked once
    if history is not None and baseline is None:
        users = pd.unique(truth_table(truth)["user"].to_numpy())
        baseline = beyond.popular_unseen(history, users, k)
    if isinstance(baseline, pd.DataFrame | Mapping):
        baseline = as_lists(baseline, k)  # once for every model
    categories = None
    if items is not None and "category" in items.columns and train is not None:
        categories = items[["item", "category"]]
    encoded = {name: as_lists(lists, k) for name, lists in models.items()}  # once per model
    sets = _list_sets(encoded, items, k)
    names = SET_LEVEL if items is not None else ("personalization",)
    graded = isinstance(truth, pd.DataFrame) and "rating" in truth.columns
    summary, users_tables, grouped = [], [], []
    per_model: dict[Hashable, dict[str, pd.Series]] = {}
    for name, lists in encoded.items():
        table = ranking.per_user(lists, truth, k)
        if graded:
            table["ndcg_graded"] = ranking.per_user(lists, truth, k, graded=True)["ndcg"]
        extra = _per_user_extras(lists, truth, k, history, item_features, categories, baseline)
        table = table.join(pd.DataFrame(extra), how="left")
        series = {_label(c, k): table[c] for c in table.columns}
        per_model[name] = series
        bounds = _intervals(table, confidence, n_resamples, random_state)
        for (metric, values), (low, high) in zip(series.items(), bounds, strict=True):
            summary.append(_row(name, metric, float(values.mean()), low, high))  # NaN skipped
        if name in sets:
            whole = _set_intervals(sets[name], names, confidence, n_resamples, random_state)
            summary += [_row(name, metric, *whole[metric]) for metric in whole]
        users_tables.append(table.reset_index().assign(model=_repeat(name, len(table))))
        if groups is not None:
            for metric in table.columns:
                means = beyond.group_means(table[metric], groups)
                grouped.append(means.assign(model=_repeat(name, len(means)), metric=metric))
                gap = means["mean"].max() - means["mean"].min()
                summary.append({"model": name, "metric": f"{metric} gap", "value": float(gap)})
    result = pd.DataFrame(summary)
    result[["low", "high"]] = result[["low", "high"]].astype(float)
    if compare_to is not None:
        tested = _compare(per_model, compare_to, method, confidence, n_resamples, random_state)
        tested += _compare_sets(sets, names, compare_to, n_resamples, random_state)
        result = result.merge(_adjusted(tested, adjust), on=["model", "metric"], how="left")
    per_user = pd.concat(users_tables, ignore_index=True)
    per_user = per_user[
        ["model", "user", *[c for c in per_user.columns if c not in ("model", "user")]]
    ]
    by_group = None
    if grouped:
        by_group = pd.concat(grouped, ignore_index=True)[
            ["model", "metric", "group", "users", "mean"]
        ]
    return Evaluation(result, per_user, by_group)


def _row(model: Hashable, metric: str, value: float, low: float, high: float) -> dict:
    return {"model": model, "metric": metric, "value": value, "low": low, "high": high}


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
    train: beyond.Interactions | None,
    item_features: pd.DataFrame | None,
    categories: pd.DataFrame | None,
    baseline: Recs | None,
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
        extra["serendipity"] = beyond.serendipity(
            lists, truth, train, k, baseline=baseline, per_user=True
        )
    return extra


def _list_sets(
    models: Mapping[Hashable, Lists], items: pd.DataFrame | None, k: int
) -> dict[Hashable, beyond.ListSet]:
    """Each model's lists over one catalog: ``items``, else every item any model lists.

    Without ``items`` only personalization is reported, and only for models whose every
    one of at least two users has a non-empty list.
    """
    if items is not None:
        catalog = pd.Index(pd.unique(items["item"].to_numpy()))
    else:
        listed = [lists.items.to_numpy() for lists in models.values()]
        catalog = pd.Index(pd.unique(np.concatenate(listed)))
    sets = {name: beyond.ListSet.from_recs(lists, catalog, k) for name, lists in models.items()}
    if items is None:
        sets = {n: s for n, s in sets.items() if len(s.users) >= 2 and (s.lengths > 0).all()}
    return sets


def set_level_resamples(
    recs: Recs | beyond.ListSet,
    catalog: Iterable[Hashable],
    k: int | None = None,
    scheme: str = "half",
    n_resamples: int = 1000,
    random_state: int = 0,
    other: Recs | beyond.ListSet | None = None,
) -> pd.DataFrame:
    r"""Set-level metrics (coverage, Gini, entropy, personalization) on resampled users.

    ``scheme``:

    ``"half"``
        Random halves of the users, without replacement: the subsets of the
        half-sample jackknife that :func:`evaluate` turns into intervals.
    ``"bootstrap"``
        :math:`n` users drawn with replacement: a repeated user repeats a list, so the
        exposure looks more concentrated than it is — shown for contrast, not used.
    ``"swap"``
        Each user's list comes from ``recs`` or from ``other`` by a fair coin; the
        column ``set`` says which half (1: the draws from ``recs``, 2: the rest).
        The difference of the two halves is the null distribution of the paired
        randomization test.

    Returns
    -------
    DataFrame
        One row per resample (``"swap"``: the difference set 1 − set 2), one column per
        metric.

    Examples
    --------
    >>> same = {u: ["a", "b"] for u in range(6)}  # everybody gets the same list
    >>> own = {u: [u, u + 6] for u in range(6)}  # everybody gets a list of their own
    >>> catalog = ["a", "b", *range(12)]
    >>> set_level_resamples(same, catalog, n_resamples=3)["catalog_coverage"].round(3).tolist()
    [0.143, 0.143, 0.143]
    >>> swaps = set_level_resamples(same, catalog, scheme="swap", n_resamples=4, other=own)
    >>> swaps["catalog_coverage"].round(3).tolist()  # observed: 2/14 - 12/14 = -0.714
    [0.0, 0.0, -0.714, -0.286]
    """
    scheme = check_choice(scheme, "scheme", SCHEMES)
    n_resamples = check_positive_int(n_resamples, "n_resamples")
    catalog = list(catalog)  # read once, used for both models

    def encode(lists: Recs | beyond.ListSet) -> beyond.ListSet:
        if isinstance(lists, beyond.ListSet):
            return lists
        return beyond.ListSet.from_recs(lists, catalog, k)

    ls = encode(recs)
    rng = np.random.default_rng(random_state)
    blocks = []
    if scheme == "swap":
        if other is None:
            raise ValueError("scheme='swap' compares two models: pass the other's lists as other.")
        a, b = _paired_sets(ls, encode(other))
        for w in _weights(len(a.users), n_resamples, len(a.catalog), "swap", rng):
            one = ls.values(tuple(x + y for x, y in zip(a.sums(w), b.sums(1 - w), strict=True)))
            two = ls.values(tuple(x + y for x, y in zip(a.sums(1 - w), b.sums(w), strict=True)))
            blocks.append(pd.DataFrame({m: one[m] - two[m] for m in one}))
    elif scheme == "half":
        blocks = [pd.DataFrame(ls.values(sums)) for sums in _half_sums(ls, n_resamples, rng)]
    else:
        for w in _weights(len(ls.users), n_resamples, len(ls.catalog), scheme, rng):
            blocks.append(pd.DataFrame(ls.values(ls.sums(w))))
    return pd.concat(blocks, ignore_index=True)


def _weights(
    n_users: int, n_resamples: int, width: int, scheme: str, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Blocks of user weights (resamples × users) for ``scheme`` (bootstrap or swap)."""
    rows = max(1, _BLOCK // max(width, n_users))
    for start in range(0, n_resamples, rows):
        size = min(rows, n_resamples - start)
        if scheme == "bootstrap":
            picks = rng.integers(0, n_users, size=(size, n_users))
            w = np.zeros((size, n_users))
            np.add.at(w, (np.arange(size)[:, None], picks), 1.0)
        else:
            w = rng.integers(0, 2, size=(size, n_users)).astype(float)
        yield w


def _half_sums(
    ls: beyond.ListSet, n_resamples: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    r"""Blocks of :meth:`~recsys_lab.metrics.beyond.ListSet.sums` over random halves of the users.

    Users whose lists have the same length :math:`\ell` add the same :math:`1`,
    :math:`1/\sqrt\ell` and :math:`1/\ell` to :math:`x_i`, :math:`a_i` and :math:`b_i`,
    so each item's exposure counted by list length gives all three sums.
    """
    lengths, length_of = np.unique(ls.lengths, return_inverse=True)
    inverse = np.where(lengths > 0, 1.0 / np.maximum(lengths, 1), 0.0)
    per_length = np.stack([np.ones_like(inverse), np.sqrt(inverse), inverse], axis=1)
    # each user's items as (length, item) cells of a lengths × catalog table, -1 = none
    shown = ls.shown.tocoo()
    cells = np.full((len(ls.users), max(1, int(ls.lengths.max()))), -1, dtype=np.int64)
    cells[shown.row, np.arange(shown.nnz) - ls.shown.indptr[shown.row]] = (
        length_of.ravel()[shown.row] * len(ls.catalog) + shown.col
    )
    rows = max(1, _BLOCK // (len(lengths) * len(ls.catalog)))
    for start in range(0, n_resamples, rows):
        keys = rng.integers(0, 2**64, size=min(rows, n_resamples - start), dtype=np.uint64)
        counts = _half_counts(cells, len(lengths) * len(ls.catalog), keys)
        by_length = counts.reshape(len(keys), len(lengths), len(ls.catalog))
        x, a, b = np.einsum("rli,ls->sri", by_length, per_length)
        yield x, a, b, np.full(len(keys), float(len(ls.users) // 2))


@numba.njit(cache=True, parallel=True)
def _half_counts(
    cells: np.ndarray, n_cells: int, keys: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled; tested against ListSet.sums
    """How often each cell is shown (resamples × cells) in random halves of the users.

    Half ``r`` keeps each user in turn with probability (users still needed) / (users
    left), drawn from the stream ``keys[r]`` (Knuth's selection sampling, *TAOCP*
    vol. 2, Algorithm S): every half of the users is equally likely. The users kept are
    listed first, without a branch (half of them would be mispredicted), then counted.
    """
    n, width = cells.shape
    counts = np.zeros((keys.size, n_cells))
    for r in numba.prange(keys.size):
        kept = np.empty(n // 2, dtype=np.int64)
        state, needed, listed = keys[r], n // 2, 0
        for u in range(n):
            if needed == 0:
                break
            state, draw = stats._below(state, n - u)
            kept[listed] = u  # overwritten by the next user unless this one is kept
            take = int(draw < needed)
            listed += take
            needed -= take
        for u in kept:
            for j in range(width):
                if cells[u, j] >= 0:
                    counts[r, cells[u, j]] += 1.0
    return counts


def _paired_sets(a: beyond.ListSet, b: beyond.ListSet) -> tuple[beyond.ListSet, beyond.ListSet]:
    """The two models' lists for the users both have, in the same order."""
    users = a.users.intersection(b.users, sort=False)
    if len(users) < 2:
        raise ValueError("the two models share fewer than two users: nothing to compare.")
    return a.subset(users), b.subset(users)


def _set_intervals(
    ls: beyond.ListSet,
    names: tuple[str, ...],
    confidence: float,
    n_resamples: int,
    random_state: int,
) -> dict[str, tuple[float, float, float]]:
    """``metric -> (value, low, high)``: the half-sample jackknife interval."""
    whole = ls.whole()
    n = len(ls.users)
    if n < 4:
        return {m: (whole[m], np.nan, np.nan) for m in names}
    size = min(n_resamples, HALF_SAMPLES)
    halves = set_level_resamples(ls, ls.catalog, n_resamples=size, random_state=random_state)
    kept = n // 2
    z = float(st.norm.ppf(0.5 + confidence / 2))
    out = {}
    for m in names:
        se = float(np.sqrt(kept / (n - kept) * halves[m].var(ddof=0)))
        low, high = np.clip([whole[m] - z * se, whole[m] + z * se], 0.0, 1.0)  # the range
        out[m] = (whole[m], float(low), float(high))
    return out


def _label(column: str, k: int) -> str:
    """The summary's name of a per-user column: ``precision`` → ``precision@10``."""
    if (column in ranking.RANKING and column != "mrr") or column == "ndcg_graded":
        return f"{column}@{k}"
    return column


def _intervals(
    table: pd.DataFrame, confidence: float, n_resamples: int, random_state: int
) -> list[tuple[float, float]]:
    """Each column's bootstrap interval of its mean over the users who have a value.

    Columns known for the same users are resampled together, with the same draws
    (:func:`recsys_lab.stats.bootstrap_cis` seeded with ``random_state``).
    """
    values = table.to_numpy(float)
    known = ~np.isnan(values)
    alike: dict[bytes, list[int]] = {}  # the users with a value -> the columns
    for j in range(values.shape[1]):
        alike.setdefault(np.packbits(known[:, j]).tobytes(), []).append(j)
    bounds = np.full((values.shape[1], 2), np.nan)
    for columns in alike.values():
        users = known[:, columns[0]]
        if users.sum() >= 2:
            block = values[np.ix_(users, columns)]
            bounds[columns] = stats.bootstrap_cis(block, confidence, n_resamples, random_state)
    return [(float(low), float(high)) for low, high in bounds]


def _compare(
    per_model: dict[Hashable, dict[str, pd.Series]],
    reference: Hashable,
    method: str,
    confidence: float,
    n_resamples: int,
    random_state: int,
) -> list[dict]:
    """Paired tests of every model against ``reference`` on every per-user metric."""
    rows = []
    for metric, ref in per_model[reference].items():
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
            rows.append(
                {
                    "model": name,
                    "metric": metric,
                    "difference": test.mean_difference,
                    "pvalue": test.pvalue,
                }
            )
    return rows


def _compare_sets(
    sets: Mapping[Hashable, beyond.ListSet],
    names: tuple[str, ...],
    reference: Hashable,
    n_resamples: int,
    random_state: int,
) -> list[dict]:
    """Paired randomization tests (lists swapped user by user) of set-level metrics."""
    if reference not in sets:
        return []
    rows = []
    for name, ls in sets.items():
        if name == reference:
            continue
        mine, theirs = _paired_sets(ls, sets[reference])
        observed = {m: mine.whole()[m] - theirs.whole()[m] for m in names}
        null = set_level_resamples(
            mine,
            mine.catalog,
            scheme="swap",
            n_resamples=n_resamples,
            random_state=random_state,
            other=theirs,
        )
        for m in names:
            d = observed[m]
            extreme = int(np.count_nonzero(np.abs(null[m]) >= abs(d) - 1e-12))
            pvalue = (extreme + 1) / (n_resamples + 1)
            rows.append({"model": name, "metric": m, "difference": d, "pvalue": pvalue})
    return rows


def _adjusted(rows: list[dict], adjust: str) -> pd.DataFrame:
    """The tests with their p-values adjusted over the models compared, metric by metric."""
    columns = ["model", "metric", "difference", "pvalue", "pvalue_adjusted"]
    if not rows:
        return pd.DataFrame(columns=columns)
    tests = pd.DataFrame(rows)
    tests["pvalue_adjusted"] = tests.groupby("metric", sort=False)["pvalue"].transform(
        lambda p: stats.adjust_pvalues(p.to_numpy(), adjust)
    )
    return tests[columns]


def _repeat(name: Hashable, n: int) -> np.ndarray:
    """A model's name once per row (a tuple name stays one value)."""
    column = np.empty(n, dtype=object)
    column.fill(name)
    return column
