"""Your own events as the ``user, item[, rating][, timestamp]`` frame every model takes.

:func:`load_interactions` reads a CSV, a Parquet file or a DataFrame, renames the columns
you name, parses times, refuses missing or malformed values with the row that has them,
and says what it did with duplicates.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from recsys_lab._validation import check_choice

_COMPRESSION = {".gz", ".bz2", ".zip", ".xz", ".zst"}


def load_interactions(
    data: str | Path | pd.DataFrame,
    user: str,
    item: str,
    rating: str | None = None,
    timestamp: str | None = None,
    *,
    timestamp_unit: str = "s",
    timestamp_format: str | None = None,
    duplicates: str = "error",
    **read_kwargs: Any,
) -> pd.DataFrame:
    """A shop's own events as the frame every model and split in this package takes.

    Parameters
    ----------
    data : str, Path or DataFrame
        A ``.csv`` file (``.tsv`` is read tab-separated; ``.csv.gz`` and other compressed
        CSVs too), a ``.parquet`` file (needs pyarrow), or a DataFrame, which is never
        modified.
    user, item : str
        The columns holding the user and the item ids; the ids are kept as they are.
    rating : str, optional
        A numeric column: stars, quantity, revenue… Without it the frame has no rating
        (implicit feedback).
    timestamp : str, optional
        When each event happened: datetimes, date strings (see ``timestamp_format``) or
        numbers since 1970-01-01 UTC in ``timestamp_unit``. Times with a time zone are
        converted to UTC, then every time is stored without zone (UTC), as in
        :func:`~recsys_lab.data.movielens.load_movielens`.
    timestamp_unit : {"s", "ms", "us", "ns"}, default "s"
        The unit of numeric timestamps.
    timestamp_format : str, optional
        How date strings are written, e.g. ``"%d/%m/%Y %H:%M"``; default: pandas infers
        it from the first value.
    duplicates : {"error", "sum", "last"}, default "error"
        What to do with a (user, item) pair that occurs more than once — a repeat
        purchase counts, since every model and split here holds one value per pair.
        ``"error"`` names the first such pair; ``"sum"`` keeps one row per pair with the
        ratings added up (e.g. quantities) and the latest timestamp; ``"last"`` keeps the
        pair's latest event (by timestamp, else the last row).
    **read_kwargs
        Passed to :func:`pandas.read_csv` or :func:`pandas.read_parquet`, e.g.
        ``sep=";"`` or ``dtype={"sku": str}`` (to keep leading zeros).

    Returns
    -------
    DataFrame
        ``user, item`` then ``rating`` (float64) and ``timestamp`` (datetime64, UTC)
        if asked for, indexed 0…n-1, in the order of ``data`` (for aggregated pairs: of
        their first row, with ``"sum"``; of their kept row, with ``"last"``).

    Raises
    ------
    ValueError
        A named column is missing, there are no rows, ids or values are missing, a
        timestamp cannot be parsed (the first such value is named), a pair is repeated
        with ``duplicates="error"``, or the file type is unknown.
    TypeError
        The rating column holds something that is not a number (the first one is named).
    ImportError
        A Parquet file but no Parquet engine (pyarrow) installed.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer": ["ann", "bob", "ann"], "sku": [7, 7, 7],
    ...                        "qty": [1, 2, 3], "at": [1700000000, 1700000100, 1700000200]})
    >>> load_interactions(orders, "customer", "sku", "qty", "at", duplicates="sum")
      user  item  rating           timestamp
    0  ann     7     4.0 2023-11-14 22:16:40
    1  bob     7     2.0 2023-11-14 22:15:00
    """
    check_choice(duplicates, "duplicates", ("error", "sum", "last"))
    check_choice(timestamp_unit, "timestamp_unit", ("s", "ms", "us", "ns"))
    frame, name = _read_events(data, read_kwargs)
    named = {"user": user, "item": item, "rating": rating, "timestamp": timestamp}
    roles = {role: col for role, col in named.items() if col is not None}
    columns = list(roles.values())
    if len(set(columns)) < len(columns):
        raise ValueError(f"One column cannot play two roles: got {roles}.")
    missing = [f"{role}={col!r}" for role, col in roles.items() if col not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} has no column for {', '.join(missing)}; its columns are "
            f"{', '.join(map(repr, frame.columns))}."
        )
    if frame.empty:
        raise ValueError(f"{name} has no rows: there is nothing to learn from.")
    for role, col in roles.items():
        _refuse_missing(frame[col], role, col, name)
    out = pd.DataFrame({"user": frame[user].to_numpy(), "item": frame[item].to_numpy()})
    if rating is not None:
        out["rating"] = _as_numbers(frame[rating], rating, name)
    if timestamp is not None:
        out["timestamp"] = _as_times(
            frame[timestamp], timestamp, name, timestamp_unit, timestamp_format
        )
    return _deduplicate(out, duplicates, name, roles)


def _read_events(data: object, read_kwargs: dict[str, Any]) -> tuple[pd.DataFrame, str]:
    """The table and how messages name it."""
    if isinstance(data, pd.DataFrame):
        if read_kwargs:
            raise TypeError(
                f"{', '.join(read_kwargs)}: reading options apply to files, not DataFrames."
            )
        return data, "The DataFrame"
    if not isinstance(data, str | os.PathLike):
        raise TypeError(
            f"data must be a path to a .csv or .parquet file or a DataFrame, got "
            f"{type(data).__name__}."
        )
    path = Path(data)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION:
        suffixes.pop()
    kind = suffixes[-1] if suffixes else ""
    if kind not in (".csv", ".tsv", ".parquet"):
        raise ValueError(
            f"{path.name}: load_interactions reads .csv, .tsv and .parquet files. Read "
            f"other formats with pandas and pass the DataFrame."
        )
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist.")
    if kind == ".parquet":
        try:
            return pd.read_parquet(path, **read_kwargs), path.name
        except ImportError:
            raise ImportError(
                f"Reading {path.name} needs pyarrow: pip install pyarrow, or save the table as CSV."
            ) from None
    if kind == ".tsv":
        read_kwargs = {"sep": "\t", **read_kwargs}
    return pd.read_csv(path, **read_kwargs), path.name


def _first_row(values: pd.Series, bad: pd.Series) -> str:
    """Name the first flagged value and where it is."""
    first = int(np.flatnonzero(bad.to_numpy())[0])
    return f"{values.iloc[first]!r} (row {values.index[first]!r})"


def _refuse_missing(values: pd.Series, role: str, col: str, name: str) -> None:
    missing = values.isna()
    if missing.any():
        first = values.index[int(np.flatnonzero(missing.to_numpy())[0])]
        raise ValueError(
            f"{name}: {int(missing.sum())} row(s) have no {role} (column {col!r}), the "
            f"first at row {first!r}. Drop or fill them first."
        )


def _as_numbers(values: pd.Series, col: str, name: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype="float64")
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna()  # missing values were refused before
    if bad.any():
        raise TypeError(
            f"{name}: the rating column {col!r} must hold numbers, but holds "
            f"{_first_row(values, bad)}. Convert or drop such values first."
        )
    return numbers.to_numpy(dtype="float64")


def _as_times(values: pd.Series, col: str, name: str, unit: str, fmt: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        times = pd.to_datetime(values, utc=True)
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        try:
            times = pd.to_datetime(
                values, unit=cast(Literal["s", "ms", "us", "ns"], unit), utc=True
            )
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            raise ValueError(
                f"{name}: timestamps in column {col!r} (e.g. {values.iloc[0]!r}) are out of "
                f"range as {unit!r} since 1970: pass the right timestamp_unit, e.g. 'ms'."
            ) from None
    else:
        times = pd.to_datetime(values, errors="coerce", utc=True, format=fmt)
        bad = times.isna()  # missing values were refused before
        if bad.any():
            raise ValueError(
                f"{name}: the timestamp column {col!r} holds {_first_row(values, bad)}, "
                f"which is not a date{'' if fmt is None else f' in format {fmt!r}'}. Fix or "
                f"drop it, or pass timestamp_format= (e.g. '%d/%m/%Y %H:%M')."
            )
    return times.dt.tz_localize(None).reset_index(drop=True)


def _deduplicate(
    out: pd.DataFrame, duplicates: str, name: str, roles: dict[str, str]
) -> pd.DataFrame:
    key = ["user", "item"]
    repeated = out.duplicated(key, keep=False)
    if not repeated.any():
        return out
    if duplicates == "error":
        u, i = out.loc[repeated, key].iloc[0]
        count = int(((out["user"] == u) & (out["item"] == i)).sum())
        n_pairs = len(out.loc[repeated, key].drop_duplicates())
        raise ValueError(
            f"{name}: {n_pairs} (user, item) pair(s) occur more than once, e.g. user {u!r} "
            f"and item {i!r} ({count} rows in columns {roles['user']!r}, {roles['item']!r}). "
            f"Every model here holds one value per pair: pass duplicates='sum' (add the "
            f"ratings up, keep the latest time) or duplicates='last' (keep the latest "
            f"event), or aggregate them yourself."
        )
    if duplicates == "last":
        order = out.sort_values("timestamp", kind="stable") if "timestamp" in out else out
        return order.drop_duplicates(key, keep="last").sort_index().reset_index(drop=True)
    how = {"rating": "sum", "timestamp": "max"}
    agg = {col: how[col] for col in out.columns if col in how}
    if not agg:  # ids only: one row per pair
        return out.drop_duplicates(key).reset_index(drop=True)
    return out.groupby(key, sort=False, as_index=False).agg(agg)
