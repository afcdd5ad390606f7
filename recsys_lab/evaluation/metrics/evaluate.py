r"""One call that scores one or several recommenders on every metric that applies.

Two kinds of metric, two kinds of uncertainty:

* **Per-user metrics** (ranking metrics, novelty, diversity, calibration, …) are means
  over users: each comes with a percentile bootstrap interval of that mean
  (:func:`recsys_lab.stats.bootstrap_cis`: every model's per-user metrics are resampled
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
  reference, a paired randomization test: each user's two lists are swapped between
  the models by a fair coin, and the p-value is :math:`(1 + c) / (1 + B)`, :math:`c`
  of the :math:`B` swaps giving a difference at least as large as the observed one
  (:func:`set_level_resamples`). :math:`B` is ``SWAPS`` = 1,000 (or ``n_resamples`` if
  fewer): the p-value's Monte Carlo standard error :math:`\sqrt{p(1-p)/B}` is then
  0.007 at :math:`p = 0.05` (0.003 at 0.01), and the smallest p-value 1/1001.

P-values are adjusted for the number of models compared, metric by metric
(:func:`recsys_lab.evaluation.stats.adjust_pvalues`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numba
import numpy as np
import pandas as pd
import scipy.sparse as sp
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
SWAPS = 1000  # the most swaps a set-level randomization test draws

Sums = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # ListSet.sums: x, a, b, N


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
        ``HALF_SAMPLES`` (1,000) half-samples and set-level tests at most ``SWAPS``
        (1,000) swaps (see the module's description).

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
    tables = {
        name: _per_user_table(lists, truth, k, history, item_features, categories, baseline)
        for name, lists in encoded.items()
    }
    bounds = _intervals(tables, confidence, n_resamples, random_state)
    set_level = _set_intervals(sets, names, confidence, n_resamples, random_state)
    summary, users_tables, grouped = [], [], []
    per_model: dict[Hashable, dict[str, pd.Series]] = {}
    for name, table in tables.items():
        series = {_label(c, k): table[c] for c in table.columns}
        per_model[name] = series
        for (metric, values), (low, high) in zip(series.items(), bounds[name], strict=True):
            summary.append(_row(name, metric, float(values.mean()), low, high))  # NaN skipped
        if name in set_level:
            summary += [_row(name, metric, *set_level[name][metric]) for metric in names]
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


def _per_user_table(
    lists: Recs,
    truth: pd.DataFrame | Mapping,
    k: int,
    train: beyond.Interactions | None,
    item_features: pd.DataFrame | None,
    categories: pd.DataFrame | None,
    baseline: Recs | None,
) -> pd.DataFrame:
    """The metrics that have a value per user, those the inputs allow: a row per user in truth."""
    table = ranking.per_user(lists, truth, k)
    if isinstance(truth, pd.DataFrame) and "rating" in truth.columns:
        table["ndcg_graded"] = ranking.per_user(lists, truth, k, graded=True)["ndcg"]
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
    return table.join(pd.DataFrame(extra), how="left")


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
        Each user's list goes to set 1 from ``recs`` or from ``other`` by a fair coin,
        the other list to set 2: the difference set 1 − set 2 is the null distribution
        of the paired randomization test of :func:`evaluate` (users of both models
        only).

    ``"half"`` and ``"swap"`` count the items shown in compiled code, 64 resamples at a
    time (:func:`_half_sums`, :func:`_swap_sums`), ``"bootstrap"`` by
    :meth:`ListSet.sums <recsys_lab.evaluation.metrics.beyond.ListSet.sums>`.

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
    [-0.286, 0.286, 0.571, 0.571]
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
        for one, two in _swap_sums(*_paired_sets(ls, encode(other)), n_resamples, rng):
            first, second = ls.values(one), ls.values(two)
            blocks.append(pd.DataFrame({m: first[m] - second[m] for m in first}))
    elif scheme == "half":
        return _half_values([ls], n_resamples, rng)[0]
    else:
        for w in _bootstrap_weights(len(ls.users), n_resamples, len(ls.catalog), rng):
            blocks.append(pd.DataFrame(ls.values(ls.sums(w))))
    return pd.concat(blocks, ignore_index=True)


def _bootstrap_weights(
    n_users: int, n_resamples: int, width: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Blocks of user weights (resamples × users): how often each user is drawn."""
    rows = max(1, _BLOCK // max(width, n_users))
    for start in range(0, n_resamples, rows):
        size = min(rows, n_resamples - start)
        picks = rng.integers(0, n_users, size=(size, n_users))
        w = np.zeros((size, n_users))
        np.add.at(w, (np.arange(size)[:, None], picks), 1.0)
        yield w


def _cells(sets: Sequence[beyond.ListSet]) -> tuple[list[sp.csr_matrix], np.ndarray]:
    r"""Lists as users × cells, a cell being a (list length, item) pair, for counting in cells.

    Users whose lists have the same length :math:`\ell` add the same :math:`1`,
    :math:`1/\sqrt\ell` and :math:`1/\ell` to :math:`x_i`, :math:`a_i` and :math:`b_i`
    (:meth:`~recsys_lab.evaluation.metrics.beyond.ListSet.sums`), so each cell's count
    gives all three sums (:func:`_cell_sums`). Returns each set's matrix, over the same
    cells (the sets share a catalog), and each length's weights :math:`(1, 1/\sqrt\ell,
    1/\ell)`, 0 for an empty list.
    """
    lengths, length_of = np.unique(np.concatenate([ls.lengths for ls in sets]), return_inverse=True)
    inverse = np.where(lengths > 0, 1.0 / np.maximum(lengths, 1), 0.0)
    per_length = np.stack([np.ones_like(inverse), np.sqrt(inverse), inverse], axis=1)
    width = len(sets[0].catalog)
    matrices, first = [], 0
    for ls in sets:
        offset = length_of.ravel()[first : first + len(ls.users)] * width  # each user's length
        first += len(ls.users)
        shown = ls.shown
        cells = shown.indices + np.repeat(offset, np.diff(shown.indptr))
        shape = (len(ls.users), len(lengths) * width)
        matrices.append(sp.csr_matrix((shown.data, cells, shown.indptr), shape=shape))
    return matrices, per_length


def _cell_sums(counts: np.ndarray, per_length: np.ndarray, users: int) -> Sums:
    """``ListSet.sums`` of sets of ``users`` users from their counts in :func:`_cells`."""
    by_length = counts.reshape(len(counts), len(per_length), -1)
    x, a, b = np.einsum("rli,ls->sri", by_length, per_length)
    return x, a, b, np.full(len(counts), float(users))


def _lane_rows(n_cells: int) -> int:
    """Resamples computed at once: a multiple of the 64 that go through the users together.

    About ``_BLOCK`` counts, but at least 64 rows of ``n_cells``: a catalog of more than
    65,536 items (times the number of list lengths) holds more.
    """
    return 64 * max(1, _BLOCK // (64 * n_cells))


def _half_sums(
    sets: Sequence[beyond.ListSet], n_resamples: int, rng: np.random.Generator
) -> Iterator[list[Sums]]:
    """Blocks of ``ListSet.sums`` of each of ``sets`` over random halves of the users.

    The sets hold the same users in the same order (several models' lists), and share
    the halves: their cells (:func:`_cells`) side by side are counted at once.
    """
    matrices, per_length = _cells(sets)
    shown = sp.hstack(matrices, format="csr")
    times = shown.data.astype(np.int32)  # how often each list shows the item, mostly 1
    width = matrices[0].shape[1]
    rows = _lane_rows(shown.shape[1])
    for start in range(0, n_resamples, rows):
        keys = rng.integers(0, 2**64, size=min(rows, n_resamples - start), dtype=np.uint64)
        counts = _half_counts(shown.indptr, shown.indices, times, shown.shape[1], keys)
        yield [
            _cell_sums(counts[:, i * width : (i + 1) * width], per_length, shown.shape[0] // 2)
            for i in range(len(sets))
        ]


def _half_values(
    sets: Sequence[beyond.ListSet], n_resamples: int, rng: np.random.Generator
) -> list[pd.DataFrame]:
    """Each set's metrics on the same random halves of their users: one row per half."""
    blocks = [
        [pd.DataFrame(ls.values(sums)) for ls, sums in zip(sets, block, strict=True)]
        for block in _half_sums(sets, n_resamples, rng)
    ]
    return [pd.concat(frames, ignore_index=True) for frames in zip(*blocks, strict=True)]


def _swap_sums(
    a: beyond.ListSet, b: beyond.ListSet, n_resamples: int, rng: np.random.Generator
) -> Iterator[tuple[Sums, Sums]]:
    r"""Blocks of ``ListSet.sums`` of the two sets of lists of random swaps.

    Swap :math:`r` tosses a fair coin :math:`s_u` for every user (``a`` and ``b`` hold the
    same users in the same order): set 1 takes the user's list from ``a`` if
    :math:`s_u = 1`, from ``b`` otherwise, and set 2 the other list — ``a.sums(s) +
    b.sums(1 - s)`` and ``a.sums(1 - s) + b.sums(s)``. Counted in cells (:func:`_cells`),
    set 1 is :math:`c_b + \sum_u s_u (A_u - B_u)`, in which only the users whose two lists
    differ, and only in the cells where they differ, change anything; set 2 is
    :math:`c_a + c_b` minus set 1.
    """
    (shown_a, shown_b), per_length = _cells([a, b])
    changes = sp.csr_matrix(shown_a - shown_b)
    changes.eliminate_zeros()
    changes = changes[np.flatnonzero(np.diff(changes.indptr))]  # the users whose lists differ
    from_b = np.asarray(shown_b.sum(axis=0)).ravel()
    both = from_b + np.asarray(shown_a.sum(axis=0)).ravel()
    rows, n = _lane_rows(len(both)), len(a.users)
    for start in range(0, n_resamples, rows):
        size = min(rows, n_resamples - start)
        keys = rng.integers(0, 2**64, size=(size + 63) // 64, dtype=np.uint64)  # 64 swaps each
        one = from_b + _swap_counts(
            changes.indptr, changes.indices, changes.data.astype(np.int32), len(both), keys, size
        )
        yield _cell_sums(one, per_length, n), _cell_sums(both - one, per_length, n)


@numba.njit(inline="always")
def _add_lanes(
    counts: np.ndarray,
    indptr: np.ndarray,
    cells: np.ndarray,
    values: np.ndarray,
    user: int,
    lanes: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Add row ``user`` of a CSR matrix to ``counts`` (cells × 64) in each lane that is 1."""
    for p in range(indptr[user], indptr[user + 1]):
        row = counts[cells[p]]
        for j in range(64):
            row[j] += values[p] * lanes[j]


@numba.njit(cache=True, parallel=True)
def _half_counts(
    indptr: np.ndarray, cells: np.ndarray, shown: np.ndarray, n_cells: int, keys: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled; tested against ListSet.sums
    """How often each cell is shown (resamples × cells) in random halves of the users.

    Half ``r`` keeps each user in turn with probability (users still needed) / (users
    left), drawn from the stream ``keys[r]`` (Knuth's selection sampling, *TAOCP*
    vol. 2, Algorithm S): every half of the users is equally likely. 64 halves go
    through the users together, one per lane, so that each user's row is read once for
    all of them.
    """
    n = indptr.size - 1
    counts = np.empty((keys.size, n_cells))
    for block in numba.prange((keys.size + 63) // 64):
        first = block * 64
        size = min(64, keys.size - first)
        states = np.zeros(64, dtype=np.uint64)
        states[:size] = keys[first : first + size]
        needed = np.zeros(64, dtype=np.int64)
        needed[:size] = n // 2
        kept = np.zeros(64, dtype=np.int32)
        block_counts = np.zeros((n_cells, 64), dtype=np.int32)
        for u in range(n):
            for j in range(size):
                states[j], draw = stats._below(states[j], n - u)
                kept[j] = draw < needed[j]
                needed[j] -= kept[j]
            _add_lanes(block_counts, indptr, cells, shown, u, kept)
        for j in range(size):
            counts[first + j] = block_counts[:, j]
    return counts


@numba.njit(cache=True, parallel=True)
def _swap_counts(
    indptr: np.ndarray,
    cells: np.ndarray,
    changes: np.ndarray,
    n_cells: int,
    keys: np.ndarray,
    n_swaps: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested against ListSet.sums
    r""":math:`\sum_u s_u D_u` (swaps × cells) for each swap's coins, ``changes`` :math:`= D`.

    Each swap tosses a fair coin :math:`s_u \in \{0, 1\}` for every row :math:`D_u`
    (user) of ``changes`` (CSR). The 64 swaps of block ``b`` go through the users
    together, one per lane, and take their coins from the stream ``keys[b]``: user
    ``u``'s 64 coins are the 64 bits of the stream's ``u``-th output.
    """
    n = indptr.size - 1
    counts = np.empty((n_swaps, n_cells))
    for block in numba.prange(keys.size):
        state = keys[block]
        coins = np.empty(64, dtype=np.int32)
        block_counts = np.zeros((n_cells, 64), dtype=np.int32)
        for u in range(n):
            state, bits = stats._next_bits(state)
            for j in range(64):
                coins[j] = (bits >> np.uint64(j)) & np.uint64(1)
            _add_lanes(block_counts, indptr, cells, changes, u, coins)
        first = block * 64
        for j in range(min(64, n_swaps - first)):
            counts[first + j] = block_counts[:, j]
    return counts


def _paired_sets(a: beyond.ListSet, b: beyond.ListSet) -> tuple[beyond.ListSet, beyond.ListSet]:
    """The two models' lists for the users both have, in the same order."""
    users = a.users.intersection(b.users, sort=False)
    if len(users) < 2:
        raise ValueError("the two models share fewer than two users: nothing to compare.")
    return a.subset(users), b.subset(users)


def _set_intervals(
    sets: Mapping[Hashable, beyond.ListSet],
    names: tuple[str, ...],
    confidence: float,
    n_resamples: int,
    random_state: int,
) -> dict[Hashable, dict[str, tuple[float, float, float]]]:
    """``model -> metric -> (value, low, high)``: the half-sample jackknife intervals.

    Models with the same users in the same order share the halves (:func:`_half_sums`):
    each gets the interval it would get alone.
    """
    alike: dict[tuple, list[Hashable]] = {}  # the users -> the models
    for name, ls in sets.items():
        alike.setdefault(tuple(ls.users), []).append(name)
    z = float(st.norm.ppf(0.5 + confidence / 2))
    out: dict[Hashable, dict[str, tuple[float, float, float]]] = {}
    for group in alike.values():
        lists = [sets[name] for name in group]
        n = len(lists[0].users)
        kept = n // 2
        size, rng = min(n_resamples, HALF_SAMPLES), np.random.default_rng(random_state)
        halves = _half_values(lists, size, rng) if n >= 4 else None
        for i, (name, ls) in enumerate(zip(group, lists, strict=True)):
            whole, out[name] = ls.whole(), {}
            for m in names:
                var = np.nan if halves is None else halves[i][m].var(ddof=0)
                se = float(np.sqrt(kept / (n - kept) * var))
                low, high = np.clip([whole[m] - z * se, whole[m] + z * se], 0.0, 1.0)  # the range
                out[name][m] = (whole[m], float(low), float(high))
    return out


def _label(column: str, k: int) -> str:
    """The summary's name of a per-user column: ``precision`` → ``precision@10``."""
    if (column in ranking.RANKING and column != "mrr") or column == "ndcg_graded":
        return f"{column}@{k}"
    return column


def _intervals(
    tables: Mapping[Hashable, pd.DataFrame], confidence: float, n_resamples: int, random_state: int
) -> dict[Hashable, list[tuple[float, float]]]:
    """Each model's columns' bootstrap intervals of their means over the users who have a value.

    Columns known for the same users, of any model, are resampled together, with the same
    draws (:func:`recsys_lab.evaluation.stats.bootstrap_cis` seeded with
    ``random_state``): a column gets the interval it would get alone, and the models
    share the time of drawing.
    """
    values = pd.concat(tables.values(), axis=1).to_numpy(float)  # the same users, in order
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
    edges = np.cumsum([0, *(table.shape[1] for table in tables.values())])
    return {
        name: [(float(low), float(high)) for low, high in bounds[start:stop]]
        for name, start, stop in zip(tables, edges[:-1], edges[1:], strict=True)
    }


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
        mine_whole, theirs_whole = mine.whole(), theirs.whole()
        size = min(n_resamples, SWAPS)
        null = set_level_resamples(
            mine,
            mine.catalog,
            scheme="swap",
            n_resamples=size,
            random_state=random_state,
            other=theirs,
        )
        for m in names:
            d = mine_whole[m] - theirs_whole[m]
            extreme = int(np.count_nonzero(np.abs(null[m]) >= abs(d) - 1e-12))
            pvalue = (extreme + 1) / (size + 1)
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
