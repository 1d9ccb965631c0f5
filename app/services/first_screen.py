"""Whether the counter's sign-in screen can come before the shop is opened, and with what.

The usual start opens the shop first (SQLAlchemy, the models, the services: most of a
second on a till) and only then shows the sign-in screen. A shop that is ready as it is
-- at this version's schema, seeded, set up, nothing to ask first -- can show its sign-in
screen from a quick read of the file (app.db.peek) and be opened behind it. Anything else
(a new shop, one to upgrade, the setup wizard or the demo question due, a PostgreSQL URL, a
file that cannot be read) takes the usual way, which explains itself in words.

No SQLAlchemy here: this module is imported before the first screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.db.peek import head_revision, peek_shop
from app.domain.staff import StaffMember

SETUP_DONE = "setup_done"  # app.services.setup's key: the wizard was finished
LANGUAGES = ("ko", "en")


@dataclass(frozen=True)
class FirstScreen:
    store_name: str
    staff: list[StaffMember]  # who may sign in, as app.services.staff.list_staff gives them
    language: str  # the shop's `language` setting (its default: Korean)


def first_screen(target: str | None) -> FirstScreen | None:
    """The sign-in screen's facts of a shop ready as it is, or None (open it the usual way).

    "Ready" is what app.ui.app.first_run would find: no setup wizard due (set up, or the
    owner has a PIN, or there are members, as setup.needs_setup) and no demo question (it
    was offered, or there are members, as offer_demo)."""
    peek = peek_shop(target)
    if peek is None or peek.revision != head_revision() or "register_id" not in peek.settings:
        return None
    settings = peek.settings
    set_up = bool(settings.get(SETUP_DONE)) or peek.owner_has_pin or peek.has_members
    if not set_up or not (settings.get("demo_offered") or peek.has_members):
        return None
    language = settings.get("language")
    return FirstScreen(
        store_name=peek.store_name or "Dangol",
        staff=peek.staff,
        language=language if language in LANGUAGES else "ko",
    )
