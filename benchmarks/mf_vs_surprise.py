"""From-scratch matrix factorization and vectorized top-N against Surprise's SVD on
MovieLens-100k, one run.

Usage (from the repository root, after `make setup`; about 1 minute):

    .venv/bin/python benchmarks/mf_vs_surprise.py

Data: the real MovieLens-100k (`datasets.load_movielens("100k")`, offline), 3 folds
(`kfold_indices`, seed 0) shared by every model; fit times on the first fold, 3 runs
each, interleaved with the peer; accuracy over the 3 folds.

- SGD: `mf.SGDMatrixFactorization(random_state=0)` — Surprise SVD's defaults, its numba
  kernel compiled once before timing (`cache=True`) — vs `surprise.SVD(random_state=0)`;
  the check compares their test predictions bit for bit.
- ALS: `mf.ALSMatrixFactorization()` (its defaults), ours only.
- Top-10 for every user from one fitted SVD: Surprise's documented loop over the
  anti-test-set vs `surprise_tools.top_n` (one matrix product, then a partition).

Writes benchmarks/results/mf_vs_surprise.csv.
"""

from __future__ import annotations

from collections import defaultdict

import harness  # first: fixes the thread counts before numpy loads
import numpy as np
from surprise import SVD

from recsys_lab.data import load_movielens
from recsys_lab.evaluation.model_selection import kfold_indices
from recsys_lab.mf import ALSMatrixFactorization, SGDMatrixFactorization
from recsys_lab.models import surprise_tools


def rmse(truth, pred) -> float:
    return float(np.sqrt(np.mean((np.asarray(truth) - np.asarray(pred)) ** 2)))


def main() -> None:
    ratings = load_movielens("100k").ratings[["user", "item", "rating"]]
    folds = []
    for test_idx in kfold_indices(len(ratings), n_splits=3, random_state=0):
        test, train = ratings.iloc[test_idx], ratings.drop(ratings.index[test_idx])
        folds.append((train, test, surprise_tools.to_dataset(train, (1, 5)).build_full_trainset()))
    SGDMatrixFactorization(n_epochs=1).fit(ratings.iloc[:1_000])  # compile (or load) the kernel
    peer = f"Surprise {harness.version('scikit-surprise')} SVD"

    train, test, trainset = folds[0]
    _, _, t_sgd, t_svd = harness.side_by_side(
        lambda: SGDMatrixFactorization(random_state=0).fit(train),
        lambda: SVD(random_state=0).fit(trainset),
    )
    _, t_als = harness.timed(lambda: ALSMatrixFactorization().fit(train))
    errors, same, gap = defaultdict(list), 0, 0.0
    for train, test, trainset in folds:
        svd = SVD(random_state=0).fit(trainset)
        pairs = zip(test.user, test.item, strict=True)
        theirs = np.array([svd.predict(u, i).est for u, i in pairs])
        sgd = SGDMatrixFactorization(random_state=0).fit(train)
        ours = sgd.predict(test.user, test.item)
        als = ALSMatrixFactorization().fit(train).predict(test.user, test.item)
        learned = [(sgd.user_factors_, svd.pu), (sgd.item_factors_, svd.qi)]
        learned += [(sgd.user_bias_, svd.bu), (sgd.item_bias_, svd.bi)]
        same += all(np.array_equal(a, b) for a, b in learned)
        gap = max(gap, float(np.abs(ours - theirs).max()))
        for name, pred in (("svd", theirs), ("sgd", ours), ("als", als)):
            errors[name].append(rmse(test.rating, pred))
    mean = {name: np.mean(e) for name, e in errors.items()}
    rows = [
        harness.row(
            "SGD (Surprise's SVD, from scratch, numba)",
            "fit, 20 epochs",
            t_sgd,
            t_svd,
            peer,
            f"RMSE {mean['sgd']:.4f} vs {mean['svd']:.4f}; factors and biases bit for bit "
            f"equal in {same} of 3 folds, predictions within {gap:.1e}",
        ),
        harness.row(
            "ALS (from scratch, 20 factors)",
            "fit, 10 iterations",
            t_als,
            check=f"RMSE {mean['als']:.4f} (3 folds)",
        ),
    ]

    trainset = surprise_tools.to_dataset(ratings, (1, 5)).build_full_trainset()
    svd = SVD(random_state=0).fit(trainset)

    def surprise_loop() -> dict:
        top = defaultdict(list)
        for p in svd.test(trainset.build_anti_testset()):
            top[p.uid].append(p.est)
        return {u: sorted(v, reverse=True)[:10] for u, v in top.items()}

    ours, theirs, t_ours, t_peer = harness.side_by_side(
        lambda: surprise_tools.top_n(svd, n=10), surprise_loop
    )
    # Surprise's predict clips estimates to the rating scale; top_n ranks unclipped scores
    scores = ours.groupby("user")["score"].apply(lambda s: np.round(np.clip(s, 1, 5), 9))
    equal = sum(np.array_equal(np.round(theirs[u], 9), scores[u]) for u in theirs)
    rows.append(
        harness.row(
            "top-10 from a fitted SVD (surprise_tools.top_n)",
            f"all {len(theirs)} users",
            t_ours,
            t_peer,
            f"{peer}, anti-test-set loop",
            f"{equal} of {len(theirs)} lists equal (scores clipped to 1-5 as Surprise's)",
        )
    )
    harness.write_csv("mf_vs_surprise", rows, peers=("scikit-surprise",))


if __name__ == "__main__":
    main()
