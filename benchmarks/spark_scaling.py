"""Spark in local mode on 2 cores: ALS and the popularity baseline as the data grows.

Usage (from the repository root, with the spark extra and Java 17+):

    .venv/bin/python benchmarks/spark_scaling.py                    # every size, ~30 min
    .venv/bin/python benchmarks/spark_scaling.py --sizes 100k,1M    # some sizes only

For each size the shop is generated inside Spark (`recsys_lab.spark.marketing_parquet`)
and written to Parquet once, under `--data-dir` (kept between runs: a second run reads
it). The ratings are read back and cached, then — after two untimed warm-up rounds on
a separate 100k shop, since the JVM's first fits are slow — timed 3 times each:

- ALS fit: `fit_als(rank=10, max_iter=10)`, explicit feedback;
- popularity top-10: `popularity_top_n(n=10)` for every user, seen items left out,
  counted (Spark is lazy: the count makes it run).

Nothing else is measured: not the generation, not the Parquet write, not a cluster.
Rows of the sizes run replace those sizes in benchmarks/results/spark_scaling.csv (each
row records its own date and load), which the Spark notebook plots.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import harness  # first: fixes the thread counts before numpy loads

from recsys_lab import spark as rs

#: name → (users, items); 40 ratings per user on average
SIZES = {
    "100k": (2_500, 1_000),
    "300k": (7_500, 2_000),
    "1M": (25_000, 4_000),
    "3M": (75_000, 6_000),
    "10M": (250_000, 10_000),
}
MEAN_RATINGS = 40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="e.g. 100k,1M (default: all)")
    default_dir = Path(tempfile.gettempdir()) / "recsys-lab-spark"
    parser.add_argument("--data-dir", default=str(default_dir), help="where the Parquet goes")
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {', '.join(SIZES)}")

    rows = []
    with rs.local_session(app="spark-scaling", cores=harness.THREADS, memory="6g") as spark:
        warm = rs.make_marketing(spark, n_users=2_500, n_items=1_000, mean_ratings=40, seed=1)
        warm = warm.withColumn("rating", warm["rating"].cast("float")).cache()
        for _ in range(2):  # the JVM compiles ALS's code paths during the first fits
            rs.fit_als(warm, rank=10, max_iter=10)
            rs.popularity_top_n(warm, n=10).count()
        warm.unpersist()
        for name in sizes:
            users, items = SIZES[name]
            ratings = rs.marketing_parquet(
                spark, args.data_dir, n_users=users, n_items=items, mean_ratings=MEAN_RATINGS,
                seed=0,
            )  # fmt: skip
            ratings = ratings.withColumn("rating", ratings["rating"].cast("float")).cache()
            n = ratings.count()
            size = {"interactions": n, "users": users, "items": items}
            _, fit = harness.timed(lambda r=ratings: rs.fit_als(r, rank=10, max_iter=10))
            rows.append(harness.row(name, "ALS fit (rank 10, 10 iterations)", fit, **size))
            _, pop = harness.timed(lambda r=ratings: rs.popularity_top_n(r, n=10).count())
            rows.append(harness.row(name, "popularity top-10, every user", pop, **size))
            ratings.unpersist()
            print(rows[-2], rows[-1], flush=True)
    harness.write_csv(
        "spark_scaling", rows, ("pyspark",), replace_on="case", order_by=["interactions", "step"]
    )


if __name__ == "__main__":
    main()
