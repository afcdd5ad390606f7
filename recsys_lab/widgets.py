"""Interactive explorers for the notebooks (ipywidgets).

Each explorer is a thin view over a tested function: the numbers it shows come
from :mod:`recsys_lab.neighbors`, so what a learner sees when moving a slider is
exactly what the tests check.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from recsys_lab import neighbors, voting
from recsys_lab._validation import check_matrix
from recsys_lab.distances import METRICS

if TYPE_CHECKING:  # pragma: no cover
    from recsys_lab.offers import OfferWorld


def _money(x: float) -> str:
    return f"${x:,.0f}"


def prediction_explorer(
    R: pd.DataFrame,
    user: str | None = None,
    item: str | None = None,
    k: int = 2,
    metric: str = "sum_abs",
    weighting: str = "equal",
) -> widgets.VBox:
    """Choose a salesperson, a client, N, the distance (and p) and the weighting; see the vote.

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
        options=[m for m in METRICS if m != "supremum"], value=metric, description="Distance"
    )
    pick_p = widgets.FloatSlider(
        value=3.0, min=0.5, max=8.0, step=0.5, description="p", disabled=metric != "minkowski"
    )
    pick_weighting = widgets.Dropdown(
        options=["equal", "rank", "inverse_distance"], value=weighting, description="Weights"
    )
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()

    def update(_: object = None) -> None:
        u, i = pick_user.value, pick_item.value
        pick_p.disabled = pick_metric.value != "minkowski"
        try:
            nb = neighbors.explain(
                M,
                u,
                i,
                k=pick_k.value,
                metric=pick_metric.value,
                weighting=pick_weighting.value,
                p=None if pick_p.disabled else pick_p.value,
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


def recommendation_explorer(
    ratings: pd.DataFrame, user: object, k: int = 20, n: int = 5, **params: Any
) -> widgets.VBox:
    """Refit a :class:`~recsys_lab.neighbors.KNNRecommender` as you move k and the weighting.

    Shows ``user``'s top-``n`` list and why the first item was chosen. The headline
    (CSS class ``rl-prediction``) reads e.g. ``Top pick for user 7: item 12 (score 4.61)``.
    """
    from recsys_lab.neighbors import KNNRecommender  # the package's only heavy import

    pick_k = widgets.IntSlider(value=k, min=1, max=80, description="k")
    pick_weighting = widgets.Dropdown(
        options=["similarity", "equal", "rank"],
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
        model = KNNRecommender(
            k=pick_k.value,
            weighting=pick_weighting.value,
            similarity=pick_similarity.value,
            **params,
        ).fit(ratings)
        recs = model.recommend(users=[user], n=n)
        best = recs.iloc[0]
        result.value = (
            f"<b>Top pick for user {html.escape(str(user))}: item {html.escape(str(best['item']))}"
            f" (score {best['score']:.2f})</b>"
        )
        table.value = recs[["rank", "item", "score"]].round(3).to_html(index=False) + (
            f"<p>{html.escape(model.reason(user, best['item']))}</p>"
        )

    for w in (pick_k, pick_weighting, pick_similarity):
        w.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([pick_k, pick_weighting, pick_similarity]), result, table])


def tradeoff_explorer(
    candidates: pd.DataFrame,
    item_features: pd.DataFrame,
    truth: pd.DataFrame,
    lam: float = 1.0,
    n: int = 10,
    user: object | None = None,
) -> widgets.VBox:
    """Slide MMR's λ and watch precision@n and intra-list diversity move.

    The headline (CSS class ``rl-prediction``) reads e.g.
    ``λ = 0.50: precision@10 0.035, diversity 0.912``; below it, one user's list.
    """
    from recsys_lab import metrics
    from recsys_lab.rerank import mmr

    pick = widgets.FloatSlider(value=lam, min=0.0, max=1.0, step=0.1, description="λ")
    result = widgets.HTML()
    result.add_class("rl-prediction")
    table = widgets.HTML()
    shown = candidates["user"].iloc[0] if user is None else user

    def update(_: object = None) -> None:
        lists = mmr(candidates, item_features, lam=pick.value, n=n)
        precision = metrics.precision_at_k(lists, truth, k=n)
        diversity = metrics.intra_list_diversity(lists, item_features, k=n)
        result.value = (
            f"<b>λ = {pick.value:.2f}: precision@{n} {precision:.3f}, diversity {diversity:.3f}</b>"
        )
        mine = lists[lists["user"] == shown][["rank", "item", "score"]]
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
    from recsys_lab import metrics
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
    from recsys_lab.bandits import SeedServing, simulate

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


def offer_serving_explorer(
    world: OfferWorld, collapse_day: int = 10, n_days: int = 20
) -> widgets.VBox:
    """Move the retraining interval and the exploration share; an offer collapses mid-way.

    The most-served offer of a first run collapses on ``collapse_day``. The headline (CSS
    class ``rl-prediction``) reads e.g. ``retrain every 7 days, explore 10 %: CTR 0.201
    (best possible 0.247); collapsed offer still gets 45 % of traffic in the 3 days after``.
    """
    from recsys_lab.offers import simulate_serving

    every = widgets.IntSlider(value=7, min=1, max=10, description="retrain every")
    explore = widgets.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05, description="explore")
    result = widgets.HTML()
    result.add_class("rl-prediction")
    first = simulate_serving(
        world,
        n_days=collapse_day,
        requests_per_day=500,
        first_model_day=3,
        retrain_every=3,
        window_days=7,
    )
    victim = first.filter(like="share_").iloc[-3:].mean().idxmax().removeprefix("share_")

    def update(_: object = None) -> None:
        log = simulate_serving(
            world,
            n_days=n_days,
            requests_per_day=500,
            first_model_day=3,
            retrain_every=every.value,
            explore=explore.value,
            collapse=(victim, collapse_day),
            window_days=7,
        )
        after = log[(log["day"] >= collapse_day) & (log["day"] < collapse_day + 3)]
        result.value = (
            f"<b>retrain every {every.value} days, explore {explore.value:.0%}: CTR "
            f"{log['ctr'].mean():.3f} (best possible {log['best_ctr'].mean():.3f}); "
            f"collapsed {victim} still gets {after[f'share_{victim}'].mean():.0%} of traffic "
            f"in the 3 days after</b>"
        )

    for w in (every, explore):
        w.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([every, explore]), result])
