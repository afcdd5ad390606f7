r"""Similarities between users (or items) over co-rated values, as Surprise defines them.

For two users :math:`u, v` with co-rated items :math:`I_{uv}` (:math:`n = |I_{uv}|`):

=========  ==================================================================================
name       similarity
=========  ==================================================================================
``msd``    :math:`\frac{1}{\text{msd}(u,v) + 1}`, with
           :math:`\text{msd}(u,v) = \frac1n \sum_{i \in I_{uv}} (r_{ui} - r_{vi})^2`
``cosine`` :math:`\frac{\sum r_{ui} r_{vi}}{\sqrt{\sum r_{ui}^2}\sqrt{\sum r_{vi}^2}}`
           (sums over :math:`I_{uv}`)
``pearson`` cosine of the values centred on their means *over* :math:`I_{uv}`; 0 when a
           variance is 0
=========  ==================================================================================

Pairs with fewer than ``min_support`` co-rated values get similarity 0, as in
Surprise 1.1.5 (``surprise.similarities``). A ``shrinkage`` :math:`\lambda > 0`
multiplies the similarity by :math:`n / (n + \lambda)`, so that a similarity
resting on two shared ratings counts less than one resting on fifty.

The all-pairs version needs, for every pair of rows :math:`(a, b)`, four sums over
their co-rated columns — in matrix form, with :math:`B` the 0/1 pattern of :math:`X`,
:math:`n = BB^\top`, :math:`\sum r_a r_b = XX^\top`, :math:`\sum r_a^2 = (X \circ X)B^\top`
and :math:`\sum r_a = XB^\top`. A compiled kernel accumulates all of them in one pass
over the pairs of ratings that share a column (Gustavson's row-by-row sparse product),
a block of rows at a time so that memory stays at the similarity matrix plus a few
blocks, and only for pairs :math:`a \le b` (similarities are symmetric). With integer
(or half-star) ratings these sums are exact in floating point, whatever their order, and
the results are bit-for-bit those of Surprise.
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys_lab._validation import as_pair, check_choice, check_matrix, check_positive_int

SIMILARITIES: tuple[str, ...] = ("msd", "cosine", "pearson")


def _check(metric: str, min_support: int, shrinkage: float) -> None:
    check_choice(metric, "similarity", SIMILARITIES)
    check_positive_int(min_support, "min_support", minimum=0)
    if not np.isfinite(shrinkage) or shrinkage < 0:
        raise ValueError(f"shrinkage must be a finite number >= 0, got {shrinkage}.")


def _from_sums(
    metric: str,
    n: np.ndarray,
    prods: np.ndarray,
    sqi: np.ndarray,
    sqj: np.ndarray,
    si: np.ndarray,
    sj: np.ndarray,
    min_support: int,
    shrinkage: float,
) -> np.ndarray:
    """Similarity from the co-rated sums (same operations, same order as Surprise).

    ``si, sj`` are read by Pearson only.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "msd":
            sim = 1.0 / ((sqi + sqj - 2.0 * prods) / n + 1.0)
        elif metric == "cosine":
            sim = prods / np.sqrt(sqi * sqj)
        else:
            num = n * prods - si * sj
            den = np.sqrt((n * sqi - si**2) * (n * sqj - sj**2))
            sim = np.where(den == 0, 0.0, num / den)
    sim = np.where((n < min_support) | (n == 0), 0.0, sim)
    if shrinkage > 0:
        sim = sim * n / (n + shrinkage)
    return sim


def similarity(
    a: pd.Series | np.ndarray | list[float],
    b: pd.Series | np.ndarray | list[float],
    metric: str = "msd",
    min_support: int = 1,
    shrinkage: float = 0.0,
) -> float:
    r"""Similarity of two rows over the positions where both are known.

    Parameters
    ----------
    a, b : Series or array-like
        Values, NaN where unknown (two Series are aligned on their index).
    metric : {"msd", "cosine", "pearson"}
    min_support : int, default 1
        Fewer co-rated values than this gives 0.
    shrinkage : float, default 0
        :math:`\lambda` in the factor :math:`n / (n + \lambda)`.

    Examples
    --------
    >>> similarity([5, 3, None], [4, 3, 1], "msd")  # msd = (1 + 0) / 2
    0.6666666666666666
    >>> round(similarity([5, 3, 1], [4, 3, 1], "pearson"), 4)
    0.982
    """
    _check(metric, min_support, shrinkage)
    x, y = as_pair(a, b)
    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    n, prods, sqi, sqj, si, sj = (
        np.array(float(v)) for v in (both.sum(), x @ y, x @ x, y @ y, x.sum(), y.sum())
    )
    return float(_from_sums(metric, n, prods, sqi, sqj, si, sj, min_support, shrinkage))


