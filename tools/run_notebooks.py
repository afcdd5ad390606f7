"""Execute notebooks in place so that their committed outputs are fresh and stable.

Usage: python tools/run_notebooks.py notebooks/*.ipynb

Rerunning changes no output: cells are run top to bottom in a fresh kernel,
timing metadata is not recorded, widget views (whose model ids are random and which a
static viewer cannot render anyway) keep only their text fallback, and stderr streams
(library warnings, the JVM's log lines with timestamps and host names) are not kept, and
consecutive prints are merged into one stream output (their split varies between runs).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalise(nb: nbformat.NotebookNode) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if "outputs" in cell:  # how prints are split into messages varies from run to run
            merged: list = []
            for o in cell.outputs:
                if (
                    merged
                    and o.output_type == "stream"
                    and merged[-1].output_type == "stream"
                    and merged[-1].name == o.name
                ):
                    merged[-1].text += o.text
                else:
                    merged.append(o)
            cell.outputs = merged


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    normalise(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    for name in sys.argv[1:]:
        seconds = run(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")
