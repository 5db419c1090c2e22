"""A challenge's staff console: its people (organizers, judges) and reading its audit log."""

from arena.staff.auditlog import (
    PER_PAGE,
    AuditEntry,
    AuditFilter,
    AuditPage,
    audit_actors,
    audit_page,
    audit_rows,
    parse_kind,
)
from arena.staff.people import Person, add_person, challenge_people, find_person, parse_role, remove_person

__all__ = [
    "PER_PAGE",
    "AuditEntry",
    "AuditFilter",
    "AuditPage",
    "Person",
    "add_person",
    "audit_actors",
    "audit_page",
    "audit_rows",
    "challenge_people",
    "find_person",
    "parse_kind",
    "parse_role",
    "remove_person",
]
