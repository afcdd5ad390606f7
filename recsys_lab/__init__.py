"""recsys-lab: the helper package behind the recommender-systems notebooks.

Every algorithm the notebooks teach lives here, small, documented and tested, in five
layers; each imports only from the layers below it (``spark``, the optional Spark
extra, sits beside ``evaluation`` and imports only ``data``):

==============  ===========================================================================
``teaching``    the salesperson example's distances, voting and neighbours, assignment,
                exercises, widgets, plots, and the notebooks' ready-made experiments
``simulation``  the offer world, 90/10 serving with logged propensities, A/B logs, bandits
``evaluation``  metrics, splits-based tuning (``model_selection``), statistics, off-policy
                estimators, A/B analysis, newcomer evaluation
``models``      every recommender on one contract (:class:`models.Recommender`), and
                the cold-start strategies, similarities and re-ranking they use
``data``        shipped tables, the synthetic shop, MovieLens, your own events, splits
==============  ===========================================================================

The short paths of the public API work as well (see :mod:`recsys_lab._moved`):

>>> from recsys_lab import datasets, neighbors
>>> neighbors.predict(datasets.load_sales(), "Alyssa", "Staples", k=2)
400000.0
"""

from recsys_lab import _moved, coldstart, mf
from recsys_lab import data as datasets
from recsys_lab import simulation as offers
from recsys_lab.evaluation import metrics, model_selection, ope, stats
from recsys_lab.teaching import assignment, distances, neighbors, voting

_moved.install()

__all__ = [
    "assignment",
    "coldstart",
    "datasets",
    "distances",
    "metrics",
    "mf",
    "model_selection",
    "neighbors",
    "offers",
    "ope",
    "stats",
    "voting",
]
__version__ = "0.2.0"


def __getattr__(name: str) -> object:
    """``recsys_lab.exercises`` and the other 0.1 modules, through their old paths (warns)."""
    if f"recsys_lab.{name}" in _moved.OLD:
        return _moved.old_module(f"recsys_lab.{name}")
    raise AttributeError(f"module 'recsys_lab' has no attribute {name!r}")
