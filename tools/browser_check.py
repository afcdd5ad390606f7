"""Prove the notebooks work where learners meet them: a real JupyterLab in a real browser.

Usage: .venv/bin/python tools/browser_check.py [NN …]   (or `make test-browser`)

Starts JupyterLab from this environment on a free localhost port, with a token, in a
temporary copy of notebooks/; drives Debian's Chromium (never a downloaded browser) with
Playwright. For EVERY notebook (or the numbers given): opens it and checks, as JupyterLab
renders it, that no cell shows an error and that no typeset math swallowed prose (two
dollar signs in a paragraph pairing up as math: the words glue together inside the
formula). nbval executes every notebook; here only the two with explorer widgets run
(Run All, saved, the tagged cells' outputs compared with the committed ones), and their
widgets are moved to check the displayed value changes to what the package computes.
Screenshots go to build/browser/: each notebook's first screen and every figure as
JupyterLab draws it (``NN_name-figure-KK.png``), to look at. Stops the server in every
case and gives up after a bounded time.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "build" / "browser"
LIMIT_SECONDS = 1500
# the explorer of the notebook in the current tab (hidden tabs keep their DOM)
ACTIVE = "'.jp-NotebookPanel:not(.lm-mod-hidden) .rl-prediction'"
VISIBLE_HAS = (
    f"text => [...document.querySelectorAll({ACTIVE})].some(e => e.textContent.includes(text))"
)
PANEL = "'.jp-NotebookPanel:not(.lm-mod-hidden)'"
DEBUG = f"""() => ({{
    predictions: [...document.querySelectorAll({ACTIVE})].map(e => e.textContent),
    panels: document.querySelectorAll('.jp-NotebookPanel').length,
    outputs: [...document.querySelector({PANEL}).querySelectorAll('.jp-OutputArea-output')]
        .slice(-8).map(e => e.textContent.slice(0, 80))}})"""
SCROLL_TO = f"() => document.querySelector({ACTIVE}).scrollIntoView({{block: 'center'}})"
# Rendered math in markdown cells whose text glues words together ("200,000fromAlyssa"):
# math ignores spaces, so prose paired up between two dollar signs loses them. A lower-case
# word running into a capitalised one, or 16+ letters in a row, is prose; real formulas
# stay below that (N_\text{impressions} renders as 12 letters).
SWALLOWED = """() => [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell mjx-container')]
    .map(e => e.textContent)
    .filter(t => /[a-z]{3,}[A-Z][a-z]{2,}|[A-Za-z]{16,}/.test(t))"""
CHECKED = "nbval-check-output"
# Notebooks run here (their widgets need a kernel); nbval executes every notebook anyway,
# so the others are only opened and their committed outputs checked as rendered.
RUN = ("01", "03")
# The salesperson explorer: the article's equal vote, then the rank-weighted one.
WIDGET_01 = ("Alyssa × Staples: $400,000", "Alyssa × Staples: $433,333")


def saved_outputs_match(name: str, saved: Path, committed: Path) -> int:
    """Compare the tagged cells' text outputs of the run with the committed notebook."""
    ran = {c["id"]: c for c in json.loads(saved.read_text())["cells"]}
    unrun = [i for i, c in ran.items() if c["cell_type"] == "code" and not c["execution_count"]]
    assert not unrun, f"{name}: the saved notebook has cells that did not run: {unrun[:3]}"
    checked = 0
    for cell in json.loads(committed.read_text())["cells"]:
        if CHECKED not in cell.get("metadata", {}).get("tags", []):
            continue
        want, got = _text(cell), _text(ran[cell["id"]])
        assert got == want, f"{name}: cell {cell['id']} printed\n{got}\ninstead of\n{want}"
        checked += 1
    return checked


def without_outputs(nb: dict) -> dict:
    """The notebook with every output and execution count cleared."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def _text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append("".join(out["text"]))
        elif "data" in out and "text/plain" in out["data"]:
            parts.append("".join(out["data"]["text/plain"]))
    return "".join(parts).strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_settings(folder: Path) -> Path:
    """User settings for the test: render every cell (no windowing), no news pop-up."""
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    }.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return folder


def start_lab(workdir: Path, port: int, token: str, log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={workdir}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:  # containers and CI run as root
        cmd.append("--allow-root")
    out = open(log, "w")  # noqa: SIM115 - closed with the process
    env = os.environ | {"JUPYTERLAB_SETTINGS_DIR": str(lab_settings(workdir.parent / "settings"))}
    proc = subprocess.Popen(
        cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env
    )
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    for _ in range(120):
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer on port {port}; see {log}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def save(page) -> None:
    """Save the notebook in the active tab and wait until it is written."""
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
        timeout=60_000,
    )
    time.sleep(1)


def shut_down_kernels(base: str, token: str) -> None:
    """One kernel at a time: memory stays that of one notebook."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as r:
        sessions = json.load(r)
    for session in sessions:
        url = f"{base}/api/sessions/{session['id']}?token={token}"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=10)


def rendering_problems(page, name: str) -> None:
    """No error output and no prose typeset as math in the active notebook."""
    errors = page.evaluate(
        """() => [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) '
                + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                .map(e => e.textContent).filter(t => /Error|Traceback/.test(t))"""
    )
    assert not errors, f"{name}: a cell shows an error: {errors[0][:500]}"
    swallowed = page.evaluate(SWALLOWED)
    assert not swallowed, f"{name}: typeset math swallowed prose: {swallowed[:3]}"


