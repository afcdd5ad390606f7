"""recsys_lab's KNNRecommender against Surprise's KNNBasic on MovieLens-100k, one run.

Usage (from the repository root, after `make setup`; about 2 minutes):

    .venv/bin/python benchmarks/knn_vs_surprise.py

Data: the real MovieLens-100k (`datasets.load_movielens("100k")`, offline), shuffled with
seed 0; 20,000 ratings are the test set, 80,000 the training set. k = 40, Surprise's
default. For each configuration, side by side in this process (`harness.side_by_side`,
3 runs each, interleaved):

- fit;
- predict the 20,000 test pairs, and the share of estimates that agree (|Δ| < 1e-9) and
  that are the same bits;
- top-10 for 50 users drawn with seed 0: Surprise the documented way (predict every
  pair of the anti-test-set, sort), ours with `recommend(users=..., n=10)`; the lists
  agree when their scores do (equally scored items may come in another order);
- ours alone: top-10 for all 943 users (Surprise's loop would take about a minute).

Our kernels are compiled (numba, cached) once before timing. Writes
benchmarks/results/knn_vs_surprise.csv.
"""

from __future__ import annotations

import harness  # first: fixes the thread counts before numpy loads
import numpy as np
from surprise import Dataset, KNNBasic, Reader

from recsys_lab.data import load_movielens
from recsys_lab.models import KNNRecommender

CONFIGS = [("msd", True), ("cosine", False), ("msd", False)]
K, N_SAMPLE = 40, 50


def surprise_top_n(algo, trainset, users, n: int = 10) -> dict:
    """Top-n per user as Surprise's FAQ does it: predict every unseen pair, sort."""
    items = [trainset.to_raw_iid(i) for i in trainset.all_items()]
    top = {}
    for u in users:
        seen = {trainset.to_raw_iid(i) for i, _ in trainset.ur[trainset.to_inner_uid(u)]}
        preds = algo.test([(u, i, 0.0) for i in items if i not in seen])
        top[u] = sorted((p.est for p in preds), reverse=True)[:n]
    return top


def main() -> None:
    ratings = load_movielens("100k").ratings[["user", "item", "rating"]]
    ratings = ratings.sample(frac=1.0, random_state=0).reset_index(drop=True)
    test, train = ratings.iloc[:20_000], ratings.iloc[20_000:]
    trainset = Dataset.load_from_df(train, Reader(rating_scale=(1, 5))).build_full_trainset()
    pairs = list(zip(test["user"], test["item"], test["rating"], strict=True))
    sample = list(np.random.default_rng(0).choice(train["user"].unique(), N_SAMPLE, False))
    KNNRecommender().fit(train.iloc[:2_000]).recommend(n=10)  # compile (or load) the kernels

    rows = []
    for sim, user_based in CONFIGS:
        case = f"{'user' if user_based else 'item'}-based {sim.upper() if sim == 'msd' else sim}"
        model = KNNRecommender(k=K, similarity=sim, user_based=user_based)
        algo = KNNBasic(k=K, sim_options={"name": sim, "user_based": user_based}, verbose=False)
        peer = f"Surprise {harness.version('scikit-surprise')} KNNBasic"

        _, _, t_ours, t_peer = harness.side_by_side(
            lambda m=model: m.fit(train), lambda a=algo: a.fit(trainset)
        )
        rows.append(harness.row(case, "fit", t_ours, t_peer, peer))

        ours, theirs, t_ours, t_peer = harness.side_by_side(
            lambda m=model: m.predict(test["user"], test["item"]),
            lambda a=algo: np.array([p.est for p in a.test(pairs)]),
        )
        agree, exact = np.abs(ours - theirs) < 1e-9, ours == theirs
        check = (
            f"{agree.sum():,} of {len(agree):,} estimates within 1e-9 "
            f"({exact.sum():,} bit for bit: Surprise adds by decreasing similarity)"
        )
        rows.append(harness.row(case, "predict 20,000 pairs", t_ours, t_peer, peer, check))

        ours, theirs, t_ours, t_peer = harness.side_by_side(
            lambda m=model: m.recommend(users=sample, n=10),
            lambda a=algo: surprise_top_n(a, trainset, sample),
        )
        scores = ours.groupby("user")["score"].apply(lambda s: np.round(s.to_numpy(), 9))
        same = sum(np.array_equal(np.round(theirs[u], 9), scores[u]) for u in sample)
        check = f"{same} of {N_SAMPLE} lists' scores equal to 9 decimals"
        rows.append(harness.row(case, "top-10, 50 users", t_ours, t_peer, peer, check))

        _, t_ours = harness.timed(lambda m=model: m.recommend(n=10))
        rows.append(harness.row(case, "top-10, all 943 users", t_ours))
    harness.write_csv("knn_vs_surprise", rows, peers=("scikit-surprise",))


if __name__ == "__main__":
    main()
