"""The teaching kit: the static site renders and the make targets exist."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_site  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_site_has_a_page_with_figures_per_notebook(tmp_path):
    written = make_site.main(ROOT / "notebooks", tmp_path)
    index = (tmp_path / "index.html").read_text()
    positions = [index.index(p.stem + ".html") for p in NOTEBOOKS]
    assert positions == sorted(positions)  # notebook order
    for path in NOTEBOOKS:
        page = (tmp_path / f"{path.stem}.html").read_text()
        assert "data:image/png;base64" in page and "Key takeaways" in page
    assert len(written) == len(NOTEBOOKS) + 1


def test_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("site:", "wheelhouse:", "test-browser:", "lock:", "OFFLINE", "NO_MOVIELENS"):
        assert target in makefile
    out = subprocess.run(["make", "-n", "site"], cwd=ROOT, capture_output=True, text=True)
    assert "make_site.py" in out.stdout


def _notebook(text: str, tagged: bool = True, count: int | None = 1) -> dict:
    tags = ["nbval-check-output"] if tagged else []
    cell = {
        "cell_type": "code",
        "id": "c1",
        "metadata": {"tags": tags},
        "execution_count": count,
        "source": "print(1)",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": text}],
    }
    return {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_browser_check_compares_tagged_outputs_of_the_run(tmp_path):
    import browser_check

    committed, saved = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    committed.write_text(json.dumps(_notebook("0.934\n")))
    saved.write_text(json.dumps(_notebook("0.934\n")))
    assert browser_check.saved_outputs_match("nb", saved, committed) == 1
    saved.write_text(json.dumps(_notebook("0.935\n")))
    with pytest.raises(AssertionError, match="printed\n0.935\ninstead of\n0.934"):
        browser_check.saved_outputs_match("nb", saved, committed)
    saved.write_text(json.dumps(_notebook("0.934\n", count=None)))
    with pytest.raises(AssertionError, match="did not run"):
        browser_check.saved_outputs_match("nb", saved, committed)
    cleared = browser_check.without_outputs(_notebook("x"))
    assert cleared["cells"][0]["outputs"] == [] and cleared["cells"][0]["execution_count"] is None