def figure_shots(page, name: str) -> int:
    """Screenshot every figure of the active notebook as JupyterLab draws it."""
    figures = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
    for j in range(figures.count()):
        figures.nth(j).scroll_into_view_if_needed()
        figures.nth(j).screenshot(path=str(SHOTS / f"{name}-figure-{j + 1:02d}.png"))
    return figures.count()


def open_rendered(page, name: str, url: str) -> None:
    """Open a notebook with its committed outputs and check how it renders."""
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=120_000)
    time.sleep(3)  # markdown and math typeset asynchronously
    rendering_problems(page, name)
    print(f"{name}: renders without errors and without prose typeset as math")


def run_all(page, name: str, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    page.click(".jp-Notebook")
    page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    deadline = time.time() + 300  # the slowest notebook runs in about a minute
    idle_since = None
    while time.time() < deadline:
        busy = page.evaluate(
            """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .some(p => p.textContent.includes('*'))
                || !!document.querySelector(
                    ".jp-Notebook-ExecutionIndicator:not([data-status='idle'])")"""
        )
        idle_since = None if busy else (idle_since or time.time())
        if idle_since and time.time() - idle_since > 3:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"{name}: cells still running after 300 s")
    rendering_problems(page, name)
    print(f"{name}: all cells ran without errors; no prose typeset as math")


def check_widget(page, name: str, change, before: str, after: str) -> None:
    page.wait_for_function(VISIBLE_HAS, arg=before, timeout=60_000)
    page.evaluate(SCROLL_TO)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-before.png"))
    change(page)
    page.wait_for_function(VISIBLE_HAS, arg=after, timeout=60_000)
    page.screenshot(path=str(SHOTS / f"{name}-after.png"))
    print(f"{name}: the widget shows {before!r}, then {after!r}")


def pick(label: str, value: str):
    def change(page) -> None:
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        box = panel.locator(f".widget-dropdown:has(label:text-is('{label}')) select").first
        box.select_option(value)

    return change


def expected_values() -> dict[str, str]:
    """The weighted-voting explorer's top pick for user 200, by similarity (its defaults)."""
    from recsys_lab import data as datasets
    from recsys_lab.evaluation import model_selection
    from recsys_lab.teaching import explanations
    from recsys_lab.teaching.widgets import recommendation_view

    ml = datasets.load_movielens("100k")
    train, validation, _ = model_selection.train_validation_test_split(
        ml.ratings, model_selection.per_user_split, test_size=0.2, random_state=0
    )
    train_val = pd.concat([train, validation])
    names = explanations.titles(ml.items)
    picks = {}
    for similarity in ("msd", "pearson"):
        top, _ = recommendation_view(
            train_val,
            200,
            k=40,
            labels=names,
            user_based=False,
            shrinkage=100,
            min_k=20,
            similarity=similarity,
        )
        picks[similarity] = f"{top['name'].iloc[0]} (score {top['score'].iloc[0]:.2f})"
    return picks


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise SystemExit(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    wanted = sys.argv[1:]
    notebooks = [
        p
        for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if not wanted or p.name[:2] in wanted
    ]
    signal.alarm(LIMIT_SECONDS)  # never hang CI
    expected = expected_values()
    checked = 0
    work = Path(tempfile.mkdtemp(prefix="recsys-lab-browser-"))
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    for path in (work / "notebooks").glob("*.ipynb"):  # what is compared must come from this run
        if path.name[:2] in RUN:
            path.write_text(json.dumps(without_outputs(json.loads(path.read_text())), indent=1))
    token, port = secrets.token_hex(16), free_port()
    SHOTS.mkdir(parents=True, exist_ok=True)
    lab = start_lab(work / "notebooks", port, token, SHOTS / "jupyterlab.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            server = f"http://127.0.0.1:{port}"
            base = f"{server}/lab/tree"
            try:
                checked = 0
                for path in notebooks:
                    url = f"{base}/{path.name}?token={token}&reset"
                    if path.name[:2] in RUN:
                        run_all(page, path.stem, url)
                        save(page)
                        n = saved_outputs_match(path.stem, work / "notebooks" / path.name, path)
                        print(f"{path.stem}: {n} checked cells print what is committed")
                    else:
                        open_rendered(page, path.stem, url)
                    page.screenshot(path=str(SHOTS / f"{path.stem}.png"))
                    print(f"{path.stem}: {figure_shots(page, path.stem)} figures screenshotted")
                    checked += 1
                    if path.name.startswith("01_"):
                        check_widget(page, "01", pick("Weights", "rank"), *WIDGET_01)
                        checked += 1
                    if path.name.startswith("03_") and expected:
                        check_widget(
                            page,
                            "03",
                            pick("Similarity", "pearson"),
                            expected["msd"],
                            expected["pearson"],
                        )
                        checked += 1
                    shut_down_kernels(server, token)
            except Exception:
                page.screenshot(path=str(SHOTS / "failure.png"))
                print("debug:", page.evaluate(DEBUG))
                raise
            finally:
                browser.close()
    finally:
        stop(lab)
        shutil.rmtree(work, ignore_errors=True)
    print(f"screenshots in {SHOTS}")
    print(f"browser: {checked} passed, 0 failed")


if __name__ == "__main__":
    main()
