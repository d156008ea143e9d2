"""Probability distributions of uncertain amounts, sampled many at a time.

An uncertain amount is described as in the ecoinvent and Brightway data models, and as IPCC 2006
Vol 1 ch 3 (section 3.2.2.4, Approach 2) asks of Monte Carlo inputs: a distribution kind and its
parameters. ``amount`` is the deterministic value used by a static calculation:

- ``lognormal``: the median (geometric mean); ``scale`` is the geometric standard deviation
  σg = exp(σ) of ln|X| (so the 95 % interval is about amount/σg² … amount·σg²); the sign of
  ``amount`` is kept, so a negative amount (an avoided product) is a negative lognormal.
- ``normal``: the mean; ``scale`` the standard deviation.
- ``triangular``: the mode; ``low`` and ``high`` the bounds.
- ``uniform``: ``low`` and ``high`` (``amount`` is not used for sampling).
- ``none``: the amount itself in every sample.

Sampling is vectorised over every amount of one kind at once; a ``numpy.random.Generator``
made from a fixed seed gives the same samples on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NONE, LOGNORMAL, NORMAL, TRIANGULAR, UNIFORM = 0, 1, 2, 3, 4
KINDS: dict[str, int] = {
    "none": NONE,
    "lognormal": LOGNORMAL,
    "normal": NORMAL,
    "triangular": TRIANGULAR,
    "uniform": UNIFORM,
}


@dataclass(frozen=True)
class Uncertain:
    """Amounts with their distributions: parallel arrays of one length (``kind`` as int8 codes)."""

    amount: np.ndarray
    kind: np.ndarray
    scale: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def certain(cls, amount: np.ndarray) -> Uncertain:
        """Amounts without uncertainty (kind ``none``)."""
        amount = np.asarray(amount, dtype=np.float64)
        nan = np.full(amount.shape, np.nan)
        return cls(amount, np.zeros(amount.shape, dtype=np.int8), nan, nan.copy(), nan.copy())

    def __len__(self) -> int:
        return int(self.amount.shape[0])

    @property
    def uncertain(self) -> np.ndarray:
        """Positions of the amounts that vary between samples."""
        return np.flatnonzero(self.kind != NONE)

    def invalid(self) -> np.ndarray:
        """Positions whose parameters describe no distribution (a σg ≤ 1, a negative sd, bounds out of order)."""
        k, a, s, lo, hi = self.kind, self.amount, self.scale, self.low, self.high
        with np.errstate(invalid="ignore"):
            bad = np.zeros(len(self), dtype=bool)
            bad |= (k == LOGNORMAL) & ~((s > 1.0) & (a != 0.0))
            bad |= (k == NORMAL) & ~(s >= 0.0)
            bad |= (k == TRIANGULAR) & ~((lo <= a) & (a <= hi) & (lo < hi))
            bad |= (k == UNIFORM) & ~(lo < hi)
            bad |= ~np.isin(k, (NONE, LOGNORMAL, NORMAL, TRIANGULAR, UNIFORM))
        return np.flatnonzero(bad)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` joint samples of every amount, shape ``(n, len(self))``; independent between amounts."""
        out = np.broadcast_to(self.amount, (n, len(self))).copy()
        for kind in (LOGNORMAL, NORMAL, TRIANGULAR, UNIFORM):
            where = np.flatnonzero(self.kind == kind)
            if where.size:
                out[:, where] = self._draw(kind, where, rng, n)
        return out

    def _draw(self, kind: int, where: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
        a = self.amount[where]
        size = (n, where.size)
        if kind == LOGNORMAL:
            return np.sign(a) * rng.lognormal(np.log(np.abs(a)), np.log(self.scale[where]), size)
        if kind == NORMAL:
            return rng.normal(a, self.scale[where], size)
        if kind == TRIANGULAR:
            return rng.triangular(self.low[where], a, self.high[where], size)
        return rng.uniform(self.low[where], self.high[where], size)

    def mean(self) -> np.ndarray:
        """The expected value of each amount (for checks of Monte Carlo against the analytic mean)."""
        out = self.amount.copy()
        k = self.kind
        lg = k == LOGNORMAL
        out[lg] = self.amount[lg] * np.exp(np.log(self.scale[lg]) ** 2 / 2)
        tri = k == TRIANGULAR
        out[tri] = (self.low[tri] + self.amount[tri] + self.high[tri]) / 3
        uni = k == UNIFORM
        out[uni] = (self.low[uni] + self.high[uni]) / 2
        return out
