"""The organizer console's link list: append ``ConsoleLink(endpoint, label)`` entries for new console pages.

The console home shows, in this order, every entry whose endpoint exists in the running app; each endpoint
takes the challenge's ``slug`` as its only URL argument.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class ConsoleLink:
    """One page of the organizer console."""

    endpoint: str
    label: LazyString
    hint: LazyString | None = None


CONSOLE_LINKS: list[ConsoleLink] = [
    ConsoleLink("console.audit", _l("Audit log"), _l("Who changed what, when and why.")),
    ConsoleLink("console.queue", _l("Queue"), _l("Waiting, running and failed submissions and re-runs.")),
    ConsoleLink("console_people.people", _l("People"), _l("Co-organizers and judges.")),
    ConsoleLink("integrity.signals", _l("Integrity signals")),
    ConsoleLink("finals_manage.manage", _l("Final")),
    ConsoleLink("console_edit.texts", _l("Pages"), _l("Description, rules and data pages in both languages.")),
    ConsoleLink(
        "console_edit.phases", _l("Phases and scorers"), _l("Windows, quotas, split, freeze, Ladder; scorer options.")
    ),
    ConsoleLink(
        "console_tracks.tracks",
        _l("Tracks and phases"),
        _l("A track's titles, scorer, columns and label set; add or remove tracks and phases."),
    ),
    ConsoleLink("console_data.data", _l("Data files"), _l("Public files and each phase's hidden key.")),
    ConsoleLink(
        "console_publish.dry_run", _l("Dry run and publishing"), _l("Score the sample and baseline, then publish.")
    ),
    ConsoleLink("console_publish.export", _l("Export as a bundle")),
    ConsoleLink(
        "console_create.reimport", _l("Import the bundle again"), _l("A new version of this challenge's bundle.")
    ),
]
