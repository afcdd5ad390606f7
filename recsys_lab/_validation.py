"""Input checks shared by every module.

Each check raises a ``ValueError`` or ``TypeError`` whose message names the
problem and the fix, so that a learner never meets a bare ``KeyError`` from
deep inside pandas or numpy. None of them modifies its input.

>>> check_positive_int(3, "k")
3
>>> check_positive_int(0, "k")
Traceback (most recent call last):
...
ValueError: k must be >= 1, got 0.
>>> check_choice("cosine", "similarity", ["msd", "cosine"])
'cosine'
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def check_choice(value: object, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise list the valid ones."""
    options = list(choices)
    if value not in options:
        raise ValueError(f"Unknown {name} {value!r}. Choose one of: {', '.join(options)}.")
    return str(value)


def check_matrix(R: object, name: str = "R") -> pd.DataFrame:
    """Check a user × item matrix: a DataFrame of numbers, NaN where unknown.

    Returns a float copy, so that callers can never mutate the caller's frame.
    """
    if not isinstance(R, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame with one row per user and one column per "
            f"item, got {type(R).__name__}."
        )
    if R.empty:
        raise ValueError(f"{name} is empty: it needs at least one row and one column.")
    for axis, labels in (("row", R.index), ("column", R.columns)):
        if labels.has_duplicates:
            dups = sorted(map(str, labels[labels.duplicated()].unique()))
            raise ValueError(
                f"{name} has duplicate {axis} labels: {', '.join(dups)}. "
                f"Each {axis} must name one user/item; aggregate the duplicates first."
            )
    bad = [c for c in R.columns if not pd.api.types.is_numeric_dtype(R[c])]
    if bad:
        raise TypeError(
            f"{name} must hold numbers (NaN for unknown); column(s) "
            f"{', '.join(map(str, bad))} are not numeric. Convert them with "
            f"pd.to_numeric first."
        )
    values = R.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError(f"{name} contains infinite values; use NaN for unknown entries.")
    return pd.DataFrame(values, index=R.index.copy(), columns=R.columns.copy())


def check_label(label: Hashable, labels: pd.Index, kind: str) -> int:
    """Return the position of ``label`` in ``labels`` or name the known labels."""
    try:
        position = labels.get_loc(label)
    except (KeyError, TypeError):
        known = ", ".join(map(str, labels[:20]))
        more = f" … ({len(labels)} in all)" if len(labels) > 20 else ""
        raise ValueError(f"Unknown {kind} {label!r}. Known {kind}s: {known}{more}.") from None
    if not isinstance(position, numbers.Integral):  # pragma: no cover - guarded by check_matrix
        raise ValueError(f"{kind} {label!r} appears more than once.")
    return int(position)


def check_ratings(
    ratings: object, columns: tuple[str, ...] = ("user", "item", "rating")
) -> pd.DataFrame:
    """Check a long table of interactions and return a copy with just ``columns``.

    Rejects missing columns, an empty table, missing values, non-numeric ratings
    and duplicate (user, item) pairs.
    """
    if not isinstance(ratings, pd.DataFrame):
        raise TypeError(
            f"ratings must be a pandas DataFrame with columns {', '.join(columns)}, "
            f"got {type(ratings).__name__}."
        )
    missing = [c for c in columns if c not in ratings.columns]
    if missing:
        raise ValueError(
            f"ratings is missing column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, ratings.columns))}. Rename them, e.g. "
            f"df.rename(columns={{'userId': 'user'}})."
        )
    out = ratings.loc[:, list(columns)].copy()
    if out.empty:
        raise ValueError("ratings is empty: there is nothing to learn from.")
    if out[list(columns[:2])].isna().any().any():
        raise ValueError("ratings has missing user or item ids; drop those rows first.")
    if len(columns) > 2:
        value = columns[2]
        if not pd.api.types.is_numeric_dtype(out[value]):
            raise TypeError(f"ratings[{value!r}] must be numeric; convert it with pd.to_numeric.")
        n_nan = int(out[value].isna().sum())
        if n_nan:
            raise ValueError(
                f"ratings[{value!r}] has {n_nan} missing value(s); drop or impute them first."
            )
    dup = out.duplicated(subset=list(columns[:2]))
    if dup.any():
        first = out.loc[dup, list(columns[:2])].iloc[0].tolist()
        raise ValueError(
            f"ratings has {int(dup.sum())} duplicate (user, item) pair(s), e.g. {first}. "
            f"Keep one rating per pair, e.g. df.groupby(['user', 'item']).mean()."
        )
    return out


def as_pair(a: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D float arrays from two Series (aligned on labels) or array-likes."""
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        a, b = a.align(b)
    try:
        x = np.asarray(a, dtype=float)
        y = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            "a and b must hold numbers (NaN for unknown); convert them with pd.to_numeric."
        ) from None
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"a and b must be 1-D and of equal length, got shapes {x.shape} and {y.shape}."
        )
    return x, y


def as_vectors(**arrays: object) -> tuple[np.ndarray, ...]:
    """Each argument as a 1-D float array; all non-empty, finite and of equal length.

    Messages name the argument, e.g. ``reward has 1 NaN or infinite value(s)``.

    >>> [v.tolist() for v in as_vectors(reward=[1, 0], pscore=(0.5, 0.25))]
    [[1.0, 0.0], [0.5, 0.25]]
    """
    out = []
    for name, values in arrays.items():
        try:
            x = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers; convert it with pd.to_numeric.") from None
        if x.ndim != 1 or x.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {x.shape}.")
        n_bad = int((~np.isfinite(x)).sum())
        if n_bad:
            raise ValueError(
                f"{name} has {n_bad} NaN or infinite value(s); drop or fill those rows first."
            )
        out.append(x)
    lengths = {name: len(x) for name, x in zip(arrays, out, strict=True)}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{', '.join(lengths)} must have equal lengths, got {lengths}.")
    return tuple(out)


def known_codes(labels: Iterable[Hashable], index: pd.Index, kind: str, why: str) -> np.ndarray:
    """Positions of ``labels`` in ``index``; unknown ones raise a ValueError naming them.

    ``why`` ends the message: what the caller can do instead.

    >>> known_codes(["b"], pd.Index(["a", "b"]), "offer", "").tolist()
    [1]
    """
    labels = list(labels)
    codes = np.asarray(index.get_indexer(pd.Index(labels)))
    if (codes < 0).any():
        unknown = [x for x, c in zip(labels, codes, strict=True) if c < 0][:5]
        raise ValueError(f"Unknown {kind}(s) {unknown}: {why}")
    return codes


def check_share(test_size: object, name: str = "test_size") -> float:
    """A share strictly between 0 and 1, such as the part of the ratings held out.

    >>> check_share(0.2)
    0.2
    """
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"{name} must be a number such as 0.2, got {test_size!r}.")
    size = float(test_size)
    if not 0 < size < 1:
        raise ValueError(
            f"{name} must be strictly between 0 and 1 (the share held out, e.g. 0.2), "
            f"got {test_size}."
        )
    return size
