"""Implicit-feedback recommenders against the `implicit` package (0.7) on MovieLens-100k.

Usage (from the repository root):

    .venv/bin/python benchmarks/implicit_vs_implicit.py        # about 30 seconds

Data: ML-100k (`recsys_lab.data.load_movielens`, offline from the RecBole 1.2.1 wheel's
files), every rating a binary interaction, `recsys_lab.evaluation.model_selection.per_user_split`
(seeded, each user's 20 %; every held-out item relevant) — the split of the
implicit-feedback notebook, which recomputes one row of this table live. Every model ranks
all items the user has not seen in training; nDCG@10 with binary gain
(`recsys_lab.evaluation.metrics.ndcg_at_k`).

Settings are the same on both sides (see the models' docstrings for what that takes):
- ALS: 64 factors, reg 0.05, alpha 1, 15 iterations, 3 CG steps. `implicit` reads its
  input as the confidence itself, so it is given 1 + alpha * r (= 2 here).
- BPR: 64 factors, lr 0.01, reg 0.01, 100 epochs. `implicit` draws negatives by
  popularity and skips known ones; ours does so with `negatives="popularity"` and
  draws them uniformly (Rendle et al.) by default. Both rows are reported.
- Item cosine: all neighbours; `implicit.nearest_neighbours.CosineRecommender` with K =
  every item.

Threads: 2 cores (shared: the CSV records the load average). `implicit` runs with
`num_threads=2` and again with 1, BLAS limited to 1 thread (as it asks); ours runs its
numba kernels on 1 thread and BLAS on 2 (`threadpoolctl`). Each fit is timed `REPEATS`
times in this process (median, min, max); numba kernels are compiled before timing.
Results: `benchmarks/results/implicit_vs_implicit.csv`.
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from recsys_lab.data import load_movielens
from recsys_lab.evaluation.metrics import ndcg_at_k
from recsys_lab.evaluation.model_selection import per_user_split
from recsys_lab.models import (
    BPR,
    EASE,
    ImplicitALS,
    Interactions,
    ItemCosine,
    PopularityRecommender,
    Recommender,
    top_n,
)

REPEATS = 3
THREADS = 2
PEER_THREADS = (2, 1)
RESULTS = Path(__file__).parent / "results" / "implicit_vs_implicit.csv"
Fitted = TypeVar("Fitted")


def timed(fit: Callable[[], Fitted], blas_threads: int) -> tuple[Fitted, list[float]]:
    """The last fitted model and the wall time of each of ``REPEATS`` fits."""
    times = []
    with threadpool_limits(blas_threads, user_api="blas"):
        for _ in range(REPEATS):
            start = time.perf_counter()
            model = fit()
            times.append(time.perf_counter() - start)
    return model, times


def recs_from_scores(scores: np.ndarray, data: Interactions, n: int = 10) -> pd.DataFrame:
    """Top-``n`` unseen items per user from a users × items score matrix in ``data``'s codes."""
    scores = np.array(scores, dtype=float)
    scores[data.matrix().nonzero()] = -np.inf
    rows, cols, _, rank = top_n(scores, n)
    return pd.DataFrame({"user": data.users[rows], "item": data.items[cols], "rank": rank})


