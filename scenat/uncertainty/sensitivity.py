"""Global sensitivity of Monte Carlo results: squared standardised regression coefficients.

Over ``n`` iterations, the output ``y`` is regressed on the sampled inputs ``X`` (one column
per input), both standardised: ``(y - mean y) / sd y = sum_i SRC_i (x_i - mean x_i) / sd x_i
+ e``. ``SRC_i = b_i sd(x_i) / sd(y)`` with ``b`` the least-squares slopes. For independent
inputs and a linear model ``SRC_i^2`` is the share of ``var(y)`` due to input ``i``
(``y = a x1 + b x2``: ``SRC_1^2 = a^2 var(x1) / var(y)``) and they sum to the coefficient of
determination ``R^2``; a low ``R^2`` says the linear model does not explain the variance
(interactions, strong non-linearity, or inputs left out), and the ranking is then only
indicative.

>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal((200_000, 2)) * [1.0, 2.0]
>>> fit = src_squared(x, 3 * x[:, 0] + x[:, 1])
>>> [round(float(v), 2) for v in fit.src2], round(fit.r2, 6)  # 9/13, 4/13
([0.69, 0.31], 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Regression", "src_squared"]


@dataclass
class Regression:
    """Standardised regression coefficients of one output on its inputs."""

    src: np.ndarray
    src2: np.ndarray
    r2: float
    iterations: int


def src_squared(inputs: np.ndarray, output: np.ndarray) -> Regression:
    """SRC and SRC^2 of each input column, and R^2 of the linear fit (module docstring).

    Inputs that do not vary in the sample get 0; an output that does not vary gives all
    zeros and ``R^2 = 0`` (nothing to explain). Needs more iterations than inputs + 1 for a
    meaningful fit; with fewer, every coefficient is NaN.
    """
    x = np.asarray(inputs, dtype=float)
    y = np.asarray(output, dtype=float)
    n, p = x.shape
    src = np.zeros(p)
    sd_y = y.std(ddof=1) if n > 1 else 0.0
    if p == 0 or not sd_y > 0:
        return Regression(src, src**2, 0.0, n)
    sd_x = x.std(axis=0, ddof=1)
    keep = sd_x > 0
    if n <= int(keep.sum()) + 1:
        src[:] = np.nan
        return Regression(src, src, float("nan"), n)
    xs = (x[:, keep] - x[:, keep].mean(axis=0)) / sd_x[keep]
    ys = (y - y.mean()) / sd_y
    coefficients, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    src[keep] = coefficients
    residual = ys - xs @ coefficients
    r2 = 1.0 - float(residual @ residual) / float(ys @ ys)
    return Regression(src, src**2, r2, n)
