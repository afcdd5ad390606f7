"""The short and the old import paths, answered by the modules' real homes.

The package is laid out by layer (``data``, ``models``, ``evaluation``, ``simulation``,
``teaching``), but the paths the README publishes keep working:
``from recsys_lab import stats`` and ``import recsys_lab.stats`` give the very module
object :mod:`recsys_lab.evaluation.stats` (not a copy, so classes, ``isinstance`` and
monkeypatching behave). :data:`SHORT` are the stable short names; :data:`OLD` are the
paths of release 0.1, which still work for one release and warn with a
:class:`DeprecationWarning`; :data:`NAMES` are functions that left their 0.1 module.
``CHANGELOG.md`` lists every move.

A finder on :data:`sys.meta_path` (installed by ``recsys_lab/__init__.py``) maps a path
and everything under it, e.g. ``recsys_lab.metrics.sampled`` →
``recsys_lab.evaluation.metrics.sampled``; the longest matching prefix wins.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from types import CodeType, ModuleType

SHORT: dict[str, str] = {
    "recsys_lab.datasets": "recsys_lab.data",
    "recsys_lab.distances": "recsys_lab.teaching.distances",
    "recsys_lab.neighbors": "recsys_lab.teaching.neighbors",
    "recsys_lab.voting": "recsys_lab.teaching.voting",
    "recsys_lab.assignment": "recsys_lab.teaching.assignment",
    "recsys_lab.offers": "recsys_lab.simulation",
    "recsys_lab.metrics": "recsys_lab.evaluation.metrics",
    "recsys_lab.stats": "recsys_lab.evaluation.stats",
    "recsys_lab.ope": "recsys_lab.evaluation.ope",
    "recsys_lab.model_selection": "recsys_lab.evaluation.model_selection",
}
"""Stable short paths (no warning): the modules of the README's public API."""

OLD: dict[str, str] = {
    "recsys_lab.knn": "recsys_lab.models.knn",
    "recsys_lab.baselines": "recsys_lab.models.baselines",
    "recsys_lab.movielens": "recsys_lab.data.movielens",
    "recsys_lab.similarities": "recsys_lab.models.similarities",
    "recsys_lab.rerank": "recsys_lab.models.rerank",
    "recsys_lab.surprise_tools": "recsys_lab.models.surprise_tools",
    "recsys_lab.abtest": "recsys_lab.evaluation.abtest",
    "recsys_lab.bandits": "recsys_lab.simulation.bandits",
    "recsys_lab.exercises": "recsys_lab.teaching.exercises",
    "recsys_lab.experiments": "recsys_lab.teaching.experiments",
    "recsys_lab.plots": "recsys_lab.teaching.plots",
    "recsys_lab.widgets": "recsys_lab.teaching.widgets",
}
"""Paths of release 0.1, deprecated: they warn and will be removed in 0.3."""

NAMES: dict[tuple[str, str], str] = {
    ("recsys_lab.evaluation.model_selection", "leave_one_out"): "recsys_lab.teaching.vote_errors",
    **{
        ("recsys_lab.simulation.bandits", name): "recsys_lab.models.private_popularity"
        for name in ("clipped_counts", "private_counts", "private_popularity")
    },
    ("recsys_lab.simulation.bandits", "private_top_n_overlap"): (
        "recsys_lab.models.private_popularity"
    ),
}
"""(module, name) → the module the name moved to: 0.1 names, deprecated like :data:`OLD`."""


def real_name(name: str) -> str | None:
    """The real module behind a short or old path, or None if ``name`` is not one.

    >>> real_name("recsys_lab.metrics.sampled")
    'recsys_lab.evaluation.metrics.sampled'
    >>> real_name("recsys_lab.models.knn") is None
    True
    """
    matches = [a for a in (*SHORT, *OLD) if name == a or name.startswith(a + ".")]
    if not matches:
        return None
    alias = max(matches, key=len)
    return {**SHORT, **OLD}[alias] + name[len(alias) :]


def _is_old(name: str) -> bool:
    return any(name == alias or name.startswith(alias + ".") for alias in OLD)


def _deprecated(old: str, new: str, depth: int = 3) -> None:
    # stacklevel 3 is the caller of our caller; warnings.warn skips the import system's own
    # frames on the way, so the warning names the line with the import statement (which is
    # where Python's default filters show a DeprecationWarning: in __main__, a notebook)
    warnings.warn(f"{old} moved to {new}; the old path goes in 0.3.", DeprecationWarning, depth)


class _Alias(importlib.abc.Loader):
    """Loads an alias as the real module itself (imported under its own name)."""

    def __init__(self, home: str, real: importlib.machinery.ModuleSpec) -> None:
        self.home = home
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.home)
        # A package's loaded submodules get their alias names now: imported through the
        # finder instead, each would be set as an attribute of the package, hiding a
        # function of the same name (metrics.evaluate, the function, by its module).
        for name, sub in list(sys.modules.items()):
            if name.startswith(self.home + "."):
                sys.modules.setdefault(spec.name + name[len(self.home) :], sub)
        return module

    def exec_module(self, module: ModuleType) -> None:
        alias = module.__spec__.name if module.__spec__ else self.home
        module.__spec__ = self.real  # the import system set the alias's spec; put it back
        if _is_old(alias):
            _deprecated(alias, self.home)

    def get_code(self, fullname: str) -> CodeType | None:
        """The real module's code (for ``python -m`` on a short path)."""
        loader = self.real.loader
        if not isinstance(loader, importlib.abc.InspectLoader):
            raise ImportError(f"{self.home} has no code to run.")
        return loader.get_code(self.home)


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds short and old paths; every other name is left to the usual finders."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """A spec whose loader returns the real module, for a short or old path."""
        home = real_name(fullname)
        real = None if home is None else importlib.util.find_spec(home)
        if home is None or real is None:
            return None  # not an alias, or nothing there: the usual "No module named"
        is_package = real.submodule_search_locations is not None
        return importlib.util.spec_from_loader(
            fullname, _Alias(home, real), origin=real.origin, is_package=is_package
        )


def forward_names() -> None:
    """Let :data:`NAMES` still be found, with a warning, where release 0.1 had them."""
    hosts: dict[str, dict[str, str]] = {}
    for (host, name), home in NAMES.items():
        hosts.setdefault(host, {})[name] = home
    for host, moved in hosts.items():
        module = importlib.import_module(host)

        def missing(name: str, _host: str = host, _moved: dict[str, str] = moved) -> object:
            if name not in _moved:
                raise AttributeError(f"module {_host!r} has no attribute {name!r}")
            _deprecated(f"{_host}.{name}", f"{_moved[name]}.{name}")
            return getattr(importlib.import_module(_moved[name]), name)

        vars(module)["__getattr__"] = missing  # PEP 562: asked only for missing names


def old_module(name: str) -> ModuleType:
    """The module behind the 0.1 path ``name`` (in :data:`OLD`), with the warning.

    For ``from recsys_lab import widgets``: the warning names the caller's line.
    """
    _deprecated(name, OLD[name], depth=4)
    return importlib.import_module(OLD[name])


def install() -> None:
    """Put :class:`MovedFinder` first on :data:`sys.meta_path` (once); forward :data:`NAMES`."""
    if not any(isinstance(f, MovedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
    forward_names()