def main() -> None:
    import implicit
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.cpu.bpr import BayesianPersonalizedRanking
    from implicit.nearest_neighbours import CosineRecommender

    warnings.filterwarnings("ignore", "Method expects CSR input")  # implicit's own conversion
    load_before = os.getloadavg()[0]  # the machine is shared: record how busy it was
    train, test = per_user_split(load_movielens("100k").ratings[["user", "item"]], 0.2)
    data = Interactions.from_frame(train, rating="optional")
    X = data.matrix()  # binary, in the same user/item codes as our models
    confidence = sp.csr_matrix(X * (1.0 + 1.0))  # 1 + alpha * r with alpha = 1
    tiny = train.iloc[:500]
    for model in (ImplicitALS(n_iter=1), BPR(n_epochs=1)):  # compile the numba kernels
        model.fit(tiny)

    def ours(name: str, make: Callable[[], Recommender], settings: str) -> dict:
        model, times = timed(lambda: make().fit(train), THREADS)
        score = ndcg_at_k(model.recommend(n=10), test, k=10)
        return {
            "model": name,
            "library": "recsys_lab",
            "settings": settings,
            "ndcg@10": score,
            "times": times,
            "threads": f"numba 1, BLAS {THREADS}",
        }

    def peer(
        name: str, make: Callable, fit_input: sp.csr_matrix, scores: Callable, settings: str
    ) -> list[dict]:
        """One row per thread count in PEER_THREADS; ``make(threads)`` builds the model."""
        rows = []
        for threads in PEER_THREADS:

            def fit(threads: int = threads):
                model = make(threads)
                model.fit(fit_input, show_progress=False)
                return model

            model, times = timed(fit, 1)
            score = ndcg_at_k(recs_from_scores(scores(model), data), test, k=10)
            rows.append(
                {
                    "model": name,
                    "library": f"implicit {implicit.__version__}",
                    "settings": settings,
                    "ndcg@10": score,
                    "times": times,
                    "threads": f"OpenMP {threads}, BLAS 1",
                }
            )
        return rows

    def factors(model) -> np.ndarray:  # for BPR, the last column holds the item bias
        return model.user_factors @ model.item_factors.T

    als = "64 factors, reg 0.05, alpha 1, 15 iter, CG 3 steps"
    bpr = "64 factors, lr 0.01, reg 0.01, 100 epochs"
    rows = [
        ours("popularity", PopularityRecommender, "-"),
        ours("item cosine", ItemCosine, "all neighbours"),
        *peer(
            "item cosine",
            lambda t: CosineRecommender(K=X.shape[1], num_threads=t),
            X,
            lambda m: np.asarray((X @ m.similarity).todense()),
            "K = all items",
        ),
        ours("EASE", lambda: EASE(reg=250.0), "reg 250"),
        ours("ALS", ImplicitALS, als),
        *peer(
            "ALS",
            lambda t: AlternatingLeastSquares(
                factors=64,
                regularization=0.05,
                alpha=1.0,
                iterations=15,
                random_state=0,
                num_threads=t,
            ),
            confidence,
            factors,
            als + "; input 1 + alpha*r",
        ),
        ours("BPR", BPR, bpr + ", uniform negatives"),
        ours("BPR", lambda: BPR(negatives="popularity"), bpr + ", popularity negatives"),
        *peer(
            "BPR",
            lambda t: BayesianPersonalizedRanking(
                factors=64,
                learning_rate=0.01,
                regularization=0.01,
                iterations=100,
                random_state=0,
                num_threads=t,
            ),
            X,
            factors,
            bpr + ", popularity negatives",
        ),
    ]

    # EASE must be the closed form itself: Steck's formula with a plain inverse
    P = np.linalg.inv((X.T @ X).toarray() + 250.0 * np.eye(X.shape[1]))
    B = np.eye(len(P)) - P / np.diag(P)
    ease_gap = float(np.abs(EASE(reg=250.0).fit(train).weights_ - B).max())
    closed = ndcg_at_k(recs_from_scores(X @ B, data), test, k=10)

    table = pd.DataFrame(rows)
    times = np.array(table.pop("times").tolist())
    table["fit_median_s"] = np.median(times, axis=1)
    table["fit_min_s"] = times.min(axis=1)
    table["fit_max_s"] = times.max(axis=1)
    table["repeats"] = REPEATS
    table["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, load {load_before:.1f} before / "
        f"{os.getloadavg()[0]:.1f} after"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    table.round(4).to_csv(RESULTS, index=False)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.drop(columns=["machine", "repeats"]).round(4).to_string(index=False))
    print(
        f"\nEASE vs the closed form with np.linalg.inv: max |dB| = {ease_gap:.1e}, "
        f"nDCG@10 {closed:.4f}"
    )
    peers = table[table["library"] != "recsys_lab"]
    fastest = peers.loc[peers.groupby("model")["fit_median_s"].idxmin()]
    peer_time = dict(zip(fastest["model"], fastest["fit_median_s"], strict=True))
    peer_threads = dict(zip(fastest["model"], fastest["threads"], strict=True))
    mine = table[(table["library"] == "recsys_lab") & table["model"].isin(peer_time)]
    for model, settings, seconds in zip(
        mine["model"], mine["settings"], mine["fit_median_s"], strict=True
    ):
        print(
            f"{model} ({settings}): {seconds / peer_time[model]:.1f}x implicit's fastest fit "
            f"({peer_threads[model]})"
        )
    print(table["machine"].iloc[0])
    print(f"{len(train)} training / {len(test)} held-out interactions; written to {RESULTS}")


if __name__ == "__main__":
    main()
