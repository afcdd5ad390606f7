"""Render the executed notebooks to a static HTML site (no kernel needed to read them).

Usage: python tools/make_site.py notebooks build/site

One page per notebook (figures embedded) and an index.html that lists them in order,
with the title and the "you will learn" line of each.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter


def describe(nb: nbformat.NotebookNode) -> tuple[str, str]:
    first = nb.cells[0].source
    title = re.search(r"^#\s+(.+)$", first, re.M)
    learn = re.search(r"\*\*You will learn\*\*\s*\|\s*(.+?)\s*\|", first)
    return (title.group(1) if title else "untitled"), (learn.group(1) if learn else "")


def main(source: Path, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    entries, written = [], []
    for path in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb)
        page = target / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        title, learn = describe(nb)
        entries.append(
            f'<li><a href="{page.name}">{html.escape(title)}</a><br><small>'
            f"{html.escape(learn)}</small></li>"
        )
        written.append(page)
    index = target / "index.html"
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>recsys-lab</title>"
        "<h1>recsys-lab notebooks</h1><p>Executed notebooks, in order. Run them yourself "
        "with <code>make lab</code>.</p><ol>" + "".join(entries) + "</ol>",
        encoding="utf-8",
    )
    return [index, *written]


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {path}")
