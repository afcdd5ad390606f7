"""Write the student notebooks: solutions removed, outputs cleared.

Usage: python tools/make_student.py notebooks build/student

Solutions are the code cells tagged ``solution`` (one per exercise, in every notebook).
Output checks (``# NBVAL_CHECK_OUTPUT``) are dropped too: a student notebook has no
reference outputs to compare with, so nbval only checks that every cell runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

MARKER = "# NBVAL_CHECK_OUTPUT"


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = []
    for cell in nb.cells:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            lines = cell.source.splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() != MARKER)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def main(source: Path, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        nb = student_version(nbformat.read(path, as_version=4))
        out = target / path.name
        nbformat.write(nb, out)
        written.append(out)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {path}")
