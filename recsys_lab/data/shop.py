r"""A seeded synthetic shop whose true latent factors are kept.

:func:`make_marketing` draws users (segment, region), items (category, price) and a
year of views, clicks and purchases from known latent factors, so any estimate can be
compared with the truth (:func:`true_favourites`); :func:`shop_latent` draws the factors
alone, at any scale (the Spark notebook). :func:`save_marketing` / :func:`load_marketing`
write and read the shipped copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int
from recsys_lab.data.shipped import DATA_DIR

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
