"""Rewrite the README's benchmark tables from the CSVs in benchmarks/results/.

Usage: python tools/benchmark_tables.py [README.md]      (run by `make benchmarks`)

Everything between ``<!-- benchmarks:start -->`` and ``<!-- benchmarks:end -->`` is
replaced: for each benchmark below, a short description, a table of medians with their
min–max range (every time is repeated; see ``benchmarks/harness.py``) and the machine and
versions the CSV records. Nothing is measured here, so the README can only show what a
committed CSV holds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"

#: CSV name → (title, what the benchmark does)
BENCHMARKS = {
    "knn_vs_surprise": (
        "k-NN vs Surprise's `KNNBasic`",
        "Real MovieLens-100k, 80,000 training and 20,000 test ratings, k = 40. Surprise's "
        "top-10 is its documented recipe (predict every unseen pair, sort), on 50 users so "
        "that three runs stay short; ours also for all 943 users.",
    ),
    "knn_ml1m_size": (
        "Exact item-based k-NN at MovieLens-1M size",
        "The synthetic shop at MovieLens-1M's size (MovieLens-1M is not available offline): "
        "fit, then top-10 of unseen items for every user, Surprise's semantics (its "
        "`KNNBasic` would predict about 21 million pairs one by one: hours). Peak = the "
        "process's resident memory during one fit + top-10, data included. "
        "`implicit`'s item-item cosine on the same matrix is another model (cosine over "
        "whole columns, 40 neighbours kept per item, scores are sums of similarities): "
        "shown for scale, not as a like-for-like race.",
    ),
    "mf_vs_surprise": (
        "Matrix factorization vs Surprise's SVD",
        "Real MovieLens-100k, 3 folds; fit times on the first fold. The SGD is Surprise's SVD "
        "re-written (numba kernel, compiled before timing); ALS has no Surprise "
        "counterpart. Top-10 from a fitted SVD: Surprise's anti-test-set loop vs "
        "`surprise_tools.top_n`, which ranks on the unclipped estimate; the lists are "
        "compared on scores clipped to 1–5 as Surprise's `predict` clips them.",
    ),
    "metrics_vs_recmetrics": (
        "Metrics vs recmetrics",
        "Item-KNN top-10 lists on real MovieLens-100k (genres as item features), and "
        "synthetic top-10 lists over a 2,000-item catalog for sizes MovieLens does not "
        "have. Where both compute the same quantity the values are asserted equal. "
        "`evaluate()` computes every metric with its 95 % interval (every model's per-user "
        "metrics resampled together, 10,000 times by default, in compiled code; set-level "
        "intervals from at most 1,000 half-samples); with two models and `compare_to`, also "
        "a paired t-test per per-user metric and a swap test per set-level metric (at most "
        "1,000 swaps: the p-value's Monte Carlo standard error is 0.007 at p = 0.05). Timed "
        "after one call that compiles the resampling. Memory: allocated during one extra "
        "call (tracemalloc; numba's own arrays are not seen).",
    ),
    "spark_scaling": (
        "Spark in local mode",
        "The shop generated in Spark (written to Parquet once per size), ALS (rank 10, "
        "10 iterations) and the popularity baseline on 2 cores; each size timed 3 times "
        "after a warm-up fit. The Spark notebook plots this CSV.",
    ),
}


def seconds(x: float) -> str:
    """A duration for a table: 3 significant figures, at least 2 decimals below 10 s."""
    if pd.isna(x):
        return "—"
    if x < 10:
        return f"{x:.3f} s" if x < 0.1 else f"{x:.2f} s"
    return f"{x:.1f} s" if x < 100 else f"{x:,.0f} s"


def spread(row: pd.Series, side: str) -> str:
    """``median (min–max)`` of one side's repeated runs."""
    median = row.get(f"{side}_median_s")
    if pd.isna(median):
        return "—"
    low, high = row[f"{side}_min_s"], row[f"{side}_max_s"]
    return f"{seconds(median)} ({seconds(low).removesuffix(' s')}–{seconds(high)})"


