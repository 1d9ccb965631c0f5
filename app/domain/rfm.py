"""RFM scores and the named segments they map to (issue 19).

Definitions (the daily run computes them in SQL, `app/services/segments.py`; this module holds
the same rules in plain Python for the tests and for one member's explanation):

* **Scored members** ("active members" for RFM): status ``active`` with at least one purchase
  that still stands (not voided, amount > 0) within the last ``WINDOW_DAYS`` (365) days.
  Members without one are *unscored* and shown apart ("no purchase in a year").
* **Recency** = the moment of the last such purchase; **frequency** = the number of such
  purchases in the window; **monetary** = their amount in won, net of refunds in the window.
* **Scores 1–5 by quintile of rank**: ``score = 1 + 5 * (rank - 1) // n`` where ``rank`` is
  the SQL ``RANK()`` (1 for the lowest value; equal values share the lowest rank) among the
  ``n`` scored members. Ties therefore always get the same score, and with distinct values each
  score holds a fifth of the members. Recency ranks the oldest last purchase lowest (recent = 5).
* **Named segments** from (R, F), first rule that matches (M is shown, not used to name):

  ========= ======================== =====================
  code      Korean                   rule
  ========= ======================== =====================
  champions 충성 고객                  R >= 4 and F >= 4
  potential 잠재 충성                  R >= 4 and F in 2..3
  new       신규                      R >= 4 and F == 1
  at_risk   이탈 위험                  R <= 2 and F >= 3
  dormant   휴면                      R <= 2 and F <= 2
  attention 관심 필요                  otherwise (R == 3)
  ========= ======================== =====================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WINDOW_DAYS = 365
SEGMENTS = ("champions", "potential", "new", "attention", "at_risk", "dormant")


def score(rank: int, n: int) -> int:
    """The 1–5 quintile score of a 1-based rank (RANK(): ties share the lowest) among n."""
    if n <= 0 or not 1 <= rank <= n:
        raise ValueError("rank must be within 1..n")
    return 1 + 5 * (rank - 1) // n


def scores(values: Sequence[int], *, reverse: bool = False) -> list[int]:
    """Each value's score as SQL computes it: RANK() over the values ascending (descending
    when ``reverse``, as recency in days is: fewest days scores 5)."""
    n = len(values)
    keyed = [-v for v in values] if reverse else list(values)
    ordered = sorted(keyed)
    first_rank: dict[int, int] = {}
    for i, value in enumerate(ordered, start=1):
        first_rank.setdefault(value, i)
    return [score(first_rank[v], n) for v in keyed]


def segment_of(r: int, f: int) -> str:
    """The named segment of a member's recency and frequency scores (the table above)."""
    if r >= 4:
        if f >= 4:
            return "champions"
        return "potential" if f >= 2 else "new"
    if r <= 2:
        return "at_risk" if f >= 3 else "dormant"
    return "attention"


@dataclass(frozen=True)
class GridCell:
    """Members with recency score ``r`` and frequency score ``f``, and their spend."""

    r: int
    f: int
    members: int
    spend: int


@dataclass(frozen=True)
class SegmentCount:
    code: str
    members: int
    spend: int  # won over the window


@dataclass(frozen=True)
class RfmOverview:
    """What the reports show: the 5×5 R×F grid, the named segments, the unscored members."""

    computed_on: str | None  # local day of the last computation (None: never computed)
    scored: int
    unscored: int  # active members with no purchase in the window
    grid: tuple[GridCell, ...]
    segments: tuple[SegmentCount, ...]

    def cell(self, r: int, f: int) -> GridCell:
        for cell in self.grid:
            if cell.r == r and cell.f == f:
                return cell
        return GridCell(r, f, 0, 0)
