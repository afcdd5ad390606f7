"""The project's own promises: two commands, one environment, executed notebooks."""

import json
import re
from pathlib import Path

import pytest
import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
    wanted.discard("recsys-lab")  # the extras refer to each other
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    have = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            have |= {_name(r) for r in dep["pip"] if not r.startswith("-e")}
        else:
            have.add(_name(dep))
    have -= {"python", "pip"}
    assert have == wanted, (
        f"only in environment.yml: {have - wanted}; only in pyproject: {wanted - have}"
    )


def test_recmetrics_is_installed_the_same_way_everywhere():
    pins = {
        name: re.findall(r"recmetrics==[\d.]+", (ROOT / name).read_text())
        for name in ("Makefile", "environment.yml", "postBuild", "README.md")
    }
    assert all(found == [pins["Makefile"][0]] * len(found) and found for found in pins.values())
    assert "--no-deps" in (ROOT / "postBuild").read_text()


def test_readme_and_ci_use_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:40])
    assert "make lab" in first_screen and "make test" in first_screen
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    for nb in NOTEBOOKS:
        assert nb.name[:2] in readme, f"{nb.name} is missing from the README's notebook map"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_and_stable(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "run `make notebooks` (top to bottom, once)"
    assert not any(o.get("output_type") == "error" for c in code for o in c["outputs"])
    text = path.read_text()
    assert "widget-view+json" not in text and '"execution":' not in text, "run `make notebooks`"
    tags = [t for c in code for t in c.get("metadata", {}).get("tags", [])]
    assert "nbval-check-output" in tags, "tag the cells whose printed numbers nbval must check"
    assert "NBVAL_CHECK_OUTPUT" not in text, "use the nbval-check-output cell tag, not a comment"
    first = "".join(nb["cells"][0]["source"])
    for heading in ("You will learn", "Time", "Prerequisites"):
        assert heading in first
    all_md = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for section in ("Exercises", "Key takeaways", "References"):
        assert section in all_md


MONEY = re.compile(r"(?:\\?\$|&#36;)\s?(?:\d{1,3}(?:,\d{3})+|\d{4,})")  # $400,000 \$4000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_writes_no_dollar_sign_before_an_amount(path):
    """In JupyterLab two such signs in a paragraph pair up as math and swallow the prose
    between them (the browser test catches it where it happens); write "USD 400,000"."""
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        prose = re.sub(r"`[^`]*`", "", "".join(cell["source"]))  # inline code is safe
        found = MONEY.search(prose)
        assert not found, f"{path.name}: {prose[max(found.start() - 30, 0) : found.end() + 30]!r}"


def _exercise_module(path: Path):
    import importlib

    return importlib.import_module(f"recsys_lab.teaching.exercises.{path.stem[3:]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_learners_write_code_and_no_answer_ships(path):
    """Every exercise is checked in the notebook, blank; two or more ask for a function."""
    from recsys_lab.teaching.exercises import Exercise, FunctionExercise

    module = _exercise_module(path)
    questions = {
        name: q for name, q in vars(module).items() if isinstance(q, Exercise | FunctionExercise)
    }
    functions = [n for n, q in questions.items() if isinstance(q, FunctionExercise)]
    assert len(functions) >= 2, f"{path.name}: at least two write-a-function exercises"
    cells = json.loads(path.read_text())["cells"]
    assert not any("solution" in c.get("metadata", {}).get("tags", []) for c in cells)
    source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for name in questions:
        assert f"ex.{name}.check(" in source, f"{path.name}: {name} is never checked"
        assert f"ex.{name}.solution()" not in source, "solutions are printed only on request"
    checks = [
        "".join("".join(o.get("text", "")) for o in c["outputs"])
        for c in cells
        if c["cell_type"] == "code" and ".check(" in "".join(c["source"])
    ]
    assert checks and all("Not attempted" in out for out in checks), (
        f"{path.name}: every committed exercise cell must be blank (it prints 'Not attempted')"
    )


@pytest.mark.slow
def test_the_built_wheel_carries_its_data(tmp_path):
    """A wheel unpacked outside the checkout finds the shipped data (importlib.resources)."""
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = (tmp_path / "dist").glob("recsys_lab-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp_path / "site")
    code = (
        "import recsys_lab, recsys_lab.data as d; "
        "print(recsys_lab.__file__); print(d.load_sales().loc['Alyssa', 'Google']); "
        "print(len(d.load_marketing().ratings))"
    )
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out[0].startswith(str(tmp_path / "site"))
    assert out[1:] == ["500000.0", "14212"]


@pytest.mark.slow
def test_readme_contract_example_runs_on_real_data():
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "EASE" in b)
    namespace: dict = {}
    exec(block.replace("compare_to=", "n_resamples=200, compare_to="), namespace)
    table = namespace["result"].table()
    assert table.loc["ndcg@10", "ease"] > table.loc["ndcg@10", "popularity"]
    assert abs(table.loc["precision@10", "popularity"] - 0.19) < 0.02  # the reported figure