def memory(row: pd.Series) -> str:
    if "peak_rss_gb" in row and not pd.isna(row["peak_rss_gb"]):
        return f"{row['peak_rss_gb']:.2f} GB"
    parts = [
        f"{who} {row[col]:,.1f} MB"
        for who, col in (("peer", "peer_peak_mb"), ("ours", "ours_peak_mb"))
        if col in row and not pd.isna(row[col])
    ]
    return ", ".join(parts) or "—"


def table(frame: pd.DataFrame) -> str:
    """A markdown table of one benchmark's rows."""
    has_peer = "peer_median_s" in frame and frame["peer_median_s"].notna().any()
    has_memory = any(c in frame for c in ("peak_rss_gb", "ours_peak_mb"))
    header = ["case", "step"]
    header += ["peer", "peer: median (min–max)", "ours: median (min–max)", "peer / ours"]
    if not has_peer:
        header = ["case", "step", "time: median (min–max)"]
    header += ["peak memory"] if has_memory else []
    header += ["check"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, row in frame.iterrows():
        cells = [str(row["case"]), str(row["step"])]
        if has_peer:
            ratio = row.get("speedup")
            cells += [
                "" if pd.isna(row["peer"]) else str(row["peer"]),
                spread(row, "peer"),
                spread(row, "ours"),
                "—" if pd.isna(ratio) else f"{ratio:,.1f}×" if ratio < 10 else f"{ratio:,.0f}×",
            ]
        else:
            cells.append(spread(row, "ours"))
        cells += [memory(row)] if has_memory else []
        cells.append("" if pd.isna(row.get("check")) else str(row["check"]))
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def provenance(frame: pd.DataFrame) -> str:
    """Where and with what the CSV was measured (every row records it)."""
    first = frame.iloc[0]
    dates = sorted(frame["date"].unique())
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    low, high = frame["load_1min"].min(), frame["load_1min"].max()
    loads = f"{low:g}" if low == high else f"{low:g}–{high:g}"
    peers = "" if pd.isna(first.get("peers")) or not first["peers"] else f", {first['peers']}"
    return (
        f"Measured {when} on {first['cpu']} ({first['cores']} cores, {first['threads']} "
        f"threads; 1-minute load average {loads} when the results were written — a machine "
        f"shared with other jobs, so trust the side-by-side ratios more than the seconds); "
        f"Python {first['python']}, numpy {first['numpy']}, numba {first['numba']}{peers}."
    )


def markdown(frame: pd.DataFrame) -> str:
    """A plain markdown table of ``frame`` as it is."""
    rows = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * frame.shape[1]]
    rows += ["| " + " | ".join(map(str, r)) + " |" for r in frame.itertuples(index=False)]
    return "\n".join(rows)


def _num(x: object, digits: int = 3) -> str:
    return "—" if pd.isna(x) else f"{float(x):.{digits}f}"  # type: ignore[arg-type]


def rating_table() -> str:
    """Surprise's published 5-fold RMSE, Surprise run here, and recsys_lab's models."""
    df = pd.read_csv(RESULTS / "movielens_100k_rating.csv")
    here = df[df["source"].str.startswith("Surprise")]
    ours = df[df["source"] == "recsys_lab"].set_index("published_as")
    rows = []
    for r in here.itertuples():
        mine = ours.loc[r.algorithm] if r.algorithm in ours.index else None
        rows.append(
            {
                "algorithm": r.algorithm,
                "published": _num(r.published_rmse),
                "Surprise 1.1.5 here": f"{r.rmse_mean:.3f} ± {_num(r.rmse_sd)}"
                + (f" ({r.folds} fold)" if r.folds == 1 else ""),
                "recsys_lab": "—"
                if mine is None
                else f"{mine['rmse_mean']:.3f} ± {mine['rmse_sd']:.3f}",
            }
        )
    for r in df[(df["source"] == "recsys_lab") & df["published_as"].isna()].itertuples():
        rows.append(
            {
                "algorithm": "—",
                "published": "—",
                "Surprise 1.1.5 here": "—",
                "recsys_lab": f"{r.algorithm} {r.rmse_mean:.3f} ± {r.rmse_sd:.3f}",
            }
        )
    return markdown(pd.DataFrame(rows))


