"""The small tables shipped inside the package: the sales matrix and the toy offer log.

* :func:`load_sales` — the salesperson × client bookings of the first article, and
  :func:`sales_ratings` the same as a ``user, item, rating`` frame;
* :func:`load_sales_provenance` — which cells the article states and which were
  reconstructed;
* :func:`load_offers` — the toy offer-response log of the second source.

The CSV files live in ``recsys_lab/data/`` (read with :mod:`importlib.resources`, so an
installed wheel finds them) unless ``RECSYS_LAB_DATA`` names another folder.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

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
