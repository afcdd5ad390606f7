"""Matrix factorization, as the notebooks import it: SGD (Surprise's SVD) and ALS.

The algorithms live in :mod:`recsys_lab.models` (one per module, with their formulas);
this module keeps the short import path ``from recsys_lab.mf import …`` that the
notebooks and the README use.

>>> import pandas as pd
>>> r = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "a"], "rating": [5.0, 3.0, 4.0]})
>>> ALSMatrixFactorization(n_factors=2).fit(r).predict([2], ["b"]).shape
(1,)
"""

from recsys_lab.models.als_mf import ALSMatrixFactorization
from recsys_lab.models.factorization import factor_recovery
from recsys_lab.models.sgd_mf import SGDMatrixFactorization, sgd_epoch

__all__ = ["ALSMatrixFactorization", "SGDMatrixFactorization", "factor_recovery", "sgd_epoch"]
