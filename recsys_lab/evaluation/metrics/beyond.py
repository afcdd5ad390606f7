r"""Beyond accuracy: what recommendation lists do besides hitting the truth.

Coverage, concentration, novelty, diversity, serendipity, personalization,
calibration, popularity bias and group fairness, with the conventions adopted:

==========================  ===============================================================
metric                      definition
==========================  ===============================================================
catalog coverage            distinct recommended items / catalog size (a fraction, exact)
prediction coverage         share of (user, item) pairs the model can score
exposure Gini               :math:`\frac{\sum_i (2i - n - 1) x_{(i)}}{n \sum_i x_i}` over the
                            catalog's exposure counts sorted ascending (0 = even)
exposure entropy            :math:`-\sum_i s_i \log_2 s_i` bits, :math:`s_i` = share of
                            exposure; *normalised*: divided by :math:`\log_2 n` (1 = even)
novelty                     mean self-information :math:`-\log_2 p_i` (bits) of listed items,
                            :math:`p_i` = share of training users who know item :math:`i`
                            (an unseen item counts as known by one user more than
                            the :math:`U` there are: :math:`1 / (U + 1)`)
intra-list diversity        mean over pairs in a list of :math:`1 - \cos(f_i, f_j)`; NaN for
                            lists of fewer than 2 items
serendipity                 share of the top-k that is relevant *and* absent from the
                            user's own obvious list: by default the k most popular
                            training items that user has not seen (Ge et al., 2010)
personalization             :math:`1 -` mean cosine overlap between all pairs of users'
                            lists, from item counts in :math:`O(\text{users} \cdot k)`
calibration (Steck 2018)    :math:`\mathrm{KL}(p\|\tilde q) = \sum_g p_g \ln(p_g / \tilde q_g)`
                            in nats, :math:`p` the categories of the user's history,
                            :math:`\tilde q = (1-\alpha) q + \alpha p` those of the list
                            smoothed towards :math:`p` (:math:`\alpha = 0.01`); every
                            history or list item weighs the same and an item of
                            :math:`m` categories gives each :math:`1/m`; 0 = calibrated
ARP / APLT                  mean number of training users of the listed items / mean
                            share of long-tail items (outside the most popular
                            ``head_fraction``; Abdollahpouri et al., 2019)
fairness gap                max − min over user groups of a per-user metric's mean
==========================  ===============================================================

The metrics of a whole set of lists (coverage, Gini, entropy, personalization) are
computed by one routine, :class:`ListSet`, for the lists as given or for any weighting
of their users — which is how :func:`recsys_lab.evaluation.metrics.evaluate` resamples them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys_lab._lists import Lists, Recs, align, as_lists
from recsys_lab._validation import check_positive_int, check_ratings


def _catalog(catalog: Iterable[Hashable]) -> pd.Index:
    cat = pd.Index(pd.unique(np.asarray(list(catalog), dtype=object)))
    if cat.empty:
        raise ValueError("catalog is empty: coverage needs the items that could be recommended.")
    return cat


def _unknown(items: pd.Index, known: pd.Index, what: str) -> None:
    missing = items.difference(known)
    if len(missing):
        raise ValueError(
            f"{len(missing)} recommended item(s) are not in the {what}, e.g. "
            f"{list(missing[:5])}. Add them to the {what} or drop them from the lists."
        )


def _listed(lists: Lists) -> pd.Index:
    return lists.items[np.unique(lists.codes[lists.mask])]


@dataclass(frozen=True)
class ListSet:
    r"""Users' lists as a users × catalog incidence matrix, for the set-level metrics.

    :meth:`sums` gives, for rows of user weights :math:`m_u` (1 = the user as given,
    0 = left out), each item's exposure :math:`x_i = \sum_u m_u [i \in L_u]`, the sums
    :math:`a_i = \sum_u m_u [i \in L_u] / \sqrt{|L_u|}` and
    :math:`b_i = \sum_u m_u [i \in L_u] / |L_u|`, and the number of users
    :math:`N = \sum_u m_u`; :meth:`values` turns them into coverage, Gini, entropy and
    personalization. Sums of disjoint sets of users add up, so a set mixing two models'
    lists is the sum of two weightings.

    Examples
    --------
    >>> ls = ListSet.from_recs({"ann": ["a", "b"], "bob": ["a"]}, catalog="abc")
    >>> {k: round(float(v[0]), 3) for k, v in ls.values(ls.sums(np.ones((1, 2)))).items()}
    {'catalog_coverage': 0.667, 'gini': 0.444, 'entropy': 0.579, 'personalization': 0.293}
    """

    users: pd.Index
    catalog: pd.Index
    shown: sp.csr_matrix  # users × catalog, 1 where the item is in the user's list
    lengths: np.ndarray

    @classmethod
    def from_recs(cls, recs: Recs, catalog: Iterable[Hashable], k: int | None = None) -> ListSet:
        """Encode ``recs`` (top ``k``) over ``catalog``; an item outside it is an error."""
        cat = _catalog(catalog)
        lists = as_lists(recs, k, items=cat)
        _unknown(_listed(lists), cat, "catalog")
        rows = np.broadcast_to(np.arange(len(lists.users))[:, None], lists.codes.shape)
        shown = sp.csr_matrix(
            (np.ones(lists.mask.sum()), (rows[lists.mask], lists.codes[lists.mask])),
            shape=(len(lists.users), len(cat)),
        )
        return cls(lists.users, cat, shown, lists.lengths)

    def sums(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(x, a, b, N)`` for each row of ``weights`` (resamples × users)."""
        with np.errstate(divide="ignore"):
            inv = np.where(self.lengths > 0, 1.0 / np.maximum(self.lengths, 1), 0.0)
        w = np.asarray(weights, dtype=float)
        x = np.asarray((self.shown.T @ w.T).T)
        a = np.asarray((self.shown.T @ (w * np.sqrt(inv)).T).T)
        b = np.asarray((self.shown.T @ (w * inv).T).T)
        return x, a, b, w.sum(axis=1)

    @staticmethod
    def values(
        sums: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    ) -> dict[str, np.ndarray]:
        """Coverage, Gini, normalised entropy and personalization of each row of ``sums``."""
        x, a, b, n = sums
        size = x.shape[1]
        total = x.sum(axis=1)
        ranks = np.arange(1, size + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            gini = ((2 * ranks - size - 1) * np.sort(x, axis=1)).sum(axis=1) / (size * total)
            s = x / total[:, None]
            bits = -np.where(s > 0, s * np.log2(np.where(s > 0, s, 1.0)), 0.0).sum(axis=1)
            pairs = n * (n - 1) / 2
            overlap = ((a**2 - b) / 2).sum(axis=1) / pairs
        return {
            "catalog_coverage": (x > 0).mean(axis=1),
            "gini": gini,
            "entropy": bits / np.log2(size) if size > 1 else bits,
            "personalization": 1.0 - overlap,
        }

    def subset(self, users: pd.Index) -> ListSet:
        """The lists of ``users`` only, in that order (each must have a list here)."""
        rows = self.users.get_indexer(users)
        if (rows < 0).any():
            raise ValueError(f"user(s) {list(users[rows < 0][:5])} have no list here.")
        return ListSet(pd.Index(users), self.catalog, self.shown[rows], self.lengths[rows])

    def whole(self) -> dict[str, float]:
        """The four metrics of the lists as given (every user once)."""
        out = self.values(self.sums(np.ones((1, len(self.users)))))
        return {name: float(v[0]) for name, v in out.items()}


def catalog_coverage(recs: Recs, catalog: Iterable[Hashable], k: int | None = None) -> float:
    """Distinct recommended items (top ``k``) / catalog size.

    >>> catalog_coverage({"ann": ["a", "b"], "bob": ["a"]}, catalog="abcd")
    0.5
    """
    return ListSet.from_recs(recs, catalog, k).whole()["catalog_coverage"]


def prediction_coverage(predictions: pd.DataFrame | Sequence[bool]) -> float:
    """Share of (user, item) pairs a model can score.

    ``predictions`` is a DataFrame with a boolean ``fallback`` (or ``impossible``)
    column, as :meth:`~recsys_lab.models.base.Recommender.predict_details` returns, or a
    boolean sequence saying which pairs were scored.

    >>> prediction_coverage(pd.DataFrame({"fallback": [False, True, False, False]}))
    0.75
    """
    if isinstance(predictions, pd.DataFrame):
        flag = next((c for c in ("fallback", "impossible") if c in predictions), None)
        if flag is None:
            raise ValueError("predictions need a boolean 'fallback' (or 'impossible') column.")
        possible = ~predictions[flag].to_numpy(bool)
    else:
        possible = np.asarray(predictions, dtype=bool)
    if possible.size == 0:
        raise ValueError("no predictions given.")
    return float(possible.mean())


def exposure(recs: Recs, catalog: Iterable[Hashable], k: int | None = None) -> pd.Series:
    """How many lists (top ``k``) show each catalog item; 0 for never-shown items.

    >>> exposure({"ann": ["a", "b"], "bob": ["a"]}, catalog="abc").tolist()
    [2, 1, 0]
    """
    ls = ListSet.from_recs(recs, catalog, k)
    counts = np.asarray(ls.shown.sum(axis=0)).ravel().astype(np.int64)
    return pd.Series(counts, index=ls.catalog, name="exposure")


def _shown(ls: ListSet) -> ListSet:
    if ls.shown.nnz == 0:
        raise ValueError("no catalog item is recommended, so exposure has no distribution.")
    return ls


def gini(recs: Recs, catalog: Iterable[Hashable], k: int | None = None) -> float:
    """Gini coefficient of exposure over the catalog: 0 = every item shown equally often.

    >>> gini({"ann": ["a"], "bob": ["a"]}, catalog="ab")  # all exposure on one of two items
    0.5
    """
    return _shown(ListSet.from_recs(recs, catalog, k)).whole()["gini"]


def entropy(
    recs: Recs, catalog: Iterable[Hashable], k: int | None = None, normalized: bool = False
) -> float:
    """Shannon entropy (bits) of the exposure shares; ``normalized`` divides by log2(n).

    Normalised entropy is 1 when every catalog item is shown equally often and 0 when
    a single item gets all the exposure.

    >>> entropy({"ann": ["a"], "bob": ["b"]}, catalog="ab")
    1.0
    >>> round(entropy({"ann": ["a"], "bob": ["b"]}, catalog="abcd", normalized=True), 3)
    0.5
    """
    ls = _shown(ListSet.from_recs(recs, catalog, k))
    value = ls.whole()["entropy"]
    return value if normalized or len(ls.catalog) < 2 else float(value * np.log2(len(ls.catalog)))


@dataclass(frozen=True)
class Interactions:
    """Training interactions, checked once: their ``user, item`` columns.

    Every metric that reads ``train`` also accepts them in this form, which is how
    :func:`~recsys_lab.metrics.evaluate` checks the training data once for all of them.

    >>> train = pd.DataFrame({"user": [1, 2], "item": ["a", "a"], "rating": [5, 3]})
    >>> Interactions.of(train).frame.columns.tolist()
    ['user', 'item']
    """

    frame: pd.DataFrame

    @classmethod
    def of(cls, train: Train) -> Interactions:
        """``train``'s ``user, item`` columns, checked (no missing ids, no repeated pair)."""
        if isinstance(train, Interactions):
            return train
        return cls(check_ratings(train, columns=("user", "item")).drop_duplicates())


Train = pd.DataFrame | Interactions


def _interactions(train: Train) -> pd.DataFrame:
    return Interactions.of(train).frame


def _per_list(lists: Lists, values: np.ndarray) -> np.ndarray:
    """Mean over each list of a per-item-code value (NaN for empty lists)."""
    v = np.where(lists.mask, values[np.maximum(lists.codes, 0)], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v.sum(axis=1) / lists.lengths


def _result(lists: Lists, values: np.ndarray, per_user: bool) -> float | pd.Series:
    if per_user:
        return pd.Series(values, index=pd.Index(lists.users, name="user"))
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def novelty(
    recs: Recs, train: Train, k: int | None = None, per_user: bool = False
) -> float | pd.Series:
    """Mean self-information of the listed items (higher = less known), in bits.

    >>> train = pd.DataFrame({"user": [1, 2, 3, 4], "item": ["a", "a", "a", "b"]})
    >>> novelty({9: ["b"]}, train)  # known by 1 of 4 users: -log2(1/4)
    2.0
    """
    hist = _interactions(train)
    n_users = hist["user"].nunique()
    lists = as_lists(recs, k)
    known = hist.groupby("item")["user"].nunique().reindex(lists.items, fill_value=0)
    share = np.where(known > 0, known.to_numpy(float) / n_users, 1.0 / (n_users + 1))
    return _result(lists, _per_list(lists, -np.log2(share)), per_user)


def item_features(
    items: pd.DataFrame,
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    index: str = "item",
    multilabel: Sequence[str] = (),
    sep: str = "|",
) -> pd.DataFrame:
    """Item feature vectors for diversity: one-hot categoricals, standardized numbers.

    ``multilabel`` columns hold several labels joined by ``sep`` (MovieLens genres,
    ``"Action|Comedy"``) and become one 0/1 column per label (multi-hot).

    >>> items = pd.DataFrame({"item": [1, 2], "category": ["x", "y"], "price": [1.0, 3.0]})
    >>> item_features(items, ["category"], ["price"]).values.tolist()
    [[1.0, 0.0, -1.0], [0.0, 1.0, 1.0]]
    >>> films = pd.DataFrame({"item": [1, 2], "genres": ["Action|Comedy", "Drama"]})
    >>> item_features(films, multilabel=["genres"]).values.tolist()
    [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    table = items.set_index(index) if index in items.columns else items
    missing = [c for c in [*categorical, *numeric, *multilabel] if c not in table.columns]
    if missing:
        raise ValueError(f"items have no column(s) {missing}; they have {list(table.columns)}.")
    parts = (
        [pd.get_dummies(table[list(categorical)].astype(str), dtype=float)] if categorical else []
    )
    for col in multilabel:
        hot = table[col].astype(str).str.get_dummies(sep=sep).astype(float)
        parts.append(hot.add_prefix(f"{col}_") if len(multilabel) > 1 else hot)
    for col in numeric:
        x = table[col].astype(float)
        parts.append(((x - x.mean()) / (x.std(ddof=0) or 1.0)).to_frame(col))
    if not parts:
        raise ValueError("name at least one categorical, multilabel or numeric column.")
    return pd.concat(parts, axis=1)


def category_table(
    items: pd.DataFrame, column: str = "genres", sep: str = "|", index: str = "item"
) -> pd.DataFrame:
    """One row per (item, category) from a column of ``sep``-joined labels.

    The ``item, category`` frame :func:`calibration` and
    :func:`recsys_lab.evaluation.metrics.evaluate` (as ``items``) take.

    >>> films = pd.DataFrame({"item": [1, 2], "genres": ["Action|Comedy", "Drama"]})
    >>> category_table(films).values.tolist()
    [[1, 'Action'], [1, 'Comedy'], [2, 'Drama']]
    """
    for col in (index, column):
        if col not in items.columns:
            raise ValueError(f"items have no {col!r} column; they have {list(items.columns)}.")
    labels = items[column].astype(str).str.split(sep)
    table = pd.DataFrame({"item": items[index], "category": labels}).explode("category")
    return table.reset_index(drop=True)


def intra_list_diversity(
    recs: Recs,
    item_features: pd.DataFrame,
    k: int | None = None,
    per_user: bool = False,
    chunk: int = 20_000,
) -> float | pd.Series:
    """Mean pairwise cosine *distance* of the items in each list (NaN below 2 items).

    ``item_features`` is indexed by item, numeric columns only. Lists are scored
    in chunks of ``chunk`` users with one batched matrix product each.

    >>> features = pd.DataFrame({"x": [1.0, 0.0, 1.0], "y": [0.0, 1.0, 1.0]}, index=list("abc"))
    >>> intra_list_diversity({"ann": ["a", "b"], "bob": ["a"]}, features, per_user=True).tolist()
    [1.0, nan]
    """
    lists = as_lists(recs, k)
    if not all(pd.api.types.is_numeric_dtype(t) for t in item_features.dtypes):
        raise TypeError(
            "item_features must be numeric; one-hot encode categories first "
            "(see recsys_lab.evaluation.metrics.item_features)."
        )
    _unknown(_listed(lists), item_features.index, "item features")
    F = item_features.reindex(lists.items).to_numpy(float)
    norms = np.linalg.norm(F, axis=1)
    listed = np.zeros(len(F), dtype=bool)
    listed[lists.codes[lists.mask]] = True
    zero = listed & ~(norms > 0)
    if zero.any():
        raise ValueError(
            f"item(s) {list(lists.items[zero][:5])} have an all-zero or NaN feature "
            f"vector, so their cosine similarity is undefined."
        )
    X = np.where(norms[:, None] > 0, F / np.where(norms > 0, norms, 1.0)[:, None], 0.0)
    out = np.full(len(lists.users), np.nan)
    L = lists.codes.shape[1]
    upper = np.triu(np.ones((L, L), dtype=bool), 1)
    for start in range(0, len(lists.users), chunk):
        codes = lists.codes[start : start + chunk]
        valid = codes >= 0
        G = X[np.maximum(codes, 0)] * valid[..., None]
        sims = np.einsum("uld,umd->ulm", G, G)
        pairs = valid[:, :, None] & valid[:, None, :] & upper
        n_pairs = pairs.sum(axis=(1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + chunk] = np.where(pairs, 1.0 - sims, 0.0).sum(axis=(1, 2)) / n_pairs
    return _result(lists, out, per_user)


def popular_unseen(train: Train, users: Iterable[Hashable], k: int = 10) -> pd.DataFrame:
    """Each user's ``k`` most popular training items that user has not interacted with.

    Popularity is the number of training users of an item; ties keep the items' order of
    first appearance in ``train`` — the lists of
    :class:`~recsys_lab.models.PopularityRecommender`, without fitting a model or
    building a users × items score matrix. A user absent from ``train`` gets the
    overall top ``k``.

    Returns
    -------
    DataFrame
        ``user, item, rank``.

    Examples
    --------
    >>> train = pd.DataFrame({"user": [1, 2, 2, 3], "item": ["a", "a", "b", "c"]})
    >>> popular_unseen(train, [1, 9], k=2).values.tolist()  # 1 has seen a
    [[1, 'b', 1], [1, 'c', 2], [9, 'a', 1], [9, 'b', 2]]
    """
    k = check_positive_int(k, "k")
    hist = _interactions(train)
    item_codes, items = pd.factorize(hist["item"])
    order = np.argsort(-np.bincount(item_codes), kind="stable")  # rank -> item code
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    wanted = pd.Index(list(users)).unique()
    u = wanted.get_indexer(pd.Index(hist["user"]))
    keep = u >= 0
    u, r = u[keep], rank_of[item_codes[keep]]
    by_user = np.lexsort((r, u))
    u, r = u[by_user], r[by_user]
    # A user's seen ranks r_0 < r_1 < ... : the j-th unseen rank is j + #{i : r_i - i <= j}.
    within = np.arange(u.size) - np.searchsorted(u, u)
    stride = order.size + 1
    keys = u * stride + (r - within)
    n = min(k, order.size)
    user_rows = np.repeat(np.arange(len(wanted)), n)
    j = np.tile(np.arange(n), len(wanted))
    start = np.searchsorted(keys, user_rows * stride)
    p = j + np.searchsorted(keys, user_rows * stride + j, side="right") - start
    ok = p < order.size  # a user who has seen (nearly) everything gets a shorter list
    ranks = pd.Series(np.ones(ok.sum(), dtype=np.int64)).groupby(user_rows[ok]).cumsum()
    return pd.DataFrame(
        {
            "user": wanted[user_rows[ok]],
            "item": items[order[p[ok]]],
            "rank": ranks.to_numpy(),
        }
    )


def serendipity(
    recs: Recs,
    truth: pd.DataFrame | Mapping,
    train: Train | None = None,
    k: int = 10,
    baseline: Recs | None = None,
    per_user: bool = False,
) -> float | pd.Series:
    r"""Share of the top ``k`` that is relevant and not on the user's own obvious list.

    .. math:: \text{serendipity}_u = |\{i \in L_u : i \in T_u,\ i \notin B_u\}| / k

    (Ge, Delgado-Battenfeld & Jannach, 2010), where :math:`B_u` is by default user
    :math:`u`'s popularity list: the ``k`` most popular training items *that user has
    not seen* (:func:`popular_unseen`). Removing seen items matters: a single global
    top-k would hold films the user has already rated, which no recommender may show,
    so every model would look more surprising than it is; measured against its own
    lists, the popularity recommender scores exactly 0. ``baseline`` replaces the
    popularity lists by other per-user lists (e.g. another model's). Averaged over the
    users in ``truth``.

    Examples
    --------
    >>> train = pd.DataFrame({"user": [1, 2, 2, 3], "item": ["a", "a", "b", "c"]})
    >>> # user 1 saw a, so the obvious list is [b, c]: c is obvious, d is a surprise
    >>> serendipity({1: ["c", "d"]}, {1: ["c", "d"]}, train, k=2)
    0.5
    """
    lists, gains, _ = align(recs, truth, k)
    if baseline is None:
        if train is None:
            raise ValueError(
                "serendipity needs train (each user's popularity list is the obvious one) "
                "or baseline lists."
            )
        baseline = popular_unseen(train, lists.users, k)
    elif not isinstance(baseline, pd.DataFrame | Mapping | Lists):
        raise TypeError(
            "baseline must hold one list per user (a DataFrame user, item, rank or a mapping "
            "user -> items); a single list shared by everybody would count items a user has "
            "already seen as obvious. Pass train instead for per-user popularity lists."
        )
    base = as_lists(baseline, k, items=lists.items)  # the same item codes
    where = base.users.get_indexer(lists.users)
    base_codes = np.where((where >= 0)[:, None], base.codes[np.maximum(where, 0)], -1)
    in_base = (lists.codes[:, :, None] == base_codes[:, None, :]).any(axis=2)
    surprising = (gains > 0) & ~in_base & lists.mask
    return _result(lists, surprising.sum(axis=1) / k, per_user)


def personalization(recs: Recs, k: int | None = None) -> float:
    r"""One minus the mean cosine similarity between every pair of users' lists.

    With :math:`c_i` lists containing item :math:`i` and equal list lengths :math:`k`,
    :math:`\sum_{u<v} |L_u \cap L_v| = \sum_i \binom{c_i}{2}`, so no users × users matrix
    is needed (lists of unequal length weight each pair by :math:`1/\sqrt{|L_u||L_v|}`).

    >>> round(personalization({"ann": ["a", "b"], "bob": ["a", "c"], "cy": ["d", "e"]}), 4)
    0.8333
    """
    lists = as_lists(recs, k)
    if len(lists.users) < 2:
        raise ValueError("personalization compares users' lists: it needs at least two users.")
    if (lists.lengths == 0).any():
        raise ValueError("every user needs a non-empty list to compare.")
    return ListSet.from_recs(recs, lists.items, k).whole()["personalization"]


def _category_weights(
    item_categories: pd.DataFrame | pd.Series, items: pd.Index
) -> tuple[sp.csr_matrix, set[Hashable]]:
    if isinstance(item_categories, pd.Series):
        table = item_categories.rename("category").rename_axis("item").reset_index()
    else:
        table = item_categories
    if not {"item", "category"} <= set(table.columns):
        raise ValueError("item_categories needs columns item and category (one row per pair).")
    table = table[["item", "category"]].drop_duplicates()
    cats = pd.Index(pd.unique(table["category"].to_numpy()))
    rows = items.get_indexer(table["item"])
    keep = rows >= 0
    share = 1.0 / table.groupby("item")["category"].transform("size").to_numpy(float)
    W = sp.csr_matrix(
        (share[keep], (rows[keep], cats.get_indexer(table["category"])[keep])),
        shape=(len(items), len(cats)),
    )
    return W, set(table["item"])


def calibration(
    recs: Recs,
    train: Train,
    item_categories: pd.DataFrame | pd.Series,
    k: int | None = None,
    alpha: float = 0.01,
    per_user: bool = False,
) -> float | pd.Series:
    """Steck's miscalibration: KL between the categories of history and of the list.

    ``item_categories``: DataFrame ``item, category`` (an item may have several
    rows; each then counts 1/n) or a Series item → category. Users without history
    or list get NaN. 0 = the list mirrors the user's mix of interests.

    >>> train = pd.DataFrame({"user": [1, 1], "item": ["a", "b"]})
    >>> cats = pd.Series({"a": "x", "b": "y", "c": "x"})
    >>> calibration({1: ["a", "b"]}, train, cats)
    0.0
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha}.")
    hist = _interactions(train)
    lists = as_lists(recs, k)
    items = lists.items.append(pd.Index(pd.unique(hist["item"].to_numpy())).difference(lists.items))
    W, has_category = _category_weights(item_categories, items)
    missing = set(_listed(lists)) - has_category
    if missing:
        raise ValueError(f"item(s) {sorted(missing, key=str)[:5]} have no category.")
    u = lists.users.get_indexer(pd.Index(hist["user"]))
    keep = u >= 0
    H = sp.csr_matrix(
        (np.ones(keep.sum()), (u[keep], items.get_indexer(pd.Index(hist["item"]))[keep])),
        shape=(len(lists.users), len(items)),
    )
    rows = np.repeat(np.arange(len(lists.users)), lists.codes.shape[1])[lists.mask.ravel()]
    Lm = sp.csr_matrix(
        (np.ones(rows.size), (rows, lists.codes[lists.mask])), shape=(len(lists.users), len(items))
    )
    p = np.asarray((H @ W).todense())
    q = np.asarray((Lm @ W).todense())
    with np.errstate(invalid="ignore", divide="ignore"):
        p = p / p.sum(axis=1, keepdims=True)
        q = q / q.sum(axis=1, keepdims=True)
        q_tilde = (1 - alpha) * q + alpha * p
        terms = np.where(p > 0, p * np.log(p / q_tilde), 0.0)
    kl = np.where(np.isnan(p).any(axis=1) | np.isnan(q).any(axis=1), np.nan, terms.sum(axis=1))
    return _result(lists, kl, per_user)


def _popularity(train: Train, items: pd.Index) -> np.ndarray:
    counts = _interactions(train)["item"].value_counts()
    return counts.reindex(items, fill_value=0).to_numpy(float)


def arp(
    recs: Recs, train: Train, k: int | None = None, per_user: bool = False
) -> float | pd.Series:
    """Average recommendation popularity: mean training count of the listed items.

    >>> train = pd.DataFrame({"user": [1, 2, 3], "item": ["a", "a", "b"]})
    >>> arp({9: ["a", "b"]}, train)
    1.5
    """
    lists = as_lists(recs, k)
    return _result(lists, _per_list(lists, _popularity(train, lists.items)), per_user)


def aplt(
    recs: Recs,
    train: Train,
    k: int | None = None,
    head_fraction: float = 0.2,
    per_user: bool = False,
) -> float | pd.Series:
    """Average share of long-tail items in the lists.

    The head is the ``head_fraction`` most popular training items (ties: first
    seen); everything else, including items never seen in training, is long tail.

    >>> train = pd.DataFrame({"user": [1, 2, 3, 4, 5], "item": list("aabcd")})
    >>> aplt({9: ["a", "d"]}, train, head_fraction=0.25)  # head = {a}
    0.5
    """
    if not 0 < head_fraction < 1:
        raise ValueError(f"head_fraction must be strictly between 0 and 1, got {head_fraction}.")
    counts = _interactions(train)["item"].value_counts(sort=True)
    head = set(counts.index[: int(np.ceil(head_fraction * len(counts)))])
    lists = as_lists(recs, k)
    tail = np.array([item not in head for item in lists.items], dtype=float)
    return _result(lists, _per_list(lists, tail), per_user)


def group_means(values: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Mean of a per-user metric in each user group, with the group sizes.

    ``values`` and ``groups`` are indexed by user; users without a group, or with a
    NaN value, are left out and counted in no group.

    >>> v = pd.Series([1.0, 0.0, 0.5], index=[1, 2, 3])
    >>> group_means(v, pd.Series(["x", "x", "y"], index=[1, 2, 3]))["mean"].tolist()
    [0.5, 0.5]
    """
    joined = pd.DataFrame({"value": values}).join(groups.rename("group"), how="inner").dropna()
    if joined.empty:
        raise ValueError(
            "no user has both a value and a group; check that both are indexed by user."
        )
    table = joined.groupby("group")["value"].agg(users="size", mean="mean")
    return table.reset_index()


def fairness_gap(values: pd.Series, groups: pd.Series) -> float:
    """Largest difference between two groups' means of a per-user metric.

    >>> users = [1, 2, 3]
    >>> fairness_gap(pd.Series([1.0, 0.0, 0.2], index=users), pd.Series(list("xxy"), index=users))
    0.3
    """
    means = group_means(values, groups)["mean"]
    return float(round(means.max() - means.min(), 12))
