"""Spark ALS scaling on 2 cores: fit time against the number of interactions.

Usage (from the repository root, with the spark extra and Java 17+):

    .venv/bin/python benchmarks/spark_scaling.py

Generates the synthetic shop inside Spark at four sizes and times ALS (rank 10, 10
iterations) on each, after one small warm-up fit (the JVM's first fit is slow).
Writes benchmarks/results/spark_scaling.csv, which the Spark notebook plots.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from recsys_lab import spark as rs

SIZES = [(2_500, 500), (5_000, 1_000), (10_000, 2_000), (20_000, 4_000)]  # users, items


def main() -> None:
    rows = []
    with rs.local_session(cores=2, memory="4g") as spark:
        warm = rs.make_marketing(spark, n_users=500, n_items=100, mean_ratings=20, seed=1)
        rs.fit_als(
            warm.withColumn("rating", warm["rating"].cast("float")), max_iter=2
        )  # JIT warm-up
        for users, items in SIZES:
            ratings = rs.make_marketing(
                spark, n_users=users, n_items=items, mean_ratings=40, seed=0
            )
            ratings = ratings.withColumn("rating", ratings["rating"].cast("float")).cache()
            n = ratings.count()
            start = time.perf_counter()
            rs.fit_als(ratings, rank=10, max_iter=10)
            rows.append(
                {
                    "interactions": n,
                    "users": users,
                    "items": items,
                    "als_fit_seconds": round(time.perf_counter() - start, 2),
                }
            )
            ratings.unpersist()
            print(rows[-1])
    out = Path(__file__).parent / "results" / "spark_scaling.csv"
    pd.DataFrame(rows).to_csv(out, index=False)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
