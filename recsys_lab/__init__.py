"""recsys-lab: the helper package behind the recommender-systems notebooks.

Every algorithm the notebooks teach lives here, small, documented and tested:

>>> from recsys_lab import datasets, neighbors
>>> neighbors.predict(datasets.load_sales(), "Alyssa", "Staples", k=2)
400000.0
"""

from recsys_lab import assignment, datasets, distances, exercises, neighbors, voting

__all__ = ["assignment", "datasets", "distances", "exercises", "neighbors", "voting"]
__version__ = "0.2.0"
