"""A membership card to print: its token and what its front and back say."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.program import Program
from app.domain.slip import StoreInfo


@dataclass(frozen=True)
class CardData:
    """One card to print: its token and what the front and back say."""

    token: str
    store: StoreInfo
    program: Program
    customer_name: str | None = None
    logo_path: str | None = None
    language: str = "ko"  # what the card's texts are printed in
