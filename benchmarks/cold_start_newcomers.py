"""Real newcomers on MovieLens-100k: six cold-start strategies by history length, per user.

Usage (from the repository root; about a minute on a 2-core laptop):

    PYTHONPATH=. .venv/bin/python benchmarks/cold_start_newcomers.py

Setup (:func:`recsys_lab.coldstart.movielens_newcomers`): train on every rating before
1998-01-01; the newcomers are the users whose first rating comes after that date and who
rated at least 30 films. Each strategy sees a newcomer's first ``h`` ratings (in time
order) and is scored by recall@10 on the newcomer's next 10 ratings rated 4 or 5
(:func:`recsys_lab.coldstart.evaluate_by_history`, ``per_user=True``).

Writes ``benchmarks/results/cold_start_newcomers.csv``: ``strategy, history, user, recall``.
The cold-start notebook recomputes one history length live and compares.
"""

from pathlib import Path

from recsys_lab import coldstart
from recsys_lab import data as datasets

LENGTHS = (0, 1, 3, 5, 10, 20)
OUT = Path(__file__).resolve().parent / "results" / "cold_start_newcomers.csv"


def main() -> None:
    exp = coldstart.movielens_newcomers(datasets.load_movielens("100k"))
    table = coldstart.evaluate_by_history(exp.strategies, exp.newcomers, LENGTHS, per_user=True)
    table.to_csv(OUT, index=False, float_format="%.6g")
    print(f"wrote {OUT} ({len(table)} rows)")


if __name__ == "__main__":
    main()