def ranking_table() -> str:
    """Top-10 metrics with bootstrap intervals on a per-user 80/20 split."""
    df = pd.read_csv(RESULTS / "movielens_100k_ranking.csv")
    wanted = ["precision@10", "recall@10", "ndcg@10", "map@10", "catalog_coverage"]
    df = df[df["metric"].isin(wanted)]
    cell = [
        _num(r.value) if pd.isna(r.low) else f"{r.value:.3f} [{r.low:.3f}, {r.high:.3f}]"
        for r in df.itertuples()
    ]
    wide = df.assign(cell=cell).pivot(index="model", columns="metric", values="cell")
    wide = wide.reindex(index=pd.unique(df["model"]), columns=[m for m in wanted if m in wide])
    return markdown(wide.reset_index())


def implicit_table() -> str:
    """nDCG@10 and fit times beside the `implicit` library."""
    df = pd.read_csv(RESULTS / "implicit_vs_implicit.csv")
    df["fit, median (min–max)"] = [
        f"{r.fit_median_s:.2f} s ({r.fit_min_s:.2f}–{r.fit_max_s:.2f} s)" for r in df.itertuples()
    ]
    return markdown(
        df[["model", "library", "settings", "ndcg@10", "threads", "fit, median (min–max)"]]
    )


ACCURACY = {
    "movielens_100k_rating": (
        "Rating prediction on MovieLens-100k: Surprise's published 5-fold RMSE, reproduced",
        "`benchmarks/movielens_100k.py`; mean ± sd over Surprise's own 5 folds; recsys_lab's "
        '`KNNRecommender(k=40, similarity="msd")` and `SGDMatrixFactorization()` on the same '
        "folds (they equal KNNBasic and SVD fold by fold).",
        rating_table,
    ),
    "movielens_100k_ranking": (
        "Top-10 ranking on MovieLens-100k",
        "Seeded per-user 80/20 split, every held-out rating relevant, full ranking of unseen "
        "films; 95 % bootstrap intervals over users. Models trained for RMSE rank far below "
        "popularity (paired tests in the CSV).",
        ranking_table,
    ),
    "implicit_vs_implicit": (
        "Implicit-feedback models beside `implicit`",
        "Every rating as a binary interaction, seeded per-user 80/20 split, nDCG@10; fit "
        "times are medians of 3. `implicit`'s BPR samples negatives by popularity: compare "
        'it with ours under `negatives="popularity"`.',
        implicit_table,
    ),
}


def section() -> str:
    """The generated part of the README."""
    parts = [
        START,
        "<!-- Made by tools/benchmark_tables.py from benchmarks/results/*.csv: edit those "
        "(run `make benchmarks`), not this. -->",
    ]
    for name, (title, about) in BENCHMARKS.items():
        path = RESULTS / f"{name}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path)
        if not {"case", "step", "ours_median_s", "date"} <= set(frame.columns):
            sys.exit(f"{path} was not written by benchmarks/harness.py: rerun {name}.py.")
        parts += [
            f"**{title}** (`benchmarks/{name}.py`, [CSV](benchmarks/results/{name}.csv)). {about}",
            table(frame),
            provenance(frame),
        ]
    for name, (title, about, render) in ACCURACY.items():
        if (RESULTS / f"{name}.csv").exists():
            parts += [f"**{title}** ([CSV](benchmarks/results/{name}.csv)). {about}", render()]
    parts.append(END)
    return "\n\n".join(parts)


def main() -> None:
    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "README.md"
    text = readme.read_text()
    if text.count(START) != 1 or text.count(END) != 1:
        sys.exit(f"{readme} needs exactly one {START} and one {END} line.")
    before, rest = text.split(START)
    after = rest.split(END)[1]
    readme.write_text(before + section() + after)
    print(f"rewrote the benchmark tables in {readme}")


if __name__ == "__main__":
    main()
