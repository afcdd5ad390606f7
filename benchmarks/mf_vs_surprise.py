"""From-scratch matrix factorization and vectorized top-N against Surprise 1.1.5, one run.

Usage (from the repository root, after `make setup`):

    .venv/bin/python benchmarks/mf_vs_surprise.py          # about 2 minutes

Data: the synthetic shop at MovieLens-100k size (943 users, 1,682 items, ~100,000 ratings),
split into 3 folds shared by every model.
- SGD: `mf.SGDMatrixFactorization` with Surprise SVD's defaults and seed vs `surprise.SVD`.
- ALS: `mf.ALSMatrixFactorization` (its defaults: 20 factors, 10 iterations, reg 0.1).
- Top-10 for every user from one fitted SVD: Surprise's documented loop over the
  anti-test-set vs `surprise_tools.top_n` (one matrix product).
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from surprise import SVD

from recsys_lab import surprise_tools
from recsys_lab.datasets import make_marketing
from recsys_lab.mf import ALSMatrixFactorization, SGDMatrixFactorization
from recsys_lab.model_selection import kfold_indices


def rmse(truth, pred) -> float:
    return float(np.sqrt(np.mean((np.asarray(truth) - np.asarray(pred)) ** 2)))


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    ratings = make_marketing(n_users=943, n_items=1682, mean_ratings=109, seed=7).ratings
    results = defaultdict(lambda: defaultdict(list))
    for test_idx in kfold_indices(len(ratings), n_splits=3, random_state=0):
        test = ratings.iloc[test_idx]
        train = ratings.drop(ratings.index[test_idx])
        known = test["user"].isin(train["user"]) & test["item"].isin(train["item"])
        test = test[known]
        trainset = surprise_tools.to_dataset(train, (1, 5)).build_full_trainset()
        svd, t = timed(lambda trainset=trainset: SVD(random_state=0).fit(trainset))
        est = [svd.predict(u, i).est for u, i in zip(test["user"], test["item"], strict=True)]
        results["Surprise SVD"]["rmse"].append(rmse(test["rating"], est))
        results["Surprise SVD"]["fit"].append(t)
        for name, model in [
            ("SGD from scratch", SGDMatrixFactorization(random_state=0)),
            ("ALS from scratch", ALSMatrixFactorization()),
        ]:
            _, t = timed(lambda model=model, train=train: model.fit(train))
            pred = model.predict(test["user"], test["item"])
            results[name]["rmse"].append(rmse(test["rating"], pred))
            results[name]["fit"].append(t)
    base = np.mean(results["Surprise SVD"]["rmse"])
    base_fit = np.mean(results["Surprise SVD"]["fit"])
    print("| model | RMSE (3 folds) | vs Surprise SVD | fit time per fold | vs Surprise SVD |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        m, f = np.mean(r["rmse"]), np.mean(r["fit"])
        print(
            f"| {name} | {m:.4f} ± {np.std(r['rmse']):.4f} | {100 * (m / base - 1):+.1f} % "
            f"| {f:.2f} s | {f / base_fit:.2f}× |"
        )

    trainset = surprise_tools.to_dataset(ratings, (1, 5)).build_full_trainset()
    svd = SVD(random_state=0).fit(trainset)

    def surprise_loop():
        top = defaultdict(list)
        for p in svd.test(trainset.build_anti_testset()):
            top[p.uid].append((p.est, p.iid))
        return {u: sorted(v, key=lambda t: -t[0])[:10] for u, v in top.items()}

    theirs, t_loop = timed(surprise_loop)
    ours, t_vec = timed(lambda: surprise_tools.top_n(svd, n=10))
    scores = ours.groupby("user")["score"].apply(lambda s: np.round(s.to_numpy(), 9))
    same = sum(np.array_equal(np.round([e for e, _ in theirs[u]], 9), scores[u]) for u in theirs)
    print(
        f"\nTop-10 for all {len(theirs)} users from a fitted SVD: Surprise loop {t_loop:.2f} s, "
        f"surprise_tools.top_n {t_vec:.3f} s ({t_loop / t_vec:,.0f}× faster); "
        f"lists with identical scores: {same} of {len(theirs)}"
    )


if __name__ == "__main__":
    main()
