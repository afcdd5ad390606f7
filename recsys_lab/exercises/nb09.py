"""Exercises of the notebook on Spark.

>>> q1.expected()
80.0
"""

from __future__ import annotations

from recsys_lab.exercises import Exercise

q1 = Exercise(
    prompt="How many GB does a dense float64 item × item similarity matrix take for 100,000 items?",
    expected=lambda: 8 * 100_000**2 / 1e9,
    hint="items² cells × 8 bytes, divided by 10⁹.",
    solution="8 * 100_000**2 / 1e9 = 80 GB — why item-item KNN needs sparsity or LSH at scale",
    tolerance=1e-9,
)

q2 = Exercise(
    prompt="Spark's shuffle partitions in recsys_lab.spark.session(cores=2): how many?",
    expected=lambda: 4,
    hint="session() sets spark.sql.shuffle.partitions to 2 × cores.",
    solution='spark.conf.get("spark.sql.shuffle.partitions")  # "4"',
)

q3 = Exercise(
    prompt="ALS's coldStartStrategy in recsys_lab.spark.fit_als is 'drop'. What does Spark "
    "return for a test user unknown at training time with the default 'nan' instead? "
    "(answer 'nan' or 'drop')",
    expected=lambda: "nan",
    hint="The default keeps the row and predicts NaN, which turns the RMSE into NaN.",
    solution="'nan': the prediction is NaN, so any RMSE over it is NaN — hence 'drop'",
)
