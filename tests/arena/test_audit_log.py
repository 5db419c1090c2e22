"""The audit catalogue and its labels, the audit log's filters, and the people service's rules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from arena import accounts, audit, staff
from arena.audit import ACTIONS, AuditKind
from arena.enums import ChallengeRoleKind, FinalStatus
from arena.errors import Conflict, NotFound
from arena.models import Challenge
from web.audit_labels import ACTION_LABELS, KIND_LABELS

ARENA = Path(__file__).resolve().parents[2] / "arena"
PREFIXES = {action.split(".")[0] for action in ACTIONS}
NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _literals_in_audited_modules() -> set[str]:
    """Every ``noun.verb`` string literal in arena modules that write the audit log."""
    found = set()
    for path in ARENA.rglob("*.py"):
        if "migrations" in path.parts or "models" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "audit.record" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.match(node.value):
                if node.value.split(".")[0] in PREFIXES and not node.value.endswith(".id"):
                    found.add(node.value)
    return found


def test_every_audited_action_in_arena_is_in_the_catalogue() -> None:
    missing = _literals_in_audited_modules() - set(ACTIONS)
    assert not missing, f"add these audit actions to arena.audit.ACTIONS: {sorted(missing)}"
    # arena.finals.lifecycle.move records "final.<status>" for every status a final moves to.
    assert {f"final.{s.value}" for s in FinalStatus if s is not FinalStatus.DRAFT} <= set(ACTIONS)


def test_every_audit_action_and_kind_has_a_label() -> None:
    assert set(ACTIONS) - set(ACTION_LABELS) == set(), "give each audit action a label in web/audit_labels.py"
    assert {k.value for k in AuditKind} == set(KIND_LABELS)


def test_every_label_has_a_chinese_translation() -> None:
    po = (ARENA.parent / "web/translations/zh_CN/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    for label in [*ACTION_LABELS.values(), *KIND_LABELS.values()]:
        assert f'msgid "{label._args[0]}"\nmsgstr "' in po, label._args[0]


def test_recording_an_action_outside_the_catalogue_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="arena.audit.ACTIONS"):
        audit.record(session, "challenge.renamed_somehow")


@pytest.fixture
def challenge(session: Session) -> Challenge:
    row = Challenge(slug="c1", title={"en": "C"}, summary={}, text={})
    session.add(row)
    session.flush()
    return row


def test_filters_by_kind_actor_target_and_pages_newest_first(session: Session, challenge: Challenge) -> None:
    org = accounts.create_user(session, "org", "a long password 1", email="org@x.example")
    accounts.grant_role(session, challenge.id, org, ChallengeRoleKind.ORGANIZER, actor_id=org.id)
    for i in range(5):
        audit.record(
            session,
            "team.disqualified",
            actor_id=org.id,
            challenge_id=challenge.id,
            target_type="team",
            target_id=i + 1,
            reason=f"r{i}",
        )
    audit.record(session, "final.locked", challenge_id=challenge.id, target_type="final", target_id=9)
    session.flush()
    page = staff.audit_page(session, challenge.id, staff.AuditFilter(kind=AuditKind.MODERATION), per_page=2)
    assert page.total == 5 and page.pages == 3 and [e.reason for e in page.entries] == ["r4", "r3"]
    by_mail = staff.audit_page(session, challenge.id, staff.AuditFilter(actor="org@x.example"))
    assert by_mail.total == 6  # five disqualifications and the role grant
    target = staff.audit_rows(session, challenge.id, staff.AuditFilter(target_type="team", target_id=3))
    assert [e.reason for e in target] == ["r2"] and target[0].actor_name == "org" and "reason" not in target[0].details
    platform = staff.audit_rows(session, challenge.id, staff.AuditFilter(kind=AuditKind.FINALS))
    assert platform[0].actor_name == "" and platform[0].kind is AuditKind.FINALS


def test_people_keep_one_organizer_and_explain_unknown_users(session: Session, challenge: Challenge) -> None:
    admin = accounts.create_user(session, "root", "a long password 1", is_admin=True)
    org = accounts.create_user(session, "org", "a long password 1")
    accounts.grant_role(session, challenge.id, org, ChallengeRoleKind.ORGANIZER)
    with pytest.raises(Conflict, match="last organizer"):
        staff.remove_person(session, admin, challenge, org.id, ChallengeRoleKind.ORGANIZER)
    with pytest.raises(NotFound, match="username or e-mail"):
        staff.add_person(session, org, challenge, "nobody", ChallengeRoleKind.JUDGE)
    judge = accounts.create_user(session, "jud", "a long password 1", email="Jud@Uni.example")
    staff.add_person(session, org, challenge, "jud@uni.example", ChallengeRoleKind.JUDGE)
    people = staff.challenge_people(session, org, challenge)
    assert [(p.username, p.role) for p in people] == [
        ("org", ChallengeRoleKind.ORGANIZER),
        ("jud", ChallengeRoleKind.JUDGE),
    ]
    # A judge may not manage people: the console hides itself.
    with pytest.raises(NotFound):
        staff.add_person(session, judge, challenge, "root", ChallengeRoleKind.ORGANIZER)
    staff.remove_person(session, org, challenge, judge.id, ChallengeRoleKind.JUDGE)
    assert [p.username for p in staff.challenge_people(session, org, challenge)] == ["org"]
