"""The teaching kit: the static site renders and the make targets exist."""

import subprocess
import sys
from pathlib import Path

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
