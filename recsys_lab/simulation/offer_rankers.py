"""Rankers that choose an offer for a request of the offer world.

:class:`OfferRanker` (scikit-learn underneath): ``"plain"`` logistic regression on
one-hot context + offer (no interactions); ``"crossed"`` the same plus offer × context
crosses and the world's two three-way terms
(:data:`~recsys_lab.simulation.offer_world.WORLD_CROSSES`) — the world's own structure,
so on this world it is the well-specified model; ``"boosting"`` gradient-boosted trees,
which must find interactions themselves. ``fit(log)`` offline, ``rank(contexts)`` online.
:class:`SegmentRule` is the marketer's alternative: the best offer per segment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from recsys_lab._validation import check_choice
from recsys_lab.simulation.offer_world import CONTEXT, WORLD_CROSSES


def _design(
    df: pd.DataFrame, columns: Sequence[str], crosses: Sequence[tuple[str, str]] | None
) -> pd.DataFrame:
    """One-hot features; with ``crosses`` also offer × every column and offer × each pair."""
    parts = [pd.get_dummies(df[list(columns)].astype(str), dtype=float)]
    offer = df["offer"].astype(str)
    parts.append(pd.get_dummies(offer, prefix="offer", dtype=float))
    if crosses is not None:
        for col in columns:
            parts.append(pd.get_dummies(offer + "×" + col + "=" + df[col].astype(str), dtype=float))
        for first, second in crosses:
            pair = df[first].astype(str) + "," + df[second].astype(str)
            parts.append(pd.get_dummies(offer + f"×{first},{second}=" + pair, dtype=float))
    return pd.concat(parts, axis=1)


class OfferRanker:
    """Score (context, offer) pairs by click probability and pick the best offer.

    Parameters
    ----------
    model : {"plain", "crossed", "boosting"}
        ``"plain"``: logistic regression on one-hot context + offer. ``"crossed"``: the
        same plus offer × every context column and offer × each pair in ``crosses``
        (three-way terms). ``"boosting"``: gradient-boosted trees on the plain features,
        which must find interactions themselves.
    context : columns of the log that describe a request
    random_state : int
    crosses : sequence of (column, column), optional
        Pairs crossed with the offer by ``"crossed"``. Default: :data:`WORLD_CROSSES` whose columns
        are in ``context`` — exactly the terms of the click model of
        :class:`~recsys_lab.simulation.offer_world.OfferWorld`, so the crossed model is the world's
        own structure (pass ``()`` for two-way crosses only).

    Examples
    --------
    >>> from recsys_lab.simulation.offer_world import OfferWorld
    >>> log = OfferWorld(n_offers=3, n_segments=4).log(3000)
    >>> ranker = OfferRanker("crossed").fit(log)
    >>> ranker.rank(log.head(2)).shape
    (2, 3)
    """

    MODELS = ("plain", "crossed", "boosting")

    def __init__(
        self,
        model: str = "crossed",
        context: Sequence[str] = CONTEXT,
        random_state: int = 0,
        crosses: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        self.model = model
        self.context = tuple(context)
        self.random_state = random_state
        self.crosses = crosses

    def _crosses(self) -> tuple[tuple[str, str], ...] | None:
        """The pairs crossed with the offer (None for the models without crosses)."""
        if self.model != "crossed":
            return None
        if self.crosses is None:
            return tuple(c for c in WORLD_CROSSES if set(c) <= set(self.context))
        pairs = tuple((str(a), str(b)) for a, b in self.crosses)
        unknown = sorted({c for pair in pairs for c in pair} - set(self.context))
        if unknown:
            raise ValueError(f"crosses name column(s) {unknown} that are not in the context.")
        return pairs

    def _features(self, log: pd.DataFrame) -> pd.DataFrame:
        return _design(log, self.context, self._crosses())

    def fit(self, log: pd.DataFrame) -> OfferRanker:
        """Learn from a log with the context columns, ``offer`` and ``response`` (0/1)."""
        check_choice(self.model, "model", self.MODELS)
        missing = [c for c in (*self.context, "offer", "response") if c not in log.columns]
        if missing:
            raise ValueError(f"the log is missing column(s) {missing}.")
        y = log["response"].to_numpy()
        if not np.isin(y, [0, 1]).all():
            raise ValueError("response must be 0 or 1 for every row.")
        if len(np.unique(y)) < 2:
            raise ValueError("the log needs both clicks and non-clicks to learn from.")
        self.offers_ = tuple(sorted(pd.unique(log["offer"])))
        X = self._features(log)
        self.columns_ = X.columns
        if self.model == "boosting":
            self.estimator_ = HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.1, random_state=self.random_state
            )
            self.estimator_.fit(X.to_numpy(), y)
        else:
            self.estimator_ = LogisticRegression(C=1.0, max_iter=2000)
            self.estimator_.fit(sp.csr_matrix(X.to_numpy()), y)  # one-hot: sparse is faster
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise RuntimeError("This OfferRanker is not fitted yet: call fit(log) first.")

    def _check_contexts(self, contexts: pd.DataFrame) -> None:
        missing = [c for c in self.context if c not in contexts.columns]
        if missing:
            raise ValueError(
                f"contexts lack column(s) {missing}; the model was fitted on {list(self.context)}."
            )

    def _scores(self, contexts: pd.DataFrame, offers: Sequence[str]) -> np.ndarray:
        """Click probabilities, requests × ``offers``, from one design matrix for all offers."""
        self._check_fitted()
        unknown = [o for o in offers if o not in self.offers_]
        if unknown:
            raise ValueError(f"Unknown offer(s) {unknown}: the model knows {list(self.offers_)}.")
        self._check_contexts(contexts)
        stacked = pd.concat([contexts.assign(offer=o) for o in offers], ignore_index=True)
        X = self._features(stacked).reindex(columns=self.columns_, fill_value=0.0).to_numpy()
        p = self.estimator_.predict_proba(X if self.model == "boosting" else sp.csr_matrix(X))
        return p[:, 1].reshape(len(offers), len(contexts)).T

    def predict_proba(self, contexts: pd.DataFrame, offer: str) -> np.ndarray:
        """Estimated click probability of ``offer`` for each request."""
        return self._scores(contexts, [offer])[:, 0]

    def rank(self, contexts: pd.DataFrame, offers: Sequence[str] | None = None) -> pd.DataFrame:
        """Scores of every known offer for every request (requests × offers)."""
        offers = list(self.offers_ if offers is None else offers)
        return pd.DataFrame(self._scores(contexts, offers), index=contexts.index, columns=offers)

    def explain(self, context: pd.Series, offer: str, top: int = 5) -> pd.DataFrame:
        """The largest contributions (coefficient × value) to one logistic score.

        Only for the linear models; returns ``feature, contribution`` sorted by size.
        """
        self._check_fitted()
        if self.model == "boosting":
            raise ValueError("explain() reads linear coefficients; use model='plain' or 'crossed'.")
        row = self._features(context.to_frame().T.assign(offer=offer)).reindex(
            columns=self.columns_, fill_value=0.0
        )
        contrib = row.iloc[0].to_numpy(float) * self.estimator_.coef_[0]
        table = pd.DataFrame({"feature": self.columns_, "contribution": contrib})
        table = table[table["contribution"] != 0]
        return (
            table.reindex(table["contribution"].abs().sort_values(ascending=False).index)
            .head(top)
            .reset_index(drop=True)
        )


class SegmentRule:
    """A marketer's rule: per segment, the offer with the highest click rate in the log.

    Scores are the observed click rates per (``by``, offer) — by default only on the
    requests served at random (``explored``), where every offer had the same chance, so
    the rates are not biased by what an earlier model chose to show. Cells without data
    fall back to the offer's overall rate. Use it like an :class:`OfferRanker`:
    ``rank(contexts)`` gives scores, and :class:`recsys_lab.evaluation.ope.Policy` turns them into a
    policy.

    Parameters
    ----------
    by : str
        The context column the rule personalizes on.
    explored_only : bool
        Learn from the ``explored`` rows only (a log from
        :func:`~recsys_lab.simulation.serving.log_serving`).

    Examples
    --------
    >>> log = pd.DataFrame({"segment": ["a", "a", "b", "b"], "offer": ["x", "y", "x", "y"],
    ...                     "response": [1, 0, 0, 1], "explored": True})
    >>> SegmentRule().fit(log).rank(pd.DataFrame({"segment": ["b", "a"]})).to_numpy().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """

    def __init__(self, by: str = "segment", explored_only: bool = True) -> None:
        self.by = by
        self.explored_only = explored_only

    def fit(self, log: pd.DataFrame) -> SegmentRule:
        """Click rates per (``by``, offer) from a log with ``offer`` and ``response``."""
        needed = [self.by, "offer", "response", *(["explored"] if self.explored_only else [])]
        missing = [c for c in needed if c not in log.columns]
        if missing:
            raise ValueError(
                f"the log is missing column(s) {missing} (explored_only=True needs a log "
                f"from log_serving)."
            )
        rows = log[log["explored"].astype(bool)] if self.explored_only else log
        if rows.empty:
            raise ValueError("the log has no explored rows to learn the rule from.")
        self.offers_ = tuple(sorted(pd.unique(log["offer"])))
        overall = rows.groupby("offer")["response"].mean().reindex(self.offers_)
        rates = rows.groupby([self.by, "offer"])["response"].mean().unstack()
        self.rates_ = rates.reindex(columns=self.offers_).fillna(overall).fillna(0.0)
        self.overall_ = overall.fillna(0.0)
        return self

    def rank(self, contexts: pd.DataFrame, offers: Sequence[str] | None = None) -> pd.DataFrame:
        """Scores (click rates) of every offer for every request (requests × offers)."""
        if not hasattr(self, "rates_"):
            raise RuntimeError("This SegmentRule is not fitted yet: call fit(log) first.")
        if self.by not in contexts.columns:
            raise ValueError(f"contexts lack the column {self.by!r} the rule is based on.")
        offers = list(self.offers_ if offers is None else offers)
        unknown = [o for o in offers if o not in self.offers_]
        if unknown:
            raise ValueError(f"Unknown offer(s) {unknown}: the rule knows {list(self.offers_)}.")
        table = self.rates_.reindex(contexts[self.by].to_numpy()).fillna(self.overall_)
        return pd.DataFrame(table[offers].to_numpy(), index=contexts.index, columns=offers)
