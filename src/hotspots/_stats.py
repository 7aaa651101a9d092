"""Statistics shared by scanning, the grid and assessment.

Multiple-testing corrections, exact Poisson tails and quantiles, two-sided normal p-values
and the exact conditional rate-ratio interval: each in one place, so that
:func:`hotspots.find_hotspots`, :func:`hotspots.grid_gistar` and :func:`hotspots.assess`
compute them the same way.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.stats.contingency import odds_ratio

CORRECTIONS: tuple[str, ...] = ("bh", "holm")
"""Multiple-testing corrections: Benjamini-Hochberg (false discovery rate) or Holm (FWER)."""


def adjust_p(p: np.ndarray, correction: str) -> np.ndarray:
    """Adjust p-values for multiple testing: Benjamini-Hochberg or Holm.

    Parameters
    ----------
    p : ndarray of float
        The p-values, in any order.
    correction : {"bh", "holm"}
        Benjamini-Hochberg (false discovery rate) or Holm (family-wise error rate).

    Returns
    -------
    ndarray of float
        The adjusted p-values, in the order of `p`.

    Examples
    --------
    >>> import numpy as np
    >>> adjust_p(np.array([0.01, 0.04, 0.03]), "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_p(np.array([0.01, 0.04, 0.03]), "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    if len(p) == 0:
        return p.copy()
    if correction == "bh":
        return stats.false_discovery_control(p, method="bh")
    order = np.argsort(p, kind="stable")
    k = len(p)
    stepped = np.minimum(1.0, (k - np.arange(k)) * p[order])
    adjusted = np.empty(k)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


def poisson_upper_tail(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Exact Poisson upper tail ``P(X >= observed)`` for ``X ~ Poisson(expected)``.

    Examples
    --------
    >>> import numpy as np
    >>> poisson_upper_tail(np.array([0, 3]), np.array([1.0, 1.0])).round(4).tolist()
    [1.0, 0.0803]
    """
    return stats.poisson.sf(observed - 1, expected)


def poisson_upper_quantile(tail: float, mu: float) -> int:
    """Smallest ``q`` with ``P(X > q) <= tail`` for ``X ~ Poisson(mu)``.

    Examples
    --------
    >>> poisson_upper_quantile(0.01, 2.0)
    6
    """
    return int(stats.poisson.isf(tail, mu))


def two_sided_normal_p(z: np.ndarray | float) -> np.ndarray | float:
    """Two-sided p-value ``2 P(Z > |z|)`` of a standard normal z.

    Examples
    --------
    >>> round(float(two_sided_normal_p(1.959964)), 4)
    0.05
    """
    return 2.0 * stats.norm.sf(np.abs(z))


def rate_ratio_interval(
    a: int, b: int, c: int, d: int, level: float
) -> tuple[float, float, float, float]:
    """Rate ratio ``(b / a) / (d / c)`` with its exact conditional interval and p-value.

    ``a``, ``b`` are one area's counts before and after, ``c``, ``d`` the other's. The
    ratio is the odds ratio of ``[[b, a], [d, c]]``; the interval inverts the two one-sided
    exact conditional tests (``scipy.stats.contingency.odds_ratio(kind="conditional")``)
    and the p-value is Fisher's two-sided exact test. A table with an empty row or column
    says nothing: its interval is ``(0, inf)`` and its p-value 1.

    Returns
    -------
    tuple of float
        ``(rate_ratio, ci_low, ci_high, p_value)``; the ratio is infinite when ``a d = 0``
        (NaN when ``b c = 0`` too).

    Examples
    --------
    >>> [round(v, 1) for v in rate_ratio_interval(1, 3, 3, 1, 0.95)]
    [9.0, 0.2, 626.2, 0.5]
    """
    rr = (b * c) / (a * d) if a * d > 0 else (math.inf if b * c > 0 else math.nan)
    if (a + b == 0) or (c + d == 0) or (b + d == 0) or (a + c == 0):
        return rr, 0.0, math.inf, 1.0
    table = [[b, a], [d, c]]
    ci = odds_ratio(table, kind="conditional").confidence_interval(confidence_level=level)
    p = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    return float(rr), float(ci.low), float(ci.high), min(p, 1.0)
