"""The data: shipped tables, the synthetic shop, MovieLens, your own events, and splits.

This package is also the short path ``recsys_lab.datasets``:

* :func:`load_sales` — the salesperson × client bookings of the first article
  (:mod:`.shipped`, with :func:`sales_ratings` and :func:`load_sales_provenance`);
* :func:`load_offers` — the toy offer-response log of the second source;
* :func:`make_marketing` / :func:`load_marketing` — a seeded synthetic shop whose
  true latent factors are kept, so estimates can be compared with the truth (:mod:`.shop`);
* :func:`load_movielens` — MovieLens as tidy frames (ratings, items, users): from
  GroupLens's zip or folder, else (ML-100k) RecBole 1.2.1's copy, downloaded only when
  asked (:mod:`.movielens`);
* :func:`load_interactions` — your own events (CSV, Parquet or a DataFrame) as the
  ``user, item[, rating][, timestamp]`` frame every model and split here takes
  (:mod:`.interactions`);
* :mod:`.splits` — train/test splits (re-exported by ``recsys_lab.model_selection``).

>>> from recsys_lab import datasets
>>> datasets.load_sales().shape
(6, 4)
"""

from recsys_lab.data.interactions import load_interactions
from recsys_lab.data.movielens import MovieLens, load_movielens
from recsys_lab.data.shipped import (
    DATA_DIR,
    load_offers,
    load_sales,
    load_sales_provenance,
    sales_ratings,
)
from recsys_lab.data.shop import (
    CATEGORIES,
    REGIONS,
    SEGMENTS,
    MarketingData,
    ShopLatent,
    load_marketing,
    make_marketing,
    save_marketing,
    shop_latent,
    true_favourites,
)

__all__ = [
    "CATEGORIES",
    "DATA_DIR",
    "REGIONS",
    "SEGMENTS",
    "MarketingData",
    "MovieLens",
    "ShopLatent",
    "load_interactions",
    "load_marketing",
    "load_movielens",
    "load_offers",
    "load_sales",
    "load_sales_provenance",
    "make_marketing",
    "sales_ratings",
    "save_marketing",
    "shop_latent",
    "true_favourites",
]
