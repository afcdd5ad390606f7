"""Interactive explorers for the notebooks (ipywidgets).

Each explorer is a thin view over a tested function: the numbers it shows come
from :mod:`recsys_lab.neighbors`, so what a learner sees when moving a slider is
exactly what the tests check.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from recsys_lab import neighbors, voting
from recsys_lab._validation import check_matrix
from recsys_lab.distances import METRICS


def _money(x: float) -> str:
    return f"${x:,.0f}"


def prediction_explorer(
    R: pd.DataFrame, user: str | None = None, item: str | None = None, k: int = 2
) -> widgets.VBox:
    """Choose a salesperson, a client, N, the distance and the weighting; see the vote.

    The result line (CSS class ``rl-prediction``) reads e.g.
    ``Prediction for Alyssa × Staples: $400,000``, followed by the neighbours,
    their distances, bookings and weights.

    Examples
    --------
    >>> from recsys_lab.datasets import load_sales
    >>> box = prediction_explorer(load_sales(), "Alyssa", "Staples")
    >>> box.children[-2].value  # doctest: +ELLIPSIS
    '<b>Prediction for Alyssa × Staples: $400,000</b>'
    """
    M = check_matrix(R)
    users, items = [str(u) for u in M.index], [str(c) for c in M.columns]
    M = M.set_axis(users, axis=0).set_axis(items, axis=1)
    pick_user = widgets.Dropdown(options=users, value=user or users[0], description="Who")
    pick_item = widgets.Dropdown(options=items, value=item or items[-1], description="Client")
    pick_k = widgets.IntSlider(value=k, min=1, max=len(users) - 1, description="N")
    pick_metric = widgets.Dropdown(
        options=[m for m in METRICS if m not in ("supremum", "minkowski")],
        value="sum_abs",
        description="Distance",
    )
    pick_weighting = widgets.Dropdown(
        options=["equal", "rank", "inverse_distance"], value="equal", description="Weights"
    )
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()

    def update(_: object = None) -> None:
        u, i = pick_user.value, pick_item.value
        params = {"eps": 1.0} if pick_weighting.value == "inverse_distance" else {}
        try:
            nb = neighbors.explain(
                M,
                u,
                i,
                k=pick_k.value,
                metric=pick_metric.value,
                weighting=pick_weighting.value,
                **params,
            )
        except ValueError as err:
            result.value = f"<b>{html.escape(str(err))}</b>"
            table.value = ""
            return
        value = voting.weighted_vote(nb["value"], nb["weight"])
        known = M.loc[u, i]
        note = "" if pd.isna(known) else f" (actual: {_money(known)})"
        result.value = f"<b>Prediction for {u} × {i}: {_money(value)}</b>{note}"
        shown = nb.assign(
            distance=nb["distance"].map(_money),
            value=nb["value"].map(_money),
            share=nb["share"].map("{:.0%}".format),
        )[["rank", "neighbour", "distance", "value", "weight", "share"]]
        table.value = shown.to_html(index=False, float_format="{:.3f}".format)

    for w in (pick_user, pick_item, pick_k, pick_metric, pick_weighting):
        w.observe(update, names="value")
    update()
    controls = widgets.HBox(
        [widgets.VBox([pick_user, pick_item, pick_k]), widgets.VBox([pick_metric, pick_weighting])]
    )
    return widgets.VBox([controls, result, table])
