"""Interactive explorers for the notebooks (ipywidgets).

Each explorer is a thin view over a tested function: the numbers it shows come
from :mod:`recsys_lab.teaching.neighbors`, so what a learner sees when moving a slider is
exactly what the tests check.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from recsys_lab._validation import check_matrix
from recsys_lab.teaching import neighbors, voting
from recsys_lab.teaching.distances import check_metric
from recsys_lab.teaching.explanations import because

if TYPE_CHECKING:  # pragma: no cover
    from recsys_lab.simulation import OfferWorld


def _money(x: float) -> str:
    return f"${x:,.0f}"


_METRIC_OPTIONS = [
    ("sum_abs (Manhattan, L1)", "sum_abs"),
    ("mean_abs (L1 / overlap)", "mean_abs"),
    ("euclidean (L2)", "euclidean"),
    ("chebyshev (supremum, L∞)", "chebyshev"),
    ("minkowski (choose p)", "minkowski"),
]


def _prediction_view(
    M: pd.DataFrame, user: str, item: str, k: int, metric: str, weighting: str, p: float | None
) -> tuple[str, pd.DataFrame | None]:
    """The headline and the neighbour table for one setting (no table if nobody votes)."""
    try:
        nb = neighbors.explain(M, user, item, k=k, metric=metric, weighting=weighting, p=p)
    except ValueError as err:
        return str(err), None
    value = voting.weighted_vote(nb["value"], nb["weight"])
    known = float(M.to_numpy()[M.index.get_loc(user), M.columns.get_loc(item)])
    note = "" if np.isnan(known) else f" (actual: {_money(known)})"
    shown = nb.assign(
        distance=nb["distance"].map(_money),
        value=nb["value"].map(_money),
        weight=nb["weight"].map("{:.3f}".format),
        share=nb["share"].map("{:.0%}".format),
    )[["rank", "neighbour", "distance", "value", "weight", "share"]]
    return f"Prediction for {user} × {item}: {_money(value)}{note}", shown


def prediction_summary(
    R: pd.DataFrame,
    user: str,
    item: str,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
    p: float = 3.0,
) -> str:
    """What :func:`prediction_explorer` shows for these settings, as plain text.

    For readers of a static copy of a notebook (a web page, GitHub), where the
    live explorer cannot run: print it beside the explorer's cell.

    >>> from recsys_lab.data import load_sales
    >>> print(prediction_summary(load_sales(), "Alyssa", "Staples"))
    Prediction for Alyssa × Staples: $400,000 (N = 2, sum_abs, equal weights)
    1. Mike: distance $0, booked $500,000, weight 1.000, share 50%
    2. Brandon: distance $200,000, booked $300,000, weight 1.000, share 50%
    """
    M = check_matrix(R)
    metric = check_metric(metric, p if metric == "minkowski" else None)[0]
    setting = f"p = {p:g}" if metric == "minkowski" else metric
    headline, table = _prediction_view(
        M, user, item, k, metric, weighting, p if metric == "minkowski" else None
    )
    lines = [f"{headline} (N = {k}, {setting}, {weighting} weights)"]
    if table is not None:
        lines += [
            f"{r.rank}. {r.neighbour}: distance {r.distance}, booked {r.value}, "
            f"weight {r.weight}, share {r.share}"
            for r in table.itertuples()
        ]
    return "\n".join(lines)


def prediction_explorer(
    R: pd.DataFrame,
    user: str | None = None,
    item: str | None = None,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
    p: float = 3.0,
) -> widgets.VBox:
    """Choose a salesperson, a client, N, the distance (and p) and the weighting; see the vote.

    The result line (CSS class ``rl-prediction``) reads e.g.
    ``Prediction for Alyssa × Staples: $400,000``, followed by the neighbours,
    their distances, bookings and weights. :func:`prediction_summary` gives the
    same for one setting as text, for static copies of a notebook.

    Examples
    --------
    >>> from recsys_lab.data import load_sales
    >>> box = prediction_explorer(load_sales(), "Alyssa", "Staples")
    >>> box.children[-2].value  # doctest: +ELLIPSIS
    '<b>Prediction for Alyssa × Staples: $400,000</b>'
    """
    M = check_matrix(R)
    users, items = [str(u) for u in M.index], [str(c) for c in M.columns]
    M = M.set_axis(users, axis=0).set_axis(items, axis=1)
    metric = check_metric(metric, p if metric == "minkowski" else None)[0]
    pick_user = widgets.Dropdown(options=users, value=user or users[0], description="Who")
    pick_item = widgets.Dropdown(options=items, value=item or items[-1], description="Client")
    pick_k = widgets.IntSlider(value=k, min=1, max=len(users) - 1, description="N")
    pick_metric = widgets.Dropdown(options=_METRIC_OPTIONS, value=metric, description="Distance")
    pick_p = widgets.FloatSlider(
        value=p, min=0.5, max=8.0, step=0.5, description="p", disabled=metric != "minkowski"
    )
    pick_weighting = widgets.Dropdown(
        options=["equal", "rank", "inverse_distance"], value=weighting, description="Weights"
    )
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()

    def update(_: object = None) -> None:
        pick_p.disabled = pick_metric.value != "minkowski"
        headline, shown = _prediction_view(
            M,
            pick_user.value,
            pick_item.value,
            pick_k.value,
            pick_metric.value,
            pick_weighting.value,
            None if pick_p.disabled else pick_p.value,
        )
        result.value = f"<b>{html.escape(headline)}</b>"
        table.value = "" if shown is None else shown.to_html(index=False)

    for w in (pick_user, pick_item, pick_k, pick_metric, pick_p, pick_weighting):
        w.observe(update, names="value")
    update()
    controls = widgets.HBox(
        [
            widgets.VBox([pick_user, pick_item, pick_k]),
            widgets.VBox([pick_metric, pick_p, pick_weighting]),
        ]
    )
    return widgets.VBox([controls, result, table])


def recommendation_view(
    ratings: pd.DataFrame,
    user: object,
    k: int = 20,
    n: int = 5,
    labels: Mapping[Hashable, str] | pd.Series | None = None,
    noun: str = "item",
    **params: Any,
) -> tuple[pd.DataFrame, str]:
    """What :func:`recommendation_explorer` shows for one setting, as a table and a sentence.

    Fits ``KNNRecommender(k=k, **params)`` on ``ratings``; returns ``user``'s top-``n``
    (``rank, item[, name], score``) and :func:`recsys_lab.teaching.explanations.because` for the
    first item. Print it beside the explorer: a static page cannot run the widget.

    Examples
    --------
    >>> ratings = pd.DataFrame({"user": [1, 1, 2, 2, 3], "item": list("ababa"),
    ...                         "rating": [5.0, 3.0, 4.0, 1.0, 5.0]})
    >>> table, why = recommendation_view(ratings, 3, k=2, n=1, labels={"b": "Brazil (1985)"})
    >>> table.to_dict("list")
    {'rank': [1], 'item': ['b'], 'name': ['Brazil (1985)'], 'score': [2.333]}
    >>> why[:32]
    'Recommended because users with s'
    """
    model = neighbors.KNNRecommender(k=k, **params).fit(ratings)
    recs = model.recommend(users=[user], n=n)
    table = recs[["rank", "item", "score"]].round({"score": 3}).reset_index(drop=True)
    if labels is not None:
        names = pd.Series(labels)
        table.insert(2, "name", [str(names.get(i, i)) for i in table["item"]])
    return table, because(model, user, recs["item"].iloc[0], labels, noun=noun)


def recommendation_explorer(
    ratings: pd.DataFrame,
    user: object,
    k: int = 20,
    n: int = 5,
    labels: Mapping[Hashable, str] | pd.Series | None = None,
    noun: str = "item",
    **params: Any,
) -> widgets.VBox:
    """Refit a :class:`~recsys_lab.models.KNNRecommender` as you move k and the weighting.

    Shows :func:`recommendation_view`: ``user``'s top-``n`` list and why the first item
    was chosen. The headline (CSS class ``rl-prediction``) reads e.g. ``Top pick for
    user 7: item 12 (score 4.61)``, or the item's name from ``labels``. Other
    ``params`` (``user_based``, ``min_k``, ``shrinkage`` …) go to the recommender.
    """
    pick_k = widgets.IntSlider(value=k, min=1, max=80, description="k")
    pick_weighting = widgets.Dropdown(
        options=list(voting.KNN_WEIGHTINGS),
        value=params.pop("weighting", "similarity"),
        description="Weights",
    )
    pick_similarity = widgets.Dropdown(
        options=["msd", "cosine", "pearson"],
        value=params.pop("similarity", "msd"),
        description="Similarity",
    )
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()

    def update(_: object = None) -> None:
        recs, why = recommendation_view(
            ratings,
            user,
            pick_k.value,
            n,
            labels,
            noun,
            weighting=pick_weighting.value,
            similarity=pick_similarity.value,
            **params,
        )
        first = recs["name"].iloc[0] if "name" in recs.columns else f"item {recs['item'].iloc[0]}"
        result.value = (
            f"<b>Top pick for user {html.escape(str(user))}: {html.escape(str(first))}"
            f" (score {recs['score'].iloc[0]:.2f})</b>"
        )
        table.value = recs.to_html(index=False) + f"<p>{html.escape(why)}</p>"

    for w in (pick_k, pick_weighting, pick_similarity):
        w.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([pick_k, pick_weighting, pick_similarity]), result, table])


def tradeoff_state(
    candidates: pd.DataFrame,
    item_features: pd.DataFrame,
    truth: pd.DataFrame,
    lam: float = 1.0,
    n: int = 10,
    user: object | None = None,
    item_labels: Mapping[Hashable, str] | pd.Series | None = None,
) -> tuple[str, pd.DataFrame]:
    """What :func:`tradeoff_explorer` shows for one λ: a headline and one user's list.

    The headline reads e.g. ``λ = 0.50: precision@10 0.035, diversity 0.912``
    (:func:`recsys_lab.models.rerank.mmr` on every user's candidates, then
    :func:`recsys_lab.evaluation.metrics.precision_at_k` and
    :func:`recsys_lab.evaluation.metrics.intra_list_diversity`). The list has ``rank, item,
    score``, ``title`` when ``item_labels`` are given, and ``relevant`` (in ``truth``).
    """
    from recsys_lab.evaluation import metrics
    from recsys_lab.models.rerank import mmr

    lists = mmr(candidates, item_features, lam=lam, n=n)
    precision = metrics.precision_at_k(lists, truth, k=n)
    diversity = metrics.intra_list_diversity(lists, item_features, k=n)
    headline = f"λ = {lam:.2f}: precision@{n} {precision:.3f}, diversity {diversity:.3f}"
    shown = candidates["user"].iloc[0] if user is None else user
    mine = lists.loc[lists["user"] == shown, ["rank", "item", "score"]].reset_index(drop=True)
    if item_labels is not None:
        mine.insert(2, "title", pd.Series(item_labels).reindex(mine["item"]).to_numpy())
    relevant = set(truth.loc[truth["user"] == shown, "item"])
    return headline, mine.assign(relevant=mine["item"].isin(relevant))


def tradeoff_explorer(
    candidates: pd.DataFrame,
    item_features: pd.DataFrame,
    truth: pd.DataFrame,
    lam: float = 1.0,
    n: int = 10,
    user: object | None = None,
    item_labels: Mapping[Hashable, str] | pd.Series | None = None,
) -> widgets.VBox:
    """Slide MMR's λ and watch precision@n and intra-list diversity move.

    The headline (CSS class ``rl-prediction``) and the list below it are
    :func:`tradeoff_state`; :func:`tradeoff_snapshot` draws the same as a static figure.
    """
    pick = widgets.FloatSlider(value=lam, min=0.0, max=1.0, step=0.1, description="λ")
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()
    shown = candidates["user"].iloc[0] if user is None else user

    def update(_: object = None) -> None:
        headline, mine = tradeoff_state(
            candidates, item_features, truth, pick.value, n, shown, item_labels
        )
        result.value = f"<b>{html.escape(headline)}</b>"
        table.value = f"<p>User {html.escape(str(shown))}:</p>" + mine.round(3).to_html(index=False)

    pick.observe(update, names="value")
    update()
    return widgets.VBox([pick, result, table])


MF_DEFAULTS = {"n_factors": 20, "reg_all": 0.02, "n_epochs": 20}
"""The settings :func:`mf_explorer` opens with (and :func:`mf_view` uses by default)."""


def mf_view(
    train: pd.DataFrame,
    test: pd.DataFrame,
    user: Hashable,
    n: int = 5,
    titles: Mapping[Hashable, str] | pd.Series | None = None,
    **params: Any,
) -> tuple[float, pd.DataFrame]:
    """What :func:`mf_explorer` shows for one setting: held-out RMSE and a top-``n`` list.

    Fits :class:`~recsys_lab.models.sgd_mf.SGDMatrixFactorization` on ``train`` with
    :data:`MF_DEFAULTS` updated by ``params`` (``n_factors``, ``reg_all``, ``n_epochs``,
    ``lr_all``, ...), scores every ``test`` pair (unknown ids get the model's fallback)
    and ranks ``user``'s unseen items on the unclipped score. A static copy of the
    explorer's default state, for readers who see the notebook without a kernel.

    Returns
    -------
    rmse : float
    top : DataFrame
        ``rank, item, score`` (and ``title`` when ``titles`` maps items to names).
    """
    from recsys_lab.evaluation import metrics
    from recsys_lab.models.sgd_mf import SGDMatrixFactorization

    model = SGDMatrixFactorization(**{**MF_DEFAULTS, **params}).fit(train)
    rmse = metrics.rmse(test["rating"], model.predict(test["user"], test["item"]))
    top = model.recommend(users=[user], n=n)[["rank", "item", "score"]].reset_index(drop=True)
    if titles is not None:
        top.insert(2, "title", top["item"].map(pd.Series(titles)))
    return rmse, top


def mf_explorer(
    train: pd.DataFrame,
    test: pd.DataFrame,
    user: Hashable,
    n: int = 5,
    titles: Mapping[Hashable, str] | pd.Series | None = None,
) -> widgets.VBox:
    """Refit the SGD factorization on ``train`` as you move n_factors, reg_all and n_epochs.

    The headline (CSS class ``rl-prediction``) reads e.g. ``test RMSE 0.912``; below
    it, ``user``'s top-``n`` list (:func:`mf_view` computes both).
    """
    pick_f = widgets.IntSlider(
        value=MF_DEFAULTS["n_factors"], min=1, max=100, description="n_factors"
    )
    pick_reg = widgets.FloatSlider(
        value=MF_DEFAULTS["reg_all"], min=0.0, max=0.3, step=0.01, description="reg_all"
    )
    pick_epochs = widgets.IntSlider(
        value=MF_DEFAULTS["n_epochs"], min=1, max=100, description="n_epochs"
    )
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()

    def update(_: object = None) -> None:
        rmse, top = mf_view(
            train,
            test,
            user,
            n,
            titles,
            n_factors=pick_f.value,
            reg_all=pick_reg.value,
            n_epochs=pick_epochs.value,
        )
        result.value = f"<b>test RMSE {rmse:.3f}</b>"
        table.value = f"<p>Top {n} for user {html.escape(str(user))}:</p>" + top.round(3).to_html(
            index=False
        )

    for w in (pick_f, pick_reg, pick_epochs):
        w.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([pick_f, pick_reg, pick_epochs]), result, table])


def exploration_explorer(
    ctr: list[float], n_rounds: int = 4000, new_offer_at: int = 1000
) -> widgets.VBox:
    """Slide the exploration share of the 90/10 serving policy; see regret and discovery.

    The last offer in ``ctr`` arrives at round ``new_offer_at``. The headline (CSS class
    ``rl-prediction``) reads e.g. ``explore 10 %: random share 0.10, regret 123.4, new
    offer served 61 % of the last 1,000 rounds``.
    """
    pick = widgets.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05, description="explore")
    result = widgets.HTML()
    result.add_class("rl-prediction")

    def update(_: object = None) -> None:
        result.value = f"<b>{exploration_summary(ctr, pick.value, n_rounds, new_offer_at)}</b>"

    pick.observe(update, names="value")
    update()
    return widgets.VBox([pick, result])


def exploration_summary(
    ctr: list[float], explore: float = 0.1, n_rounds: int = 4000, new_offer_at: int = 1000
) -> str:
    """What :func:`exploration_explorer` shows for one exploration share (its static view).

    One seeded run of ``SeedServing(explore=explore, retrain_every=500, first_model_at=500)``;
    the last offer of ``ctr`` arrives at round ``new_offer_at``.
    """
    from recsys_lab.simulation.bandits import SeedServing, simulate

    new_arm = len(ctr) - 1
    policy = SeedServing(len(ctr), explore=explore, retrain_every=500, first_model_at=500)
    log = simulate(policy, ctr, n_rounds, arrivals={new_arm: new_offer_at}, random_state=0)
    late = log.tail(1000)
    return (
        f"explore {explore:.0%}: random share {log['explored'].mean():.2f}, "
        f"regret {log['regret'].iloc[-1]:.1f}, new offer served "
        f"{(late['arm'] == new_arm).mean():.0%} of the last 1,000 rounds"
    )


def newcomer_explorer(
    strategies: Mapping[str, Callable[[Hashable, pd.DataFrame], list]],
    history: pd.DataFrame,
    user: Hashable,
    n: int = 5,
    labels: pd.Series | None = None,
) -> widgets.VBox:
    """Slide how many of a newcomer's ratings are known; see each strategy's list.

    The headline (CSS class ``rl-prediction``) names the history length; the table
    (:func:`newcomer_lists`) has one column per strategy.
    """
    ordered = history.sort_values("timestamp", kind="stable")
    pick = widgets.IntSlider(value=0, min=0, max=min(20, len(ordered)), description="known")
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()

    def update(_: object = None) -> None:
        result.value = f"<b>user {html.escape(str(user))} with {pick.value} known rating(s)</b>"
        table.value = newcomer_lists(strategies, history, user, pick.value, n, labels).to_html()

    pick.observe(update, names="value")
    update()
    return widgets.VBox([pick, result, table])


def newcomer_lists(
    strategies: Mapping[str, Callable[[Hashable, pd.DataFrame], list]],
    history: pd.DataFrame,
    user: Hashable,
    known: int = 0,
    n: int = 5,
    labels: pd.Series | None = None,
) -> pd.DataFrame:
    """Each strategy's top ``n`` for ``user`` knowing their first ``known`` ratings.

    The static view of :func:`newcomer_explorer`; ``labels`` (item → text, e.g. a
    title with its year) replaces item ids.
    """
    h = history.sort_values("timestamp", kind="stable").head(known)
    lists = {}
    for name, strategy in strategies.items():
        items = strategy(user, h)[:n]
        shown = [labels.get(i, str(i)) for i in items] if labels is not None else list(items)
        lists[name] = shown + [""] * (n - len(shown))
    return pd.DataFrame(lists, index=pd.RangeIndex(1, n + 1, name="rank"))


def _collapse_victim(world: OfferWorld, collapse_day: int) -> str:
    """The most-served offer of a first run: the one that collapses."""
    from recsys_lab.simulation import simulate_serving

    first = simulate_serving(
        world,
        n_days=collapse_day,
        requests_per_day=500,
        first_model_day=3,
        retrain_every=3,
        window_days=7,
    )
    return str(first.filter(like="share_").iloc[-3:].mean().idxmax()).removeprefix("share_")


def offer_serving_summary(
    world: OfferWorld,
    retrain_every: int = 7,
    explore: float = 0.1,
    collapse_day: int = 10,
    n_days: int = 20,
) -> str:
    """What :func:`offer_serving_explorer` shows for one setting, as plain text.

    E.g. ``retrain every 7 days, explore 10 %: CTR 0.201 (best possible 0.247); collapsed
    offer_3 still gets 45 % of traffic in the 3 days after``. Print it beside the
    explorer: a static page cannot run the widget.
    """
    from recsys_lab.simulation import simulate_serving

    victim = _collapse_victim(world, collapse_day)
    log = simulate_serving(
        world,
        n_days=n_days,
        requests_per_day=500,
        first_model_day=3,
        retrain_every=retrain_every,
        explore=explore,
        collapse=(victim, collapse_day),
        window_days=7,
    )
    after = log[(log["day"] >= collapse_day) & (log["day"] < collapse_day + 3)]
    return (
        f"retrain every {retrain_every} days, explore {explore:.0%}: CTR "
        f"{log['ctr'].mean():.3f} (best possible {log['best_ctr'].mean():.3f}); "
        f"collapsed {victim} still gets {after[f'share_{victim}'].mean():.0%} of traffic "
        f"in the 3 days after"
    )


def offer_serving_explorer(
    world: OfferWorld, collapse_day: int = 10, n_days: int = 20
) -> widgets.VBox:
    """Move the retraining interval and the exploration share; an offer collapses mid-way.

    The most-served offer of a first run collapses on ``collapse_day``. The headline (CSS
    class ``rl-prediction``) is :func:`offer_serving_summary` of the sliders' setting.
    """
    every = widgets.IntSlider(value=7, min=1, max=10, description="retrain every")
    explore = widgets.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05, description="explore")
    result = widgets.HTML()
    result.add_class("rl-prediction")

    def update(_: object = None) -> None:
        text = offer_serving_summary(world, every.value, explore.value, collapse_day, n_days)
        result.value = f"<b>{text}</b>"

    for w in (every, explore):
        w.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([every, explore]), result])


def tradeoff_snapshot(
    candidates: pd.DataFrame,
    item_features: pd.DataFrame,
    truth: pd.DataFrame,
    lam: float = 1.0,
    n: int = 10,
    user: object | None = None,
    item_labels: Mapping[Hashable, str] | pd.Series | None = None,
    score_label: str = "model score",
) -> Figure:
    """The explorer's state at ``lam`` as a static figure, for readers without a kernel.

    One bar per film of the user's list (rank 1 on top), its length the model's score,
    labelled with the item's features that are set (e.g. its genres); the headline of
    :func:`tradeoff_state` is the title, and held-out (relevant) films are marked ✓.
    """
    headline, mine = tradeoff_state(candidates, item_features, truth, lam, n, user, item_labels)
    shown_names = mine["title"] if "title" in mine else mine["item"].astype(str)
    names = [
        f"✓ {t}" if hit else str(t) for t, hit in zip(shown_names, mine["relevant"], strict=True)
    ]
    fig, ax = plt.subplots(figsize=(10, 0.38 * max(len(mine), 1) + 1.4))
    ax.barh(range(len(mine)), mine["score"], color="tab:blue")
    ax.set_yticks(range(len(mine)), names)
    ax.invert_yaxis()
    on = item_features.reindex(mine["item"]).to_numpy() > 0
    for row, flags in enumerate(on):
        tags = ", ".join(str(c) for c, f in zip(item_features.columns, flags, strict=True) if f)
        ax.text(
            0.02 * float(mine["score"].max()),
            row,
            tags,
            va="center",
            color="white",
            fontsize="small",
        )
    ax.set_xlim(left=0)
    ax.set_xlabel(score_label)
    shown = candidates["user"].iloc[0] if user is None else user
    ax.set_title(f"{headline}\nuser {shown}'s list (✓ = held-out film)", fontsize="medium")
    fig.tight_layout()
    return fig
