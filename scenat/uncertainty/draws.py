"""Keyed random draws: every uncertain input has its own stream, computable chunk by chunk.

An input (a foreground flow, a background exchange) is identified by a key string (see
:func:`scenat.uncertainty.flows.flow_key` and :func:`exchange_keys`). Its stream for a
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

Uniforms become samples of uniform and triangular distributions by the inverse
distribution function (one uniform per sample); normal and lognormal samples take their
standard normals from the same stream by the Box-Muller transform (Box and Muller 1958): the
uniforms of counters ``2p`` and ``2p + 1`` give iterations ``2p`` (``r cos t``) and ``2p + 1``
(``r sin t``), ``r = sqrt(-2 ln u_2p)``, ``t = 2 pi u_2p+1``: exact normals, at a third of
the cost of the inverse normal distribution function. Inputs are processed in blocks of
columns small enough to stay in cache.

>>> u = keyed_uniforms(key_bases(["a", "b"], seed=1), 0, 4)
>>> u.shape, bool(((u > 0) & (u < 1)).all())
((4, 2), True)
>>> bool(np.array_equal(keyed_uniforms(key_bases(["b"], seed=1), 2, 4), u[2:, 1:]))
True
>>> z = keyed_normals(key_bases(["a"], seed=1), 0, 5)
>>> bool(np.array_equal(keyed_normals(key_bases(["a"], seed=1), 3, 5), z[3:]))
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
    "keyed_normals",
    "keyed_samples",
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


def keyed_normals(bases: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Standard normals of iterations ``start..stop-1`` x streams (Box-Muller on the stream's
    uniforms, module docstring)."""
    first, last = start // 2, (stop + 1) // 2
    u = keyed_uniforms(bases, 2 * first, 2 * last)
    radius = np.log(u[0::2])
    radius *= -2.0
    np.sqrt(radius, out=radius)
    angle = u[1::2]
    angle *= 2 * np.pi
    z = np.empty((2 * (last - first), len(bases)))
    np.cos(angle, out=z[0::2])
    z[0::2] *= radius
    np.sin(angle, out=z[1::2])
    z[1::2] *= radius
    return z[start - 2 * first : stop - 2 * first]


#: streams per block in :func:`keyed_samples` (iterations x block floats stay in cache)
BLOCK = 2048


def keyed_samples(
    bases: np.ndarray,
    start: int,
    stop: int,
    kind: np.ndarray,
    loc: np.ndarray,
    scale: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    sign: np.ndarray,
    other: np.ndarray | None = None,
) -> np.ndarray:
    """Samples of iterations ``start..stop-1`` (rows) of inputs (columns) from their keyed
    streams: lognormal ``sign * exp(loc + scale z)``, normal ``loc + scale z`` (``z`` from
    :func:`keyed_normals`), others by :func:`from_uniforms` on :func:`keyed_uniforms`."""
    kind = np.asarray(kind).astype(int)
    out = np.empty((stop - start, len(bases)))
    gaussian = np.isin(kind, (LOGNORMAL, NORMAL))
    for begin in range(0, len(bases), BLOCK):
        end = min(begin + BLOCK, len(bases))
        cols = np.arange(begin, end)
        g = cols[gaussian[cols]]
        if len(g):
            # a block of only normal-type inputs (the usual case) is a slice: no copies
            g = slice(begin, end) if len(g) == end - begin else g
            z = keyed_normals(bases[g], start, stop)
            z *= scale[g]
            z += loc[g]
            ln = kind[g] == LOGNORMAL
            if ln.all():
                np.exp(z, out=z)
                z *= sign[g]
            elif ln.any():
                z[:, ln] = np.exp(z[:, ln]) * sign[g][ln]
            out[:, g] = z
        rest = cols[~gaussian[cols]]
        if len(rest):
            out[:, rest] = from_uniforms(
                keyed_uniforms(bases[rest], start, stop),
                kind[rest],
                loc[rest],
                scale[rest],
                low[rest],
                high[rest],
                sign[rest],
                other[rest] if other is not None else None,
            )
    return out


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