@numba.njit(cache=True, parallel=True)
def _corated_sums(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    t_indptr: np.ndarray,
    t_indices: np.ndarray,
    t_data: np.ndarray,
    start: int,
    stop: int,
    with_sums: bool,
) -> tuple[np.ndarray, ...]:  # pragma: no cover - compiled; tested equal to sparse products
    """Co-rated sums of rows ``start:stop`` of CSR ``X`` with rows ``start:`` of ``X``.

    ``t_*`` is ``X.T`` in CSR with sorted indices. Returns ``n, sum r_a r_b, sum r_a^2,
    sum r_b^2, sum r_a, sum r_b`` (blocks of ``stop - start`` rows, one column per row
    from ``start`` on), the last two only ``with_sums`` (else empty).
    """
    block, width = stop - start, len(indptr) - 1 - start
    n, prods = np.zeros((block, width)), np.zeros((block, width))
    sqi, sqj = np.zeros((block, width)), np.zeros((block, width))
    s_rows = block if with_sums else 0
    si, sj = np.zeros((s_rows, width)), np.zeros((s_rows, width))
    for row in numba.prange(block):
        for p in range(indptr[start + row], indptr[start + row + 1]):
            col, ra = indices[p], data[p]
            for q in range(t_indptr[col + 1] - 1, t_indptr[col] - 1, -1):  # rows b, down
                b = t_indices[q] - start
                if b < 0:  # the rows before `start` were paired with these in earlier blocks
                    break
                rb = t_data[q]
                n[row, b] += 1.0
                prods[row, b] += ra * rb
                sqi[row, b] += ra * ra
                sqj[row, b] += rb * rb
                if with_sums:
                    si[row, b] += ra
                    sj[row, b] += rb
    return n, prods, sqi, sqj, si, sj


def sparse_similarities(
    X: sp.csr_matrix,
    metric: str = "msd",
    min_support: int = 1,
    shrinkage: float = 0.0,
    block_rows: int = 512,
) -> np.ndarray:
    """All-pairs similarity of the rows of a sparse matrix of ratings (stored = known).

    Returns a dense ``n_rows × n_rows`` array with 1 on the diagonal (as Surprise).
    Similarities are symmetric, so each block of ``block_rows`` rows is summed against
    itself and the rows after it only, and copied into the columns before it (memory:
    about six such blocks beside the result).

    >>> X = sp.csr_matrix(np.array([[5.0, 3.0, 0.0], [4.0, 3.0, 1.0]]))
    >>> sparse_similarities(X, "msd")[0, 1]  # msd over the 2 co-rated columns = 1/2
    np.float64(0.6666666666666666)
    """
    _check(metric, min_support, shrinkage)
    check_positive_int(block_rows, "block_rows")
    X = sp.csr_matrix(X, dtype=float)
    X.sum_duplicates()
    T = X.T.tocsr()
    T.sort_indices()
    n_rows, pearson = X.shape[0], metric == "pearson"
    sim = np.empty((n_rows, n_rows))
    for start in range(0, n_rows, block_rows):
        stop = min(start + block_rows, n_rows)
        n, prods, sqi, sqj, si, sj = _corated_sums(
            X.indptr, X.indices, X.data, T.indptr, T.indices, T.data, start, stop, pearson
        )
        sim[start:stop, start:] = _from_sums(
            metric, n, prods, sqi, sqj, si, sj, min_support, shrinkage
        )
        sim[start:stop, :start] = sim[:start, start:stop].T
    np.fill_diagonal(sim, 1.0)
    return sim


def similarity_matrix(
    R: pd.DataFrame,
    metric: str = "msd",
    user_based: bool = True,
    min_support: int = 1,
    shrinkage: float = 0.0,
) -> pd.DataFrame:
    """All-pairs similarities of the rows (``user_based=True``) or columns of ``R``.

    Examples
    --------
    >>> R = pd.DataFrame({"x": [5.0, 4.0], "y": [3.0, 3.0]}, index=["u", "v"])
    >>> similarity_matrix(R, "msd").loc["u", "v"]  # msd = (1 + 0) / 2
    np.float64(0.6666666666666666)
    """
    M = check_matrix(R)
    if not user_based:
        M = M.T
    values = M.to_numpy()
    known = ~np.isnan(values)
    X = sp.csr_matrix((values[known], np.nonzero(known)), shape=values.shape)
    sim = sparse_similarities(X, metric, min_support, shrinkage)
    return pd.DataFrame(sim, index=M.index, columns=M.index)
