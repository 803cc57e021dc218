"""Keyed random draws: every uncertain input has its own stream, computable chunk by chunk.

An input (a foreground flow, a background exchange) is identified by a key string (see
:func:`scenat.uncertainty.foreground.flow_key` and :func:`exchange_keys`). Its stream for a
run's seed is SplitMix64 started from ``sha256(seed | key)``: draw ``i`` is
``mix(base + (i + 1) * 0x9E3779B97F4A7C15)`` (Steele, Lea and Flood 2014, "Fast splittable
pseudorandom number generators", the generator of Java's ``SplittableRandom``), turned into a
uniform in (0, 1) from its top 53 bits. The draw of iteration ``i`` therefore depends on
nothing but the seed, the key and ``i``:

* any chunk of iterations is computed directly, in any process (Dask workers), with the
  same numbers, and memory holds one chunk of draws, never a whole run;
* two cases that share an input (same flow key, same background exchange) share its draws:
  comparisons use common random numbers;
* adding, removing or reordering other inputs changes no input's draws.

Uniforms become samples by the inverse distribution function (``ndtri`` for the normal
and lognormal), one uniform per sample of every distribution.

>>> u = keyed_uniforms(key_bases(["a", "b"], seed=1), 0, 4)
>>> u.shape, bool(((u > 0) & (u < 1)).all())
((4, 2), True)
>>> bool(np.array_equal(keyed_uniforms(key_bases(["b"], seed=1), 2, 4), u[2:, 1:]))
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from scipy.special import ndtri

__all__ = [
    "FIXED",
    "LOGNORMAL",
    "NORMAL",
    "TRIANGULAR",
    "UNIFORM",
    "from_uniforms",
    "key_bases",
    "keyed_uniforms",
    "variance",
    "varying",
]

FIXED, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = (1, 2, 3, 4, 5)
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def key_bases(keys: Sequence[str], seed: int) -> np.ndarray:
    """The start of each key's stream for ``seed``: the first 8 bytes of ``sha256(seed|key)``."""
    out = np.empty(len(keys), dtype=np.uint64)
    prefix = f"{int(seed)}|".encode()
    for i, key in enumerate(keys):
        digest = hashlib.sha256(prefix + key.encode()).digest()
        out[i] = int.from_bytes(digest[:8], "little")
    return out


def keyed_uniforms(bases: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Uniforms in (0, 1) of iterations ``start..stop-1`` (rows) for every stream (columns)."""
    counter = np.arange(start + 1, stop + 1, dtype=np.uint64)
    # uint64 arithmetic wraps modulo 2^64, which SplitMix64 relies on
    z = bases[None, :] + counter[:, None] * _GAMMA
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    z >>= np.uint64(11)
    u = z.astype(np.float64)
    u += 0.5
    u *= 2.0**-53
    return u


def varying(kind: np.ndarray, scale: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Which inputs are uncertain: a known distribution with a spread (zero spread, or no
    distribution, keeps the amount exactly)."""
    kind = np.asarray(kind).astype(int)
    spread = np.nan_to_num(np.asarray(scale, dtype=float)) > 0
    bounded = np.asarray(high, dtype=float) > np.asarray(low, dtype=float)
    out = ~np.isin(kind, (0, FIXED))
    out &= ~(np.isin(kind, (LOGNORMAL, NORMAL)) & ~spread)
    out &= ~(np.isin(kind, (UNIFORM, TRIANGULAR)) & ~bounded)
    return out


def from_uniforms(
    u: np.ndarray,
    kind: np.ndarray,
    loc: np.ndarray,
    scale: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    sign: np.ndarray,
    other: np.ndarray | None = None,
) -> np.ndarray:
    """Samples (same shape as ``u``: iterations x inputs) by inverse distribution functions.

    Per input (column): lognormal ``sign * exp(loc + scale * Phi^-1(u))`` (``loc`` the log of
    the median magnitude); normal ``loc + scale * Phi^-1(u)``; uniform ``low + (high - low)
    u``; triangular with mode ``loc`` on ``[low, high]``. Other stats_arrays types need their
    parameter rows in ``other`` (stats_arrays' own ``ppf``).
    """
    out = np.empty_like(u)
    kind = np.asarray(kind).astype(int)
    for k in np.unique(kind):
        cols = np.flatnonzero(kind == k)
        uk = u[:, cols]
        if k == LOGNORMAL:
            z = ndtri(uk)
            z *= scale[cols]
            z += loc[cols]
            np.exp(z, out=z)
            z *= sign[cols]
            out[:, cols] = z
        elif k == NORMAL:
            out[:, cols] = loc[cols] + scale[cols] * ndtri(uk)
        elif k == UNIFORM:
            out[:, cols] = low[cols] + (high[cols] - low[cols]) * uk
        elif k == TRIANGULAR:
            a, b = low[cols], high[cols]
            c = np.clip(loc[cols], a, b)
            cut = (c - a) / (b - a)
            left = a + np.sqrt(uk * (b - a) * (c - a))
            right = b - np.sqrt((1 - uk) * (b - a) * (b - c))
            out[:, cols] = np.where(uk < cut, left, right)
        else:
            if other is None:
                raise ValueError(f"distribution type {k} needs its stats_arrays parameters")
            from stats_arrays import uncertainty_choices

            distribution = uncertainty_choices[int(k)]
            out[:, cols] = distribution.ppf(other[cols], uk.T).T
    return out


def variance(
    kind: np.ndarray,
    loc: np.ndarray,
    scale: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    other: np.ndarray | None = None,
) -> np.ndarray:
    """Each input's variance from its parameters (used to screen inputs for sensitivity).

    Lognormal ``m^2 e^{s^2} (e^{s^2} - 1)`` with ``m = e^loc``; normal ``scale^2``; uniform
    ``(b - a)^2 / 12``; triangular ``(a^2 + b^2 + c^2 - ab - ac - bc) / 18``; other types from
    their ppf at 199 quantiles.
    """
    kind = np.asarray(kind).astype(int)
    out = np.zeros(len(kind))
    s2 = np.asarray(scale, dtype=float) ** 2
    ln = kind == LOGNORMAL
    out[ln] = np.exp(2 * loc[ln]) * np.exp(s2[ln]) * np.expm1(s2[ln])
    out[kind == NORMAL] = s2[kind == NORMAL]
    un = kind == UNIFORM
    out[un] = (high[un] - low[un]) ** 2 / 12
    tr = kind == TRIANGULAR
    a, b = low[tr], high[tr]
    c = np.clip(loc[tr], a, b)
    out[tr] = (a**2 + b**2 + c**2 - a * b - a * c - b * c) / 18
    rest = ~np.isin(kind, (0, FIXED, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR))
    if rest.any() and other is not None:
        grid = (np.arange(1, 200) / 200.0)[:, None] * np.ones((1, int(rest.sum())))
        where = np.flatnonzero(rest)
        values = from_uniforms(
            grid,
            kind[where],
            loc[where],
            scale[where],
            low[where],
            high[where],
            np.ones(len(where)),
            other[where],
        )
        out[where] = values.var(axis=0)
    return np.nan_to_num(out)
