"""Explanations a person can read: who voted for a recommendation, and on what evidence.

A neighbourhood recommendation is explained by its voters (see
:meth:`~recsys_lab.models.knn.KNNRecommender.explain`). Two facts make an explanation
honest:

* **the evidence behind each similarity** — how many ratings the two neighbours share.
  With MSD, one shared film rated alike gives the top similarity of 1: a "perfect"
  neighbour known from a single rating (the overlap pitfall);
* **how much of the vote is shown** — "the top 3 of 40 voters" says that 37 more
  neighbours shaped the score.

Item-based, the voters are items the person rated ("because you rated *Star Wars
(1977)* 5 …"); user-based, they are other people ("users with similar taste gave it
5 …").
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys_lab._validation import check_positive_int
from recsys_lab.models.knn import KNNRecommender


def titles(items: pd.DataFrame) -> pd.Series:
    """Readable names of MovieLens items: ``"Title (Year)"``, the title alone without a year.

    Some titles repeat in MovieLens (remakes, re-releases), so the year is kept.
    GroupLens writes a leading English article at the end ("Empire Strikes Back,
    The"); it is moved back to the front ("The Empire Strikes Back (1980)").

    Parameters
    ----------
    items : DataFrame
        Columns ``item``, ``title`` and ``year`` (nullable), as
        :func:`recsys_lab.data.load_movielens` returns them.

    Returns
    -------
    Series
        Item id → name.

    Examples
    --------
    >>> items = pd.DataFrame({"item": [50, 172, 267],
    ...                       "title": ["Star Wars", "Empire Strikes Back, The", "unknown"],
    ...                       "year": pd.array([1977, 1980, None], dtype="Int64")})
    >>> titles(items).tolist()
    ['Star Wars (1977)', 'The Empire Strikes Back (1980)', 'unknown']
    """
    missing = {"item", "title", "year"} - set(getattr(items, "columns", []))
    if missing:
        raise ValueError(
            f"items needs the columns item, title and year; missing {sorted(missing)}."
        )
    title = items["title"].astype(str).str.replace(r"^(.*), (The|A|An)$", r"\2 \1", regex=True)
    year = items["year"].astype("Int64").astype(str)
    name = title.where(items["year"].isna(), title + " (" + year + ")")
    return pd.Series(name.to_numpy(), index=pd.Index(items["item"], name="item"), name="title")


def _check_model(model: object) -> KNNRecommender:
    if not isinstance(model, KNNRecommender):
        raise TypeError(
            f"model must be a fitted KNNRecommender (or KNNWithMeans), got {type(model).__name__}."
        )
    if not hasattr(model, "seen_"):
        raise RuntimeError("The model is not fitted yet: call fit(ratings) first.")
    return model


def _rows(model: KNNRecommender) -> sp.csr_matrix:
    """One row per neighbour (user, or item if item-based), 1 where it has a rating."""
    known = model.seen_.copy()
    known.data[:] = 1.0
    return known.tocsr() if model.user_based else known.T.tocsr()


def shared_counts(model: KNNRecommender) -> np.ndarray:
    r"""How many ratings every pair of neighbours shares: :math:`n_{uv} = |I_u \cap I_v|`.

    User-based, the films two users both rated; item-based, the users who rated both
    items. The diagonal is each one's number of ratings. Rows and columns follow
    ``model.users_`` (``model.items_`` item-based), like ``model.sim_``.

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": list("ababa"),
    ...                         "rating": [5.0, 3.0, 4.0, 3.0, 5.0]})
    >>> shared_counts(KNNRecommender().fit(ratings)).tolist()
    [[2, 2, 1], [2, 2, 1], [1, 1, 1]]
    """
    rows = _rows(_check_model(model))
    return (rows @ rows.T).toarray().astype(int)


def neighbours(
    model: KNNRecommender,
    user: Hashable,
    item: Hashable,
    labels: Mapping[Hashable, str] | pd.Series | None = None,
) -> pd.DataFrame:
    """The voters behind one prediction, with how many ratings each shares with the target.

    :meth:`KNNRecommender.explain <recsys_lab.models.knn.KNNRecommender.explain>` plus
    ``shared`` (co-rated count with the target user, or the number of users who rated
    both items item-based) and, item-based with ``labels``, each neighbour's ``name``.

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": list("ababa"),
    ...                         "rating": [5.0, 3.0, 4.0, 3.0, 5.0]})
    >>> table = neighbours(KNNRecommender(k=2).fit(ratings), 3, "b")
    >>> table["neighbour"].tolist(), table["similarity"].tolist(), table["shared"].tolist()
    ([1, 2], [1.0, 0.5], [1, 1])
    """
    model = _check_model(model)
    table = model.explain(user, item)
    rows = _rows(model)
    index = model.users_ if model.user_based else model.items_
    target = index.get_indexer(pd.Index([user if model.user_based else item]))[0]
    codes = index.get_indexer(pd.Index(table["neighbour"]))
    shared = (rows[codes] @ rows[target].T).toarray().ravel().astype(int)
    table.insert(2, "shared", shared)
    if labels is not None and not model.user_based:
        names = pd.Series(labels)
        table.insert(1, "name", [str(names.get(x, x)) for x in table["neighbour"]])
    return table


def _listing(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def because(
    model: KNNRecommender,
    user: Hashable,
    item: Hashable,
    labels: Mapping[Hashable, str] | pd.Series | None = None,
    n: int = 3,
    noun: str = "item",
) -> str:
    """One sentence explaining a recommendation by its top ``n`` voters, with their evidence.

    Each voter is cited with its rating, its similarity and how many ratings the
    similarity rests on; the sentence ends with how many voters there were in all
    ("the top 3 of 40 voters"). Item-based, the voters are named by ``labels``
    (item → name, e.g. :func:`titles`); ``noun`` names what users rate, for the
    user-based evidence ("12 shared films" with ``noun="film"``).

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": list("ababa"),
    ...                         "rating": [5.0, 3.0, 4.0, 1.0, 5.0]})
    >>> model = KNNRecommender(k=2).fit(ratings)
    >>> print(because(model, 3, "b", n=1, noun="film"))  # doctest: +NORMALIZE_WHITESPACE
    Recommended because users with similar taste rated it: user 1 gave 3 (similarity 1.00,
    1 shared film): the top 1 of 2 voters.
    >>> item_based = KNNRecommender(user_based=False).fit(ratings)
    >>> print(because(item_based, 3, "b", {"a": "Alien (1979)"}))  # doctest: +NORMALIZE_WHITESPACE
    Recommended because you rated Alien (1979) 5 (similarity 0.13, 2 shared raters): the
    only voter.
    """
    n = check_positive_int(n, "n")
    table = neighbours(model, user, item, labels)
    voters = table[table["votes"]]
    if voters.empty:
        return (
            "No neighbour voted (nobody similar rated it), so the score is the model's "
            "baseline, not a recommendation by similar taste."
        )
    shown = voters.head(n)
    if model.user_based:
        parts = [
            f"user {v.neighbour} gave {v.rating:g} (similarity {v.similarity:.2f}, "
            f"{_plural(int(v.shared), 'shared ' + noun)})"
            for v in shown.itertuples()
        ]
        start = "Recommended because users with similar taste rated it: "
    else:
        names = shown["name"] if "name" in shown.columns else shown["neighbour"].astype(str)
        parts = [
            f"{name} {v.rating:g} (similarity {v.similarity:.2f}, "
            f"{_plural(int(v.shared), 'shared rater')})"
            for name, v in zip(names, shown.itertuples(), strict=True)
        ]
        start = "Recommended because you rated "
    total = len(voters)
    if total == 1:
        tail = "the only voter"
    elif len(shown) == total:
        tail = f"all {total} voters"
    else:
        tail = f"the top {len(shown)} of {total} voters"
    return f"{start}{_listing(parts)}: {tail}."


__all__ = ["because", "neighbours", "shared_counts", "titles"]
