"""Recommendation lists and ground truth in one vectorized form.

Every metric accepts lists as a DataFrame with columns ``user, item, rank`` (or
``score``, highest first) or as a mapping ``user -> [items, best first]``, and a
truth as a DataFrame ``user, item[, rating]`` or a mapping ``user -> items``.
Internally a set of lists is a matrix of item codes, one row per user, padded
with -1, so that metrics over 100,000 users are a few numpy passes. Every metric also
accepts lists already encoded (a :class:`Lists`): :func:`recsys_lab.metrics.evaluate`
encodes each model's lists once and hands the codes to every metric.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int


@dataclass(frozen=True)
class Lists:
    """Ranked lists as codes: ``codes[u, r]`` is the item at rank ``r + 1`` of user ``u``."""

    users: pd.Index
    codes: np.ndarray  # (n_users, max_len) int64, -1 = no item
    items: pd.Index  # code -> item label

    @property
    def lengths(self) -> np.ndarray:
        """The number of items in each list."""
        return (self.codes >= 0).sum(axis=1)

    @property
    def mask(self) -> np.ndarray:
        """True where ``codes`` holds an item (not padding)."""
        return self.codes >= 0


# Mapping keys are invariant, so ``Mapping[Hashable, ...]`` would reject a ``dict[str, ...]``;
# any hashable user label is accepted at run time.
Recs = pd.DataFrame | Mapping[Any, Iterable[Hashable]] | Lists
Truth = pd.DataFrame | Mapping[Any, Iterable[Hashable]]


def _long_recs(recs: Recs) -> pd.DataFrame:
    """``user, item, rank`` rows from any accepted form, validated, best first."""
    if isinstance(recs, pd.DataFrame):
        missing = {"user", "item"} - set(recs.columns)
        if missing:
            raise ValueError(
                f"recommendations need columns user, item and rank (or score); missing "
                f"{sorted(missing)}, found {list(recs.columns)}."
            )
        if "rank" in recs.columns:
            df = recs[["user", "item", "rank"]].copy()
            if df["rank"].isna().any():
                raise ValueError("recommendations have missing ranks.")
            df = df.sort_values(["user", "rank"], kind="stable")
        elif "score" in recs.columns:
            df = recs[["user", "item", "score"]].sort_values(
                ["user", "score"], ascending=[True, False], kind="stable"
            )
        else:
            raise ValueError("recommendations need a rank or a score column to order each list.")
        df = df[["user", "item"]]
    elif isinstance(recs, Mapping):
        users, items = [], []
        for user, lst in recs.items():
            if isinstance(lst, str | bytes):
                raise TypeError(f"the list of user {user!r} is a string; give a list of items.")
            lst = list(lst)
            users.extend([user] * len(lst))
            items.extend(lst)
        df = pd.DataFrame({"user": users, "item": items})
    else:
        raise TypeError(
            "recommendations must be a DataFrame (user, item, rank) or a mapping "
            f"user -> ranked list of items, got {type(recs).__name__}."
        )
    if df[["user", "item"]].isna().any().any():
        raise ValueError("recommendations contain missing users or items.")
    dup = df.duplicated(["user", "item"])
    if dup.any():
        user, item = df.loc[dup].iloc[0]
        raise ValueError(
            f"user {user!r} has item {item!r} more than once in a list; a list recommends "
            f"each item once (drop duplicates, keeping the best rank)."
        )
    return df


def _recoding(found: pd.Index, items: pd.Index | None) -> tuple[np.ndarray, pd.Index]:
    """Codes of the distinct labels ``found`` in ``items``, new labels appended in order."""
    if items is None:
        return np.arange(len(found)), found
    codes = items.get_indexer(found)
    new = codes < 0
    if new.any():
        items = items.append(found[new])
        codes[new] = np.arange(len(items) - new.sum(), len(items))
    return codes, items


def as_lists(recs: Recs, k: int | None = None, items: pd.Index | None = None) -> Lists:
    """Encode ranked lists, keeping at most the top ``k`` of each.

    ``items`` fixes the item coding (new items are appended after it). Lists already
    encoded are cut to ``k`` and recoded, not checked again.

    >>> lists = as_lists({"ann": ["a", "b"], "bob": ["b"]})
    >>> lists.codes.tolist(), lists.items.tolist(), lists.lengths.tolist()
    ([[0, 1], [1, -1]], ['a', 'b'], [2, 1])
    >>> as_lists(lists, k=1, items=pd.Index(["b"])).codes.tolist()
    [[1], [0]]
    """
    if k is not None:
        k = check_positive_int(k, "k")
    if isinstance(recs, Lists):
        users, found, codes = recs.users, recs.items, recs.codes[:, :k]
    else:
        df = _long_recs(recs)
        user_codes, users = pd.factorize(df["user"], sort=False)
        row_items, found = pd.factorize(df["item"], sort=False)
        rows = pd.Series(np.zeros(len(df), dtype=np.int64))
        pos = rows.groupby(user_codes).cumcount().to_numpy()
        width = int(pos.max()) + 1 if len(pos) else 0
        if k is not None:
            width = min(width, k)
        keep = pos < width
        codes = np.full((len(users), max(width, 1)), -1, dtype=np.int64)  # never zero-width
        codes[user_codes[keep], pos[keep]] = row_items[keep]
    recode, items = _recoding(pd.Index(found), items)
    listed = codes >= 0
    coded = np.full(codes.shape, -1, dtype=np.int64)
    coded[listed] = recode[codes[listed]]
    return Lists(users=pd.Index(users), codes=coded, items=pd.Index(items))


def truth_table(truth: Truth) -> pd.DataFrame:
    """``user, item, gain`` from a truth DataFrame (``rating`` = gain) or mapping."""
    if isinstance(truth, pd.DataFrame):
        missing = {"user", "item"} - set(truth.columns)
        if missing:
            raise ValueError(f"truth needs columns user and item; missing {sorted(missing)}.")
        gain = truth["rating"] if "rating" in truth.columns else 1.0
        df = pd.DataFrame({"user": truth["user"], "item": truth["item"]}).assign(gain=gain)
    elif isinstance(truth, Mapping):
        rows = [(u, i) for u, items in truth.items() for i in items]
        df = pd.DataFrame(rows, columns=["user", "item"]).assign(gain=1.0)
    else:
        raise TypeError(
            "truth must be a DataFrame (user, item[, rating]) or a mapping user -> items, "
            f"got {type(truth).__name__}."
        )
    if df.empty:
        raise ValueError("truth is empty: there is nothing relevant to find.")
    if df[["user", "item"]].isna().any().any() or df["gain"].isna().any():
        raise ValueError("truth contains missing users, items or ratings.")
    return df.drop_duplicates(["user", "item"], keep="first").reset_index(drop=True)


def align(recs: Recs, truth: Truth, k: int) -> tuple[Lists, np.ndarray, pd.DataFrame]:
    """Lists for exactly the users in ``truth`` (empty for those without a list).

    Returns the lists, a gain matrix of the same shape (0 where not relevant), and
    the truth table with user codes in column ``u`` and item codes in ``i``.
    """
    table = truth_table(truth)
    lists = as_lists(recs, k)
    users = pd.Index(pd.unique(table["user"].to_numpy()))
    codes = np.full((len(users), lists.codes.shape[1]), -1, dtype=np.int64)
    where = lists.users.get_indexer(users)
    has = where >= 0
    codes[has] = lists.codes[where[has]]
    lists = Lists(users=users, codes=codes, items=lists.items)
    items = lists.items.append(
        pd.Index(pd.unique(table["item"].to_numpy())).difference(lists.items)
    )
    table = table.assign(
        u=users.get_indexer(pd.Index(table["user"])),
        i=items.get_indexer(pd.Index(table["item"])),
    )
    n_items = max(len(items), 1)
    keys = table["u"].to_numpy() * n_items + table["i"].to_numpy()
    order = np.argsort(keys)
    keys, gains = keys[order], table["gain"].to_numpy(float)[order]
    rec_keys = np.arange(len(users))[:, None] * n_items + codes
    idx = np.clip(np.searchsorted(keys, rec_keys), 0, len(keys) - 1)
    hit = (keys[idx] == rec_keys) & (codes >= 0)
    return Lists(users, codes, items), np.where(hit, gains[idx], 0.0), table
