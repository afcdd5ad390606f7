"""The teaching kit: student notebooks run and report "not attempted"; the site renders."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_site  # noqa: E402
import make_student  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.main(ROOT / "notebooks", out)
    return out


def test_student_notebooks_have_no_solutions_and_no_outputs(student_dir):
    for path in NOTEBOOKS:
        nb = json.loads((student_dir / path.name).read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert not any("solution" in c["metadata"].get("tags", []) for c in code)
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
        assert "NBVAL_CHECK_OUTPUT" not in (student_dir / path.name).read_text()


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_student_notebook_runs_and_every_exercise_is_not_attempted(student_dir, name):
    nb = nbformat.read(student_dir / name, as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    exercises = [c for c in nb.cells if c.cell_type == "code" and "= ____" in c.source]
    assert exercises
    for cell in exercises:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert "Not attempted" in text, cell.source


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
    for target in ("student:", "site:", "wheelhouse:", "test-browser:", "OFFLINE"):
        assert target in makefile
    out = subprocess.run(["make", "-n", "student"], cwd=ROOT, capture_output=True, text=True)
    assert "make_student.py" in out.stdout
