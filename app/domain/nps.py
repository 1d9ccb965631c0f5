"""The visit rating: the 0–10 answer, who is asked, and the Net Promoter Score of a month.

NPS is the share of promoters (9–10) minus the share of detractors (0–6), in points from
−100 to +100. Everything here is integer or Decimal arithmetic, never float:

* the shares are percentages with one decimal, halves rounded up (``ROUND_HALF_UP``);
* the NPS is computed from the exact counts, 100 × (promoters − detractors) / answers,
  rounded to a whole number with halves away from zero, so it can differ by one from the
  difference of the two rounded shares shown beside it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from app.domain.errors import Refused
from app.domain.plain_text import clean_line

MIN_SCORE, MAX_SCORE = 0, 10
PROMOTER_FROM = 9  # 9 and 10
DETRACTOR_TO = 6  # 0 to 6
MAX_COMMENT = 200
RELIABLE_ANSWERS = 30  # under this many answers a month's NPS is shown with a warning

Category = Literal["promoter", "passive", "detractor"]


def category(score: int) -> Category:
    """Where an answer counts: promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= PROMOTER_FROM:
        return "promoter"
    if score <= DETRACTOR_TO:
        return "detractor"
    return "passive"


def check_rating(score: object, comment: str | None) -> tuple[int, str | None]:
    """The score and the cleaned comment (None when blank), or a refusal in words."""
    if not isinstance(score, int) or isinstance(score, bool) or not MIN_SCORE <= score <= MAX_SCORE:
        raise Refused("rating.score_range", low=MIN_SCORE, high=MAX_SCORE)
    text = clean_line(comment or "")
    if len(text) > MAX_COMMENT:
        raise Refused("rating.comment_long", maximum=MAX_COMMENT, length=len(text))
    return score, text or None


def percent(part: int, whole: int) -> Decimal:
    """part / whole as a percentage with one decimal, halves up; 0 when there is no whole."""
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def score_of(promoters: int, detractors: int, answers: int) -> int:
    """The NPS from exact counts: 100 × (promoters − detractors) / answers, halves away from
    zero; 0 when nobody answered."""
    if answers <= 0:
        return 0
    numerator = 100 * (promoters - detractors)
    magnitude, rest = divmod(abs(numerator), answers)
    if 2 * rest >= answers:
        magnitude += 1
    return magnitude if numerator >= 0 else -magnitude


@dataclass(frozen=True)
class NpsMonth:
    """One month's answers and score."""

    month: str  # "2026-03", the shop's local month
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def promoters_pct(self) -> Decimal:
        return percent(self.promoters, self.answers)

    @property
    def detractors_pct(self) -> Decimal:
        return percent(self.detractors, self.answers)

    @property
    def nps(self) -> int:
        return score_of(self.promoters, self.detractors, self.answers)

    @property
    def few_answers(self) -> bool:
        """Fewer than RELIABLE_ANSWERS: one answer moves the score a lot."""
        return self.answers < RELIABLE_ANSWERS


def tally(month: str, scores: Iterable[int]) -> NpsMonth:
    """A month's scores counted by category."""
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for score in scores:
        counts[category(score)] += 1
    return NpsMonth(
        month,
        sum(counts.values()),
        counts["promoter"],
        counts["passive"],
        counts["detractor"],
    )


def sampled(key: str, rate_percent: int) -> bool:
    """Whether the sale with this key is asked, at a sampling rate of rate_percent (0–100).

    Stable: the same key always gives the same answer (a retried prompt asks the same), and
    a key asked at some rate is asked at every higher rate. The key's SHA-256 gives a bucket
    0–99; the sale is asked when its bucket is below the rate."""
    if rate_percent <= 0:
        return False
    if rate_percent >= 100:
        return True
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % 100
    return bucket < rate_percent
