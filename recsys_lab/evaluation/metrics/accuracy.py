r"""Rating-prediction accuracy: RMSE and MAE over :math:`n` (rating, estimate) pairs.

:math:`\text{RMSE} = \sqrt{\frac1n\sum (r - \hat r)^2}`,
:math:`\text{MAE} = \frac1n\sum |r - \hat r|`.
"""

from __future__ import annotations

import numpy as np


def _pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of equal length: {t.shape}, {p.shape}.")
    if t.size == 0:
        raise ValueError("y_true is empty: there is nothing to score.")
    if np.isnan(t).any() or np.isnan(p).any():
        raise ValueError("y_true and y_pred must not contain NaN; drop unscored pairs first.")
    return t, p


def rmse(y_true: object, y_pred: object) -> float:
    """Root mean squared error.

    >>> rmse([4, 2], [3, 2])
    0.7071067811865476
    """
    t, p = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mae(y_true: object, y_pred: object) -> float:
    """Mean absolute error.

    >>> mae([4, 2], [3, 2])
    0.5
    """
    t, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))
