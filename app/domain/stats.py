"""Fisher's exact test on a 2×2 table, written with math.comb (no scipy in the installer).

The table is ``[[a, b], [c, d]]``: rows are the two groups, columns "had the outcome" and
"did not". With the margins fixed, the count ``a`` follows the hypergeometric distribution;
the two-sided p-value adds the probabilities of every table at most as likely as the observed
one (the rule R's ``fisher.test`` and SciPy's ``fisher_exact`` use, with the same relative
tolerance 1e-7 for ties of probability). Exact integers until the one division per table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

RELATIVE_TOLERANCE = Fraction(1, 10**7) + 1


def _probabilities(a: int, b: int, c: int, d: int) -> tuple[int, dict[int, int], int]:
    """For each possible top-left count x: C(row1, x) * C(row2, col1 - x), and their total."""
    row1, row2, col1 = a + b, c + d, a + c
    low, high = max(0, col1 - row2), min(row1, col1)
    weights = {x: math.comb(row1, x) * math.comb(row2, col1 - x) for x in range(low, high + 1)}
    return math.comb(row1 + row2, col1), weights, weights[a]


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """The two-sided p-value of Fisher's exact test for [[a, b], [c, d]] (counts >= 0)."""
    if min(a, b, c, d) < 0:
        raise ValueError("counts must not be negative")
    total, weights, observed = _probabilities(a, b, c, d)
    if total == 0:
        return 1.0
    limit = observed * RELATIVE_TOLERANCE
    tail = sum(w for w in weights.values() if w <= limit)
    return min(1.0, float(Fraction(tail, total)))


def fisher_greater(a: int, b: int, c: int, d: int) -> float:
    """One-sided p-value: the chance of a top-left count of ``a`` or more."""
    total, weights, _ = _probabilities(a, b, c, d)
    return float(Fraction(sum(w for x, w in weights.items() if x >= a), total))


# too few members in a group, or too few outcomes overall, to tell anything apart
MIN_GROUP = 20
MIN_OUTCOMES = 5
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Comparison:
    """One outcome compared between the treatment group and the control group."""

    treated: int  # members in the group
    treated_hits: int  # of them, with the outcome
    control: int
    control_hits: int
    p_value: float
    verdict: str  # "too_small", "different", "no_difference"

    @property
    def difference_points(self) -> float:
        """Treated rate minus control rate, in percentage points (0 for an empty group)."""
        if not self.treated or not self.control:
            return 0.0
        return 100 * (self.treated_hits / self.treated - self.control_hits / self.control)


def compare(treated: int, treated_hits: int, control: int, control_hits: int) -> Comparison:
    """Fisher's test of the two rates, and what it allows one to say."""
    if not 0 <= treated_hits <= treated or not 0 <= control_hits <= control:
        raise ValueError("hits must be within 0..group size")
    p = fisher_exact(treated_hits, treated - treated_hits, control_hits, control - control_hits)
    hits = treated_hits + control_hits
    misses = treated + control - hits
    if min(treated, control) < MIN_GROUP or min(hits, misses) < MIN_OUTCOMES:
        verdict = "too_small"
    elif p < SIGNIFICANCE:
        verdict = "different"
    else:
        verdict = "no_difference"
    return Comparison(treated, treated_hits, control, control_hits, p, verdict)
