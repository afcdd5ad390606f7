"""Any Surprise algorithm behind the common :class:`~recsys_lab.models.base.Recommender` API.

Surprise predicts one pair at a time. :class:`SurpriseRecommender` keeps its exact
predictions (``algo.predict``, clipped to the rating scale, impossible pairs answered by
the global mean and flagged) and ranks all items at once from the learned parameters
where the algorithm has them (SVD, SVD++, NMF, BaselineOnly) — on the *unclipped*
estimate, so that top items are not tied at the top of the scale.

Never call ``surprise.Dataset.load_builtin``: it asks on the terminal and downloads.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from surprise import NMF, SVD, BaselineOnly, Dataset, Reader, SVDpp
from surprise.prediction_algorithms.algo_base import AlgoBase

from recsys_lab.models.base import Interactions, Recommender
from recsys_lab.models.factorization import check_scale


def parameter_scores(algo: AlgoBase, users: np.ndarray) -> np.ndarray | None:
    """Unclipped estimates of every item for inner ``users``, from the learned parameters.

    None when the algorithm has no such closed form (KNN, SlopeOne, …).
    """
    ts = algo.trainset
    mu = ts.global_mean
    if isinstance(algo, SVDpp):
        implicit = np.zeros((len(users), algo.yj.shape[1]))
        for row, u in enumerate(users):
            rated = [j for j, _ in ts.ur[u]]
            implicit[row] = algo.yj[rated].sum(axis=0) / np.sqrt(len(rated))
        dots = (algo.pu[users] + implicit) @ algo.qi.T
        return mu + algo.bu[users][:, None] + algo.bi[None, :] + dots
    if isinstance(algo, SVD | NMF):
        dots = algo.pu[users] @ algo.qi.T
        if not algo.biased:
            return dots
        return mu + algo.bu[users][:, None] + algo.bi[None, :] + dots
    if isinstance(algo, BaselineOnly):
        return mu + algo.bu[users][:, None] + algo.bi[None, :]
    return None


def loop_scores(algo: AlgoBase, users: np.ndarray) -> np.ndarray:
    """Unclipped estimates of every item for inner ``users``, pair by pair; NaN if impossible."""
    from tqdm.auto import tqdm

    ts = algo.trainset
    items = [ts.to_raw_iid(j) for j in range(ts.n_items)]
    est = np.empty((len(users), ts.n_items))
    for row, u in enumerate(tqdm(users, desc=f"{type(algo).__name__} scores", leave=False)):
        raw = ts.to_raw_uid(u)
        for j, item in enumerate(items):
            p = algo.predict(raw, item, clip=False)
            est[row, j] = np.nan if p.details.get("was_impossible", False) else p.est
    return est


class SurpriseRecommender(Recommender):
    """A Surprise algorithm (``SVD()``, ``KNNBasic()``, …) as a recsys-lab recommender.

    Parameters
    ----------
    algo : surprise.AlgoBase, default ``SVD(random_state=0)``
        The algorithm with its parameters; it is copied, never fitted in place.
    rating_scale : (low, high), optional
        Default: the training ratings' range.
    handle_unknown : {"fallback", "error"}, default "fallback"
        Unknown ids and impossible pairs: Surprise's default prediction (the global
        mean), flagged, or a ValueError for unknown ids.

    Attributes
    ----------
    algo_ : surprise.AlgoBase
        The fitted copy; its trainset's inner ids are this model's codes.

    Examples
    --------
    >>> from surprise import BaselineOnly
    >>> ratings = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "a"],
    ...                         "rating": [5.0, 3.0, 4.0]})
    >>> model = SurpriseRecommender(BaselineOnly(verbose=False)).fit(ratings)
    >>> model.recommend(users=[2])["item"].tolist()
    ['b']
    """

    def __init__(
        self,
        algo: AlgoBase | None = None,
        rating_scale: tuple[float, float] | None = None,
        handle_unknown: str = "fallback",
    ) -> None:
        self.algo = algo
        self.rating_scale = rating_scale
        self.handle_unknown = handle_unknown

    def _fit(self, data: Interactions) -> None:
        if self.algo is not None and not isinstance(self.algo, AlgoBase):
            raise TypeError(
                f"algo must be a Surprise algorithm such as surprise.SVD(), got "
                f"{type(self.algo).__name__}."
            )
        self.rating_scale_ = check_scale(data.values, self.rating_scale)
        frame = pd.DataFrame(
            {
                "user": data.users[data.user_codes],
                "item": data.items[data.item_codes],
                "rating": data.values,
            }
        )
        trainset = Dataset.load_from_df(
            frame, Reader(rating_scale=self.rating_scale_)
        ).build_full_trainset()
        self.algo_ = copy.deepcopy(self.algo) if self.algo is not None else SVD(random_state=0)
        self.algo_.fit(trainset)

    def _predict_known(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        predictions = (
            self.algo_.predict(self.users_[a], self.items_[b]) for a, b in zip(u, i, strict=True)
        )
        return np.array(
            [np.nan if p.details.get("was_impossible", False) else p.est for p in predictions]
        )

    def _scores(self, u: np.ndarray) -> np.ndarray:
        scores = parameter_scores(self.algo_, u)
        return loop_scores(self.algo_, u) if scores is None else scores
