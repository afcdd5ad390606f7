"""recsys_lab.neighbors.KNNRecommender against Surprise's KNNBasic, side by side in one run.

Usage (from the repository root, after `make setup`):

    .venv/bin/python benchmarks/knn_vs_surprise.py            # MovieLens-100k size (~4 min)
    .venv/bin/python benchmarks/knn_vs_surprise.py --ml1m     # also MovieLens-1M size, ours only

Data: the synthetic shop (`datasets.make_marketing`) at MovieLens-100k size (943 users,
1,682 items, about 100,000 ratings); 20,000 ratings are held out as the test set.

For each configuration (user-based MSD, item-based cosine; k=40):
- fit time of both;
- `predict` on the 20,000 test pairs, and the share of predictions that agree (|Δ| < 1e-9);
- top-10 for every user: Surprise the documented way (predict every pair of the
  anti-test-set, sort), ours with `recommend(n=10)`; and how many lists agree.
Peak memory of the ML-1M run is measured with tracemalloc in a child process.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import defaultdict

import numpy as np

from recsys_lab.datasets import make_marketing
from recsys_lab.neighbors import KNNRecommender

CONFIGS = [("msd", True), ("cosine", False)]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def surprise_top_n(algo, trainset, n=10):
    """Top-n per user the way Surprise's FAQ does it: predict every unseen pair."""
    top = defaultdict(list)
    for p in algo.test(trainset.build_anti_testset()):
        top[p.uid].append((p.est, p.iid))
    return {u: sorted(v, key=lambda t: -t[0])[:n] for u, v in top.items()}


def compare_100k(seed: int = 7) -> list[dict]:
    from surprise import Dataset, KNNBasic, Reader

    ratings = make_marketing(n_users=943, n_items=1682, mean_ratings=109, seed=seed).ratings
    ratings = ratings.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    test, train = ratings.iloc[:20_000], ratings.iloc[20_000:]
    data = Dataset.load_from_df(train[["user", "item", "rating"]], Reader(rating_scale=(1, 5)))
    trainset = data.build_full_trainset()
    pairs = list(zip(test["user"], test["item"], test["rating"], strict=True))
    rows = []
    for sim, user_based in CONFIGS:
        algo = KNNBasic(k=40, sim_options={"name": sim, "user_based": user_based}, verbose=False)
        _, s_fit = timed(lambda algo=algo: algo.fit(trainset))
        s_pred, s_predict = timed(lambda algo=algo: [p.est for p in algo.test(pairs)])
        s_top, s_topn = timed(lambda algo=algo: surprise_top_n(algo, trainset))

        model = KNNRecommender(k=40, similarity=sim, user_based=user_based)
        _, o_fit = timed(lambda model=model: model.fit(train))
        o_pred, o_predict = timed(lambda model=model: model.predict(test["user"], test["item"]))
        o_recs, o_topn = timed(lambda model=model: model.recommend(n=10))

        agree = np.abs(np.asarray(s_pred) - o_pred) < 1e-9
        # exactly tied scores may be listed in another order: compare the scores held
        ours = o_recs.groupby("user")["score"].apply(lambda s: np.round(s.to_numpy(), 9))
        same_lists = sum(
            np.array_equal(np.round([e for e, _ in s_top[u]], 9), ours[u]) for u in ours.index
        )
        rows.append(
            {
                "config": f"{'user' if user_based else 'item'}-based {sim}",
                "surprise_fit_s": s_fit,
                "ours_fit_s": o_fit,
                "surprise_predict_s": s_predict,
                "ours_predict_s": o_predict,
                "surprise_top10_s": s_fit + s_topn,
                "ours_top10_s": o_fit + o_topn,
                "predictions_equal": float(agree.mean()),
                "top10_lists_equal": f"{same_lists} of {len(ours)}",
            }
        )
    return rows


def ml1m_child() -> None:
    """Run in a child process: item-based cosine top-10 at MovieLens-1M size."""
    ratings = make_marketing(n_users=6040, n_items=3706, mean_ratings=165, seed=7).ratings
    model = KNNRecommender(k=40, similarity="cosine", user_based=False)
    tracemalloc.start()  # numpy reports its buffers to tracemalloc
    _, fit = timed(lambda: model.fit(ratings))
    recs, rec = timed(lambda: model.recommend(n=10))
    peak = tracemalloc.get_traced_memory()[1]
    result = {"ratings": len(ratings), "fit_s": fit, "top10_s": rec, "users": recs.user.nunique()}
    result |= {
        "peak_gb": peak / 1e9,
        "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ml1m", action="store_true", help="also time MovieLens-1M size")
    parser.add_argument("--skip-100k", action="store_true", help="only the MovieLens-1M run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        ml1m_child()
        return
    print(
        "| configuration | fit (Surprise / ours) | predict 20k pairs | top-10 all users "
        "(incl. fit) | speed-up top-10 | predictions equal | top-10 lists equal |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in [] if args.skip_100k else compare_100k():
        print(
            f"| {r['config']} | {r['surprise_fit_s']:.2f} s / {r['ours_fit_s']:.2f} s "
            f"| {r['surprise_predict_s']:.2f} s / {r['ours_predict_s']:.2f} s "
            f"| {r['surprise_top10_s']:.1f} s / {r['ours_top10_s']:.2f} s "
            f"| {r['surprise_top10_s'] / r['ours_top10_s']:.0f}× "
            f"| {r['predictions_equal']:.2%} | {r['top10_lists_equal']} |"
        )
    if args.ml1m:
        out = subprocess.run(
            [sys.executable, __file__, "--child"], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout)
        print(
            f"\nMovieLens-1M size ({r['ratings']:,} ratings, item-based cosine, ours only): "
            f"fit {r['fit_s']:.1f} s, top-10 for {r['users']:,} users {r['top10_s']:.1f} s, "
            f"peak memory of fit + recommend {r['peak_gb']:.2f} GB "
            f"(process peak {r['rss_gb']:.2f} GB, data generation included)"
        )


if __name__ == "__main__":
    main()
