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
        "`surprise_tools.top_n`.",
    ),
    "metrics_vs_recmetrics": (
        "Metrics vs recmetrics",
        "Item-KNN top-10 lists on real MovieLens-100k (genres as item features), and "
        "synthetic top-10 lists over a 2,000-item catalog for sizes MovieLens does not "
        "have. Where both compute the same quantity the values are asserted equal. "
        "`evaluate()` computes every metric with its 95 % interval: the default 10,000 "
        "bootstrap resamples cost far more than the metrics. Memory: allocated during one "
        "extra call (tracemalloc).",
    ),
    "spark_scaling": (
        "Spark in local mode",
        "The shop generated in Spark (written to Parquet once per size), ALS (rank 10, "
        "10 iterations) and the popularity baseline on 2 cores; each size timed 3 times "
        "after a warm-up fit. Notebook 09 plots this CSV.",
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
