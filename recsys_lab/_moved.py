"""The short and the old import paths, answered by the modules' real homes.

The package is laid out by layer (``data``, ``models``, ``evaluation``, ``simulation``,
``teaching``), but the paths the notebooks, DESIGN.md and the README publish keep working:
``from recsys_lab import stats`` and ``import recsys_lab.stats`` give the very module
object :mod:`recsys_lab.evaluation.stats` (not a copy, so classes, ``isinstance`` and
monkeypatching behave). :data:`SHORT` are the stable short names; :data:`OLD` are 0.1
paths, which still work for one release and warn with a :class:`DeprecationWarning`.

A finder on :data:`sys.meta_path` (installed by ``recsys_lab/__init__.py``) maps a path
and everything under it, e.g. ``recsys_lab.metrics.sampled`` →
``recsys_lab.evaluation.metrics.sampled``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

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
"""Stable short paths (no warning): the names of DESIGN.md's public API."""

OLD: dict[str, str] = {
    "recsys_lab.knn": "recsys_lab.models.knn",
    "recsys_lab.baselines": "recsys_lab.models.baselines",
    "recsys_lab.movielens": "recsys_lab.data.movielens",
    "recsys_lab.similarities": "recsys_lab.models.similarities",
    "recsys_lab.two_stage": "recsys_lab.models.two_stage",
    "recsys_lab.rerank": "recsys_lab.models.rerank",
    "recsys_lab.surprise_tools": "recsys_lab.models.surprise_tools",
    "recsys_lab.abtest": "recsys_lab.evaluation.abtest",
    "recsys_lab.bandits": "recsys_lab.simulation.bandits",
    "recsys_lab.ope_study": "recsys_lab.simulation.ope_study",
    "recsys_lab.exercises": "recsys_lab.teaching.exercises",
    "recsys_lab.explanations": "recsys_lab.teaching.explanations",
    "recsys_lab.experiments": "recsys_lab.teaching.experiments",
    "recsys_lab.plots": "recsys_lab.teaching.plots",
    "recsys_lab.rating_errors": "recsys_lab.teaching.rating_errors",
    "recsys_lab.widgets": "recsys_lab.teaching.widgets",
}
"""0.1 paths, deprecated: they warn and will be removed in 0.3."""


def real_name(name: str) -> str | None:
    """The real module behind a short or old path, or None if ``name`` is not one.

    >>> real_name("recsys_lab.metrics.sampled")
    'recsys_lab.evaluation.metrics.sampled'
    >>> real_name("recsys_lab.models.knn") is None
    True
    """
    for table in (SHORT, OLD):
        for alias, home in table.items():
            if name == alias or name.startswith(alias + "."):
                return home + name[len(alias) :]
    return None


def _is_old(name: str) -> bool:
    return any(name == alias or name.startswith(alias + ".") for alias in OLD)


class _Alias(importlib.abc.Loader):
    """Loads an alias as the real module itself (imported under its own name)."""

    def __init__(self, home: str) -> None:
        self.home = home

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.home)
        self._spec = module.__spec__  # the import system overwrites it; put it back below
        # A package's loaded submodules get their alias names now: imported through the
        # finder instead, each would be set as an attribute of the package, hiding a
        # function of the same name (metrics.evaluate, the function, by its module).
        for name, sub in list(sys.modules.items()):
            if name.startswith(self.home + "."):
                sys.modules.setdefault(spec.name + name[len(self.home) :], sub)
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds short and old paths; every other name is left to the usual finders."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """A spec whose loader returns the real module, for a short or old path."""
        home = real_name(fullname)
        if home is None:
            return None
        if _is_old(fullname):
            warnings.warn(
                f"{fullname} moved to {home}; the old path is removed in 0.3.",
                DeprecationWarning,
                stacklevel=_importer_level(),
            )
        return importlib.machinery.ModuleSpec(fullname, _Alias(home))


def _importer_level() -> int:
    """The warning's stacklevel that names the line with the import statement."""
    frame, level = sys._getframe(2), 3
    while frame.f_back is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame, level = frame.f_back, level + 1
    return level


def install() -> None:
    """Put :class:`MovedFinder` first on :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, MovedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
