"""Layers: every import runs down, teaching → simulation → evaluation (spark) → models → data.

Old and short paths (``recsys_lab.stats``, ``recsys_lab.knn``) are the same module objects as
their real homes, and only the old ones warn.
"""

import ast
import importlib
import importlib.util
import json
import sys
import warnings
from pathlib import Path

import pytest

import recsys_lab
from recsys_lab import _moved

PACKAGE = Path(recsys_lab.__file__).parent
LAYERS = [
    "_validation",
    "_lists",
    "data",
    "models",
    "evaluation",
    "spark",
    "simulation",
    "teaching",
]
"""Bottom to top; a module may import from its own layer or any layer below."""
TOP = {"__init__", "_moved", "mf", "coldstart"}
"""The package's face (short paths), above every layer."""


def layer(module: str) -> int:
    """The rank of ``recsys_lab.<first>...`` (the face ranks above every layer)."""
    first = module.split(".")[1]
    return len(LAYERS) if first in TOP else LAYERS.index(first)


def imported(path: Path) -> set[str]:
    """Every recsys_lab module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: write the import absolutely")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("recsys_lab"):
            module = str(node.module)
            names = {f"{module}.{a.name}" for a in node.names}
            found |= {module} if "." in module else names
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("recsys_lab.")}
    return found


FILES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    for path in FILES:
        first = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert first in TOP or first in LAYERS, f"{path} is in no layer; add it to LAYERS or TOP"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_down(path):
    here = "recsys_lab." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    upward = [m for m in imported(path) if layer(m) > layer(here)]
    assert not upward, f"{here} imports from a higher layer: {sorted(upward)}"


def test_the_package_uses_real_paths_only():
    """Inside the package, nobody imports through a short or old path."""
    for path in FILES:
        aliased = [m for m in imported(path) if _moved.real_name(m) is not None]
        assert not aliased, f"{path} imports {aliased}; import the real module instead"


def forget(alias):
    """Drop an alias (and the aliases under it) from the import cache, not the real modules."""
    for name in [n for n in sys.modules if n == alias or n.startswith(alias + ".")]:
        del sys.modules[name]


@pytest.mark.parametrize("alias", sorted(_moved.SHORT))
def test_short_paths_are_the_real_modules_and_do_not_warn(alias):
    forget(alias)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = importlib.import_module(alias)
    assert alias in sys.modules  # it went through the finder
    assert module is importlib.import_module(_moved.SHORT[alias])
    assert module.__spec__.name == _moved.SHORT[alias]  # the real spec, not the alias's
    assert getattr(recsys_lab, alias.rsplit(".", 1)[1]) is module


@pytest.mark.parametrize("alias", sorted(_moved.OLD))
def test_old_paths_work_and_warn_at_the_import_line(alias):
    home = importlib.import_module(_moved.OLD[alias])
    forget(alias)
    with pytest.warns(DeprecationWarning, match=_moved.OLD[alias].replace(".", r"\.")) as seen:
        module = __import__(alias, fromlist=["_"])
    assert module is home
    assert seen[0].filename == __file__  # shown by Python's default filters in __main__


def test_old_module_attributes_warn_at_the_caller():
    forget("recsys_lab.widgets")
    vars(recsys_lab).pop("widgets", None)  # as in a fresh process
    with pytest.warns(DeprecationWarning, match="teaching.widgets") as seen:
        from recsys_lab import widgets
    assert widgets is importlib.import_module("recsys_lab.teaching.widgets")
    assert seen[0].filename == __file__


@pytest.mark.parametrize(("host", "name"), sorted(_moved.NAMES))
def test_moved_functions_are_found_where_they_were_with_a_warning(host, name):
    home = importlib.import_module(_moved.NAMES[host, name])
    with pytest.warns(DeprecationWarning, match=name) as seen:
        found = getattr(importlib.import_module(host), name)
    assert found is getattr(home, name)
    assert seen[0].filename == __file__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = importlib.import_module(host).nope


PUBLISHED = json.loads((Path(__file__).parent / "published_names.json").read_text())
"""The public names of release 0.1's modules (recorded from its source before the move)."""


@pytest.mark.parametrize("path", sorted(PUBLISHED))
def test_every_name_of_the_last_release_is_still_there(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = importlib.import_module(path)
        missing = [n for n in PUBLISHED[path] if not hasattr(module, n)]
    assert not missing, f"{path} lost {missing}; re-export them or list them as Breaking"


def test_submodules_of_a_short_path_are_not_copied():
    from recsys_lab.evaluation.metrics import sampled

    forget("recsys_lab.metrics")
    importlib.import_module("recsys_lab.metrics")
    forget("recsys_lab.metrics.sampled")  # so the finder itself must map the submodule
    assert importlib.import_module("recsys_lab.metrics.sampled") is sampled


def test_a_missing_module_under_a_short_path_is_not_found():
    assert importlib.util.find_spec("recsys_lab.metrics.nope") is None
    with pytest.raises(ModuleNotFoundError, match="recsys_lab.metrics.nope"):
        importlib.import_module("recsys_lab.metrics.nope")


def test_importing_a_submodule_by_its_short_path_keeps_the_package_s_functions():
    """``metrics.evaluate`` is a function and ``metrics/evaluate.py`` a module of that name."""
    forget("recsys_lab.metrics")
    from recsys_lab.metrics.evaluate import set_level_resamples  # noqa: F401

    from recsys_lab import metrics

    assert callable(metrics.evaluate)
