"""Exact item-based KNN at MovieLens-1M size: fit and top-10 for every user, with
`implicit`'s item-item cosine on the same matrix for scale. One run.

Usage (from the repository root, after `make setup`; about 2 minutes):

    .venv/bin/python benchmarks/knn_ml1m_size.py

Data: MovieLens-1M is not available offline, so the synthetic shop at its size
(`datasets.make_marketing(n_users=6040, n_items=3706, mean_ratings=165, seed=7)`:
6,040 users, 3,706 items, about 990,000 ratings of 1-5 stars).

- Ours: `KNNRecommender(k=40, similarity=..., user_based=False)` — Surprise KNNBasic's
  semantics, cosine and MSD — `fit`, then `recommend(n=10)` for every user; 3 runs.
  Peak memory: the process's resident memory during one fit + top-10 (`PeakRSS`), the
  data included. Check: 50 users' top-10 scores against the readable numpy path, bit
  for bit.
- Beside the cosine rows, interleaved with them:
  `implicit.nearest_neighbours.CosineRecommender(K=40)` on the same users × items matrix
  of ratings, `recommend` for every user, seen items filtered. A different model (cosine
  over whole item columns, each item keeps its 40 nearest items, the score is a sum of
  similarities, no rating average), shown for scale only.
- Surprise's KNNBasic is not run: its documented top-N predicts each of the
  ~21 million unseen pairs in Python, hours at this size.

Writes benchmarks/results/knn_ml1m_size.csv.
"""

from __future__ import annotations

import harness  # first: fixes the thread counts before numpy loads
import numpy as np
import pandas as pd
import scipy.sparse as sp
from implicit.nearest_neighbours import CosineRecommender

from recsys_lab.data import make_marketing
from recsys_lab.models import KNNRecommender

K, N_CHECK = 40, 50


def reference_agrees(model: KNNRecommender, recs: pd.DataFrame) -> int:
    """How many of N_CHECK users' top-10 scores the numpy vote reproduces."""
    agree = 0
    for code in range(N_CHECK):
        plain = model._vote(None, code)  # item-based: every item's estimate for the user
        plain[model.seen_[code].indices] = -np.inf
        plain = np.where(np.isnan(plain), model.global_mean_, plain)
        ours = recs.loc[recs["user"] == model.users_[code], "score"].to_numpy()
        agree += np.array_equal(np.sort(plain)[::-1][: len(ours)], ours)  # bit for bit
    return agree


def main() -> None:
    ratings = make_marketing(n_users=6040, n_items=3706, mean_ratings=165, seed=7).ratings
    size = f"{ratings.user.nunique():,} users, {ratings.item.nunique():,} items, "
    size += f"{len(ratings):,} ratings"
    users, items = pd.factorize(ratings["user"])[0], pd.factorize(ratings["item"])[0]
    matrix = sp.csr_matrix((ratings["rating"].to_numpy(float), (users, items)))
    every = np.arange(matrix.shape[0])
    KNNRecommender().fit(ratings.iloc[:2_000]).recommend(n=10)  # compile (or load) kernels
    peer = f"implicit {harness.version('implicit')} CosineRecommender(K={K}), another model"
    rows = []
    for sim in ("cosine", "msd"):
        model = KNNRecommender(k=K, similarity=sim, user_based=False)
        ours = {step: harness.Timing() for step in ("fit", "top", "both")}
        theirs = {step: harness.Timing() for step in ("fit", "top", "both")}
        for rep in range(3):  # implicit and ours interleaved, implicit beside cosine only
            if sim == "cosine":
                cosine = CosineRecommender(K=K, num_threads=harness.THREADS)
                theirs["fit"].run(lambda c=cosine: c.fit(matrix, show_progress=False))
                theirs["top"].run(lambda c=cosine: c.recommend(every, matrix, N=10))
            with harness.PeakRSS() as mem:
                ours["fit"].run(lambda m=model: m.fit(ratings))
                recs = ours["top"].run(lambda m=model: m.recommend(n=10))
            if rep == 0:
                peak = {"peak_rss_gb": mem.peak_mb / 1e3, "rss_rise_gb": mem.rise_mb / 1e3}
        for t in (ours, theirs):
            t["both"].wall = [a + b for a, b in zip(t["fit"].wall, t["top"].wall, strict=True)]
            t["both"].cpu = [a + b for a, b in zip(t["fit"].cpu, t["top"].cpu, strict=True)]
        check = f"{reference_agrees(model, recs)} of {N_CHECK} users' top-10 = numpy path"
        case = f"item-based {sim if sim == 'cosine' else 'MSD'}, k={K}"
        for step, label, extra in [
            ("fit", "fit", {}),
            ("top", "top-10, every user", {}),
            ("both", "fit + top-10", {"check": check, **peak}),
        ]:
            other = theirs[step] if sim == "cosine" else None
            name = peer if sim == "cosine" else ""
            rows.append(harness.row(case, label, ours[step], other, name, data=size, **extra))
    harness.write_csv("knn_ml1m_size", rows, peers=("implicit",))


if __name__ == "__main__":
    main()
