"""The small harness every benchmark in this folder runs on.

Importing it first (before numpy, scipy, numba, surprise or implicit) fixes every
thread pool to ``THREADS`` threads — ``RECSYS_LAB_BENCH_THREADS``, default 2, the
cores of the project's CI machine — through ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``NUMBA_NUM_THREADS``, then again at
run time with threadpoolctl and ``numba.set_num_threads``. Ours and the peer get the
same threads.

* :func:`side_by_side` times ours and the peer in the same process, interleaved
  (peer, ours, ours, peer, ...), ``repeat`` times each: the two share the machine's
  noise, so their ratio is more trustworthy than either time.
* :class:`Timing` keeps every run's wall-clock and CPU seconds; a table shows the
  median with the min–max range.
* :class:`PeakRSS` samples the process's resident memory during a block.
* :func:`write_csv` writes one CSV per benchmark to ``benchmarks/results/`` with the
  machine and the versions in every row; ``tools/benchmark_tables.py`` builds the
  README's tables from those files.

These are offline benchmarks (``make benchmarks``), never run in CI or in tests.
"""

from __future__ import annotations

import os

THREADS = int(os.environ.get("RECSYS_LAB_BENCH_THREADS", "2"))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import datetime  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numba  # noqa: E402
import pandas as pd  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

RESULTS = Path(__file__).parent / "results"
_LIMITS = threadpool_limits(THREADS)  # BLAS/OpenMP pools already loaded, kept for the run
numba.set_num_threads(THREADS)


@dataclass
class Timing:
    """Wall-clock and CPU seconds of repeated runs of one measurement."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` once, record its times, return its result."""
        cpu, wall = time.process_time(), time.perf_counter()
        out = fn()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)
        return out

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def low(self) -> float:
        return min(self.wall)

    @property
    def high(self) -> float:
        return max(self.wall)

    def columns(self, prefix: str) -> dict[str, float]:
        """``{prefix}_median_s, _min_s, _max_s, _cpu_s`` (CPU: median over the runs)."""
        return {
            f"{prefix}_median_s": self.median,
            f"{prefix}_min_s": self.low,
            f"{prefix}_max_s": self.high,
            f"{prefix}_cpu_s": statistics.median(self.cpu),
        }


def timed(fn: Callable[[], Any], repeat: int = 3, warmup: int = 0) -> tuple[Any, Timing]:
    """Run ``fn`` ``warmup`` times untimed (e.g. to compile), then ``repeat`` times timed."""
    for _ in range(warmup):
        fn()
    timing = Timing()
    out = None
    for _ in range(repeat):
        out = timing.run(fn)
    return out, timing


def side_by_side(
    ours: Callable[[], Any], peer: Callable[[], Any], repeat: int = 3, warmup: int = 0
) -> tuple[Any, Any, Timing, Timing]:
    """Time ``ours`` and ``peer`` ``repeat`` times each, interleaved in this process.

    The order alternates (peer first, then ours first, ...), so that neither side
    always runs on a warmer or cooler machine. Returns the last results and timings:
    ``(ours_out, peer_out, ours_timing, peer_timing)``.
    """
    for _ in range(warmup):
        ours()
        peer()
    t_ours, t_peer = Timing(), Timing()
    out_ours = out_peer = None
    for rep in range(repeat):
        if rep % 2 == 0:
            out_peer = t_peer.run(peer)
            out_ours = t_ours.run(ours)
        else:
            out_ours = t_ours.run(ours)
            out_peer = t_peer.run(peer)
    return out_ours, out_peer, t_ours, t_peer


class PeakRSS:
    """``with PeakRSS() as mem: ...`` — the process's peak resident memory during the
    block (``mem.peak_mb``) and its rise over the start (``mem.rise_mb``), sampled
    every 2 ms from ``/proc/self/statm`` (Linux). Unlike tracemalloc, it sees memory
    that numba and C extensions allocate, and does not slow Python code down."""

    def __init__(self, every: float = 0.002) -> None:
        self.every = every
        self.start_mb = self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.rss_mb())
            time.sleep(self.every)

    def __enter__(self) -> PeakRSS:
        self.start_mb = self.peak_mb = self.rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.rss_mb())

    @property
    def rise_mb(self) -> float:
        return self.peak_mb - self.start_mb


def version(package: str) -> str:
    """The installed version of ``package``, or "not installed"."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(peers: tuple[str, ...] = ()) -> dict[str, object]:
    """The machine, the thread setting, the load and the versions, for every CSV row."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": THREADS,
        "load_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        **{name: version(name) for name in ("numpy", "scipy", "pandas", "numba")},
        "recsys_lab": version("recsys-lab"),
        "peers": "; ".join(f"{p} {version(p)}" for p in peers),
    }


def row(
    case: str,
    step: str,
    ours: Timing,
    peer: Timing | None = None,
    peer_name: str = "",
    check: str = "",
    **extra: object,
) -> dict[str, object]:
    """One CSV row: a measurement of ours, beside the peer's if there is one.

    ``speedup`` is the peer's median over ours (> 1: ours is faster).
    """
    out: dict[str, object] = {"case": case, "step": step, "peer": peer_name}
    out |= ours.columns("ours")
    if peer is not None:
        out |= peer.columns("peer") | {"speedup": peer.median / ours.median}
    out |= {"repeats": len(ours.wall), "check": check, **extra}
    return out


def write_csv(
    name: str,
    rows: list[dict[str, object]],
    peers: tuple[str, ...] = (),
    replace_on: str | None = None,
    order_by: list[str] | None = None,
) -> Path:
    """Write ``benchmarks/results/{name}.csv`` (rows + machine columns) and print it.

    With ``replace_on`` (a column), rows of an existing CSV whose value there is not
    among the new rows' are kept, each with the machine columns of its own run: a
    benchmark can be rerun one part at a time. ``order_by``: columns to sort the rows by.
    """
    table, about = pd.DataFrame(rows), machine(peers)
    for key, value in about.items():
        table[key] = value
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.csv"
    if replace_on is not None and path.exists():
        old = pd.read_csv(path)
        kept = old[~old[replace_on].isin(table[replace_on])]
        table = pd.concat([kept, table], ignore_index=True)
    if order_by:
        table = table.sort_values(order_by, kind="stable")
    table.to_csv(path, index=False, float_format="%.6g")
    with pd.option_context("display.width", 200, "display.max_columns", 12):
        print(table.drop(columns=list(about)).to_string(index=False))
    print(f"wrote {path}")
    return path
