"""Business metrics from logs: click-through and conversion rates.

CTR = clicks / impressions; conversion = purchases / clicks (or / impressions).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def _rate(
    log: pd.DataFrame, num: str, den: str | None, by: Sequence[str] | str | None
) -> float | pd.DataFrame:
    needed = [num] + ([den] if den else [])
    missing = [c for c in needed if c not in log.columns]
    if missing:
        raise ValueError(f"the log needs column(s) {missing}; it has {list(log.columns)}.")
    for c in needed:
        values = log[c]
        if values.isna().any() or not values.isin([0, 1, True, False]).all():
            raise ValueError(f"column {c!r} must hold 0/1 (or booleans) for every row.")
    rows = log if den is None else log[log[den].astype(bool)]
    if by is None:
        if len(rows) == 0:
            raise ValueError("zero traffic: no rows to compute a rate from.")
        return float(rows[num].astype(float).mean())
    keys = [by] if isinstance(by, str) else list(by)
    table = (
        rows.groupby(keys)[num].agg(["size", "sum"]).rename(columns={"size": "n", "sum": "hits"})
    )
    table["rate"] = table["hits"] / table["n"]
    return table.reset_index()


def ctr(log: pd.DataFrame, by: Sequence[str] | str | None = None) -> float | pd.DataFrame:
    """Click-through rate from an impression log with a 0/1 ``clicked`` column.

    With ``by`` (column names), one row per group: ``n`` impressions, ``hits`` clicks, ``rate``.

    >>> ctr(pd.DataFrame({"clicked": [1, 0, 0, 1]}))
    0.5
    """
    return _rate(log, "clicked", None, by)


def conversion(
    log: pd.DataFrame, by: Sequence[str] | str | None = None, per: str = "click"
) -> float | pd.DataFrame:
    """Conversion rate: ``purchased`` per click (``per="click"``) or per impression.

    >>> log = pd.DataFrame({"clicked": [1, 1, 0, 0], "purchased": [1, 0, 0, 0]})
    >>> conversion(log), conversion(log, per="impression")
    (0.5, 0.25)
    """
    if per not in ("click", "impression"):
        raise ValueError(f"per must be 'click' or 'impression', got {per!r}.")
    if per == "click" and "clicked" in log and "purchased" in log:
        bad = log["purchased"].astype(bool) & ~log["clicked"].astype(bool)
        if bad.any():
            raise ValueError(f"{int(bad.sum())} purchase(s) without a click; fix the log.")
    return _rate(log, "purchased", "clicked" if per == "click" else None, by)
