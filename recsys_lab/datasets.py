"""The data the suite ships and the synthetic shop it generates.

* :func:`load_sales` — the salesperson × client bookings of the first article.
* :func:`load_offers` — the toy offer-response log of the second source.
* :func:`make_marketing` / :func:`load_marketing` — a seeded synthetic shop whose
  true latent factors are kept, so estimates can be compared with the truth.
* :func:`load_movielens` — MovieLens as tidy frames (ratings, items, users): from
  GroupLens's zip or folder, else (ML-100k) RecBole 1.2.1's copy, downloaded only when
  asked. See :mod:`recsys_lab.movielens`.
* :func:`load_interactions` — your own events (CSV, Parquet or a DataFrame) as the
  ``user, item[, rating][, timestamp]`` frame every model and split here takes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from recsys_lab._validation import check_choice, check_positive_int
from recsys_lab.movielens import MovieLens, load_movielens

__all__ = [
    "DATA_DIR",
    "MarketingData",
    "MovieLens",
    "load_interactions",
    "load_marketing",
    "load_movielens",
    "load_offers",
    "load_sales",
    "load_sales_provenance",
    "make_marketing",
    "sales_ratings",
    "save_marketing",
    "true_favourites",
]

DATA_DIR = Path(os.environ.get("RECSYS_LAB_DATA", str(files("recsys_lab").joinpath("data"))))
"""Where the shipped CSV files live: the package's own ``recsys_lab/data/`` (installed
with the wheel, found with :mod:`importlib.resources`), or the folder named by the
``RECSYS_LAB_DATA`` environment variable."""


def _read(name: str, **kwargs: Any) -> pd.DataFrame:
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing. Reinstall recsys-lab (its wheel ships the data), or point "
            f"RECSYS_LAB_DATA at a folder holding the shipped CSV files."
        )
    return pd.read_csv(path, **kwargs)


def load_sales() -> pd.DataFrame:
    """The article's sales matrix: bookings in dollars, NaN = no bookings.

    Six salespeople (rows) × four clients (columns). The article fixes
    Alyssa's row, Brandon's row and Mike's Staples booking; the other cells
    are reconstructed so that every sentence of the article holds (see
    :func:`load_sales_provenance` and the data README).

    Returns
    -------
    DataFrame
        Index ``salesperson``, columns ``Google, Capgemini, ExxonMobil, Staples``.

    Examples
    --------
    >>> load_sales().loc["Alyssa"].tolist()
    [500000.0, 400000.0, 400000.0, nan]
    """
    return _read("sales.csv", index_col="salesperson").astype(float)


def sales_ratings(unit: float = 100_000) -> pd.DataFrame:
    """The known bookings as a long table ``user, item, rating`` in units of ``unit`` dollars.

    The shape every recommender in this package (and Surprise) learns from.

    >>> sales_ratings().head(2).values.tolist()
    [['Alyssa', 'Google', 5.0], ['Alyssa', 'Capgemini', 4.0]]
    """
    if not unit > 0:
        raise ValueError(f"unit must be > 0, got {unit}.")
    long = load_sales().stack().dropna().rename("rating").reset_index()
    long.columns = ["user", "item", "rating"]
    return long.assign(rating=long["rating"] / unit)


def load_sales_provenance() -> pd.DataFrame:
    """Where each cell of :func:`load_sales` comes from.

    ``article`` (stated by the article, including "no data"), ``constrained``
    (forced by the article's numbers, e.g. Mike's distance 0 to Alyssa) or
    ``reconstructed`` (chosen here to agree with every sentence).

    >>> load_sales_provenance().loc["Mike", "Staples"]
    'article'
    """
    return _read("sales_provenance.csv", index_col="salesperson")


def load_offers() -> pd.DataFrame:
    """The second source's toy log: which offer was shown, two features, the response.

    For ``offer_1`` the response is mostly 1 when ``feature_1 == feature_2``;
    for ``offer_2`` it is mostly 1 when ``feature_1 == 0`` and ``feature_2 == 1``.
    The row flagged ``red_box`` is the article's example: ``offer_1`` shown at
    (0, 1) with response 0, where ``offer_2`` would have been the better choice.

    Returns
    -------
    DataFrame
        Columns ``offer, feature_1, feature_2, response, red_box``.

    Examples
    --------
    >>> red = load_offers().query("red_box")
    >>> red[["offer", "feature_1", "feature_2", "response"]].values.tolist()
    [['offer_1', 0, 1, 0]]
    """
    return _read("offers.csv", dtype={"red_box": bool})


# --------------------------------------------------------------------------- shop

SEGMENTS = ("value", "premium", "family", "outdoor", "trend")
REGIONS = ("north", "south", "east", "west")
CATEGORIES = ("electronics", "home", "garden", "fashion", "sports", "toys", "books", "beauty")
_START = np.datetime64("2025-01-01T00:00:00", "s")
_DAYS = 180


@dataclass(frozen=True)
class MarketingData:
    """The synthetic shop: observed tables plus the truth that generated them.

    Attributes
    ----------
    users : DataFrame
        ``user, segment, region, signup``.
    items : DataFrame
        ``item, category, brand, price, released``.
    ratings : DataFrame
        ``user, item, rating, timestamp`` — explicit 1–5 stars, one per pair.
    impressions : DataFrame
        ``user, item, timestamp, clicked`` — items shown to users (chosen by
        popularity) and whether they were clicked.
    user_factors, item_factors : DataFrame
        The true latent factors ``f1 … fd`` and ``bias`` per user / item.
    params : dict
        The arguments and the global mean that produced the data.
    """

    users: pd.DataFrame
    items: pd.DataFrame
    ratings: pd.DataFrame
    impressions: pd.DataFrame
    user_factors: pd.DataFrame
    item_factors: pd.DataFrame
    params: dict = field(default_factory=dict)

    TABLES = ("users", "items", "ratings", "impressions", "user_factors", "item_factors")


@dataclass
class ShopLatent:
    """The per-user and per-item part of the shop's generative story.

    Steps 1–2 of :func:`make_marketing`, and the generator positioned to continue it.
    """

    P: np.ndarray
    Q: np.ndarray
    b_user: np.ndarray
    b_item: np.ndarray
    popularity: np.ndarray
    n_rated: np.ndarray
    item_cat: np.ndarray
    user_seg: np.ndarray
    n_cat: int
    d: int
    rng: np.random.Generator
    global_mean: float = 2.8


def shop_latent(
    n_users: int, n_items: int, n_factors: int, mean_ratings: float, seed: int
) -> ShopLatent:
    """Draw the shop's factors, biases, popularity and activity.

    Shared with :func:`recsys_lab.spark.make_marketing`, which samples the ratings in Spark.
    """
    n_users = check_positive_int(n_users, "n_users", minimum=2)
    n_items = check_positive_int(n_items, "n_items", minimum=2)
    d = check_positive_int(n_factors, "n_factors")
    if not np.isfinite(mean_ratings) or not 1 <= mean_ratings <= n_items:
        raise ValueError(f"mean_ratings must be between 1 and n_items ({n_items}).")
    rng = np.random.default_rng(seed)
    scale = d**-0.25

    # 1. who is who
    n_cat = min(len(CATEGORIES), max(2, n_items // 10))
    item_cat = rng.integers(n_cat, size=n_items)
    user_seg = rng.integers(len(SEGMENTS), size=n_users)
    cat_centres = rng.standard_normal((n_cat, d))
    seg_centres = rng.standard_normal((len(SEGMENTS), d))
    Q = scale * (cat_centres[item_cat] + 0.6 * rng.standard_normal((n_items, d)))
    P = scale * (seg_centres[user_seg] + 0.6 * rng.standard_normal((n_users, d)))

    # 2. popularity, biases, activity
    popularity = 1.0 / np.arange(1, n_items + 1) ** 1.1
    popularity = popularity[rng.permutation(n_items)]
    popularity /= popularity.sum()
    b_item = 0.3 * rng.standard_normal(n_items)
    b_user = 0.3 * rng.standard_normal(n_users)
    sigma = 0.9
    activity = rng.lognormal(np.log(mean_ratings) - sigma**2 / 2, sigma, n_users)
    n_rated = np.clip(np.round(activity), 1, n_items // 2).astype(int)
    return ShopLatent(P, Q, b_user, b_item, popularity, n_rated, item_cat, user_seg, n_cat, d, rng)


def make_marketing(
    n_users: int = 600,
    n_items: int = 300,
    n_factors: int = 6,
    mean_ratings: float = 25.0,
    seed: int = 42,
) -> MarketingData:
    r"""Generate the seeded synthetic shop.

    The generative story, in order:

    1. Each item belongs to a category; its factors are the category's centre
       plus noise, :math:`q_i = c_{cat(i)} + 0.6\,\varepsilon`. Each user belongs
       to a segment; :math:`p_u = s_{seg(u)} + 0.6\,\varepsilon`. Centres and
       noise are standard normal, scaled by :math:`1/\sqrt[4]{d}` so that
       :math:`p_u^\top q_i` has a spread of about 1.
    2. Items have a long-tail popularity :math:`\pi_i \propto 1/\text{rank}^{1.1}`
       and biases :math:`b_i \sim N(0, 0.3^2)`; users have biases
       :math:`b_u \sim N(0, 0.3^2)` and an activity drawn from a log-normal
       with mean ``mean_ratings`` (many users know a handful of items).
    3. Exposure is *not* missing at random: user :math:`u` rates item :math:`i`
       with probability proportional to
       :math:`\pi_i \exp(0.6\,(p_u^\top q_i + b_i))` (Gumbel top-k sampling).
    4. The rating is :math:`\mathrm{clip}(\mathrm{round}(2.8 + b_u + b_i + p_u^\top q_i +
       \eta), 1, 5)` with :math:`\eta \sim N(0, 0.5^2)`.
    5. Impressions: twice as many items as ratings are shown to each user by
       popularity alone; a click happens with probability
       :math:`\sigma(-2.2 + p_u^\top q_i + b_i)`.

    Parameters
    ----------
    n_users, n_items : int
        Size of the shop.
    n_factors : int
        Latent dimension :math:`d`.
    mean_ratings : float
        Average number of ratings per user.
    seed : int
        Seed of the one random generator used; same seed, same data.

    Returns
    -------
    MarketingData

    Examples
    --------
    >>> shop = make_marketing(n_users=50, n_items=40, seed=0)
    >>> shop.ratings["rating"].between(1, 5).all()
    np.True_
    """
    latent = shop_latent(n_users, n_items, n_factors, mean_ratings, seed)
    rng = latent.rng
    P, Q, b_item, b_user = latent.P, latent.Q, latent.b_item, latent.b_user
    popularity, n_rated = latent.popularity, latent.n_rated
    item_cat, user_seg, n_cat, d = latent.item_cat, latent.user_seg, latent.n_cat, latent.d

    # 3. not-missing-at-random exposure by Gumbel top-k
    affinity = P @ Q.T + b_item
    keys = np.log(popularity) + 0.6 * affinity + rng.gumbel(size=(n_users, n_items))
    order = np.argsort(-keys, axis=1, kind="stable")
    take = np.arange(n_items) < n_rated[:, None]
    rows, pos = np.nonzero(take)
    cols = order[rows, pos]

    # 4. ratings with timestamps after each user's signup
    mu = latent.global_mean
    raw = mu + b_user[rows] + affinity[rows, cols] + 0.5 * rng.standard_normal(rows.size)
    stars = np.clip(np.round(raw), 1, 5).astype(int)
    signup = rng.integers(0, 120 * 86400, size=n_users)
    released = np.where(rng.random(n_items) < 0.15, rng.integers(0, _DAYS * 86400, n_items), 0)
    start = np.maximum(signup[rows], released[cols])
    when = start + (rng.random(rows.size) * (_DAYS * 86400 - start)).astype(np.int64)

    # 5. impressions by popularity, clicks by affinity
    n_shown = 2 * n_rated
    imp_user = np.repeat(np.arange(n_users), n_shown)
    imp_item = rng.choice(n_items, size=imp_user.size, p=popularity)
    p_click = 1.0 / (1.0 + np.exp(2.2 - affinity[imp_user, imp_item]))
    clicked = (rng.random(imp_user.size) < p_click).astype(int)
    imp_when = signup[imp_user] + (
        rng.random(imp_user.size) * (_DAYS * 86400 - signup[imp_user])
    ).astype(np.int64)

    user_ids = np.arange(1, n_users + 1)
    item_ids = np.arange(1, n_items + 1)
    to_time = lambda s: _START + s.astype("timedelta64[s]")  # noqa: E731
    users = pd.DataFrame(
        {
            "user": user_ids,
            "segment": np.array(SEGMENTS)[user_seg],
            "region": np.array(REGIONS)[rng.integers(len(REGIONS), size=n_users)],
            "signup": to_time(signup),
        }
    )
    base_price = np.exp(rng.normal(3.0, 0.8, n_cat))
    items = pd.DataFrame(
        {
            "item": item_ids,
            "category": np.array(CATEGORIES)[item_cat],
            "brand": [
                f"{CATEGORIES[c][:3].upper()}-{b}"
                for c, b in zip(item_cat, rng.integers(1, 4, n_items), strict=True)
            ],
            "price": np.round(base_price[item_cat] * rng.lognormal(0.0, 0.4, n_items), 2),
            "released": to_time(released),
        }
    )
    ratings = (
        pd.DataFrame(
            {
                "user": user_ids[rows],
                "item": item_ids[cols],
                "rating": stars,
                "timestamp": to_time(when),
            }
        )
        .sort_values(["timestamp", "user", "item"], kind="stable")
        .reset_index(drop=True)
    )
    impressions = (
        pd.DataFrame(
            {
                "user": user_ids[imp_user],
                "item": item_ids[imp_item],
                "timestamp": to_time(imp_when),
                "clicked": clicked,
            }
        )
        .sort_values(["timestamp", "user", "item"], kind="stable")
        .reset_index(drop=True)
    )
    names = [f"f{j}" for j in range(1, d + 1)]
    user_factors = pd.DataFrame(P, columns=names).assign(bias=b_user)
    user_factors.insert(0, "user", user_ids)
    item_factors = pd.DataFrame(Q, columns=names).assign(bias=b_item)
    item_factors.insert(0, "item", item_ids)
    params = {
        "n_users": n_users,
        "n_items": n_items,
        "n_factors": d,
        "mean_ratings": float(mean_ratings),
        "seed": seed,
        "global_mean": mu,
    }
    return MarketingData(users, items, ratings, impressions, user_factors, item_factors, params)


def true_favourites(data: MarketingData, n: int = 10) -> pd.DataFrame:
    r"""Each user's ``n`` items of highest true affinity :math:`p_u^\top q_i + b_i`.

    What a user would like most if shown everything — known only because the data are
    synthetic, and free of the exposure bias of observed ratings.

    >>> fav = true_favourites(make_marketing(n_users=20, n_items=30, mean_ratings=5), n=3)
    >>> fav.groupby("user").size().unique().tolist()
    [3]
    """
    n = check_positive_int(n, "n")
    cols = [c for c in data.user_factors.columns if c.startswith("f")]
    P = data.user_factors[cols].to_numpy()
    Q = data.item_factors[cols].to_numpy()
    affinity = P @ Q.T + data.item_factors["bias"].to_numpy()
    top = np.argsort(-affinity, axis=1, kind="stable")[:, :n]
    return pd.DataFrame(
        {
            "user": np.repeat(data.user_factors["user"].to_numpy(), n),
            "item": data.item_factors["item"].to_numpy()[top.ravel()],
            "rank": np.tile(np.arange(1, n + 1), len(P)),
        }
    )


_DATES = {
    "users": ["signup"],
    "items": ["released"],
    "ratings": ["timestamp"],
    "impressions": ["timestamp"],
}


def save_marketing(data: MarketingData, path: str | Path) -> Path:
    """Write every table of ``data`` as CSV (plus ``params.json``) into folder ``path``."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for name in MarketingData.TABLES:
        getattr(data, name).to_csv(folder / f"{name}.csv", index=False)
    (folder / "params.json").write_text(json.dumps(data.params, indent=2, sort_keys=True) + "\n")
    return folder


def load_marketing(path: str | Path | None = None) -> MarketingData:
    """Read a shop written by :func:`save_marketing` (default: the shipped one).

    The shipped shop is ``make_marketing()`` with its defaults; a test checks
    that regenerating it gives identical tables.

    >>> load_marketing().params["seed"]
    42
    """
    folder = DATA_DIR / "marketing" if path is None else Path(path)
    if not (folder / "params.json").exists():
        raise FileNotFoundError(
            f"No synthetic shop in {folder}: expected params.json and "
            f"{', '.join(MarketingData.TABLES)} as CSV. Create one with "
            f"save_marketing(make_marketing(), {str(folder)!r})."
        )
    tables = {}
    for name in MarketingData.TABLES:
        df = pd.read_csv(folder / f"{name}.csv")
        for col in _DATES.get(name, []):
            df[col] = pd.to_datetime(df[col]).astype("datetime64[s]")
        tables[name] = df
    params = json.loads((folder / "params.json").read_text())
    return MarketingData(**tables, params=params)


# --------------------------------------------------------------------------- your own data

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
        :func:`load_movielens`.
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
