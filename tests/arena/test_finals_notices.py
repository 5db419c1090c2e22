"""Finals tell people: named and substituted teams, an answered appeal, and a formula changed after naming."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import finals, notifications
from arena.accounts import users as accounts
from arena.db import utcnow
from arena.enums import ChallengeRoleKind
from arena.errors import Conflict
from arena.finals import notices
from arena.models import Notification, User
from arena.settings import Settings
from arena.storage import BlobStore
from tests.arena.finals_world import FORMULA, World, build, person
from tests.factories import make_team
from web.i18n import TRANSLATIONS_DIR


@pytest.fixture
def world(session: Session, settings: Settings, store: BlobStore, tmp_path: Path) -> World:
    return build(session, settings, store, tmp_path)


def _kinds(session: Session, user: User) -> list[str]:
    return [n.kind for n in reversed(notifications.inbox(session, user))]


def test_named_teams_and_a_substitute_are_told(session: Session, world: World) -> None:
    named = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=2)
    session.commit()
    assert _kinds(session, world.captains[0]) == ["final.finalist_named"]
    assert _kinds(session, world.captains[2]) == []
    note = notifications.inbox(session, world.captains[0])[0]
    assert note.params == {"final": {"en": "Final", "zh": "总决赛"}, "team": "team0"}
    assert note.link == f"/c/{world.challenge.slug}/final/me"
    finals.decline_finalist(session, world.captains[1], named[1].id, "we cannot travel")
    session.commit()
    assert _kinds(session, world.captains[1]) == ["final.finalist_named", "final.finalist_declined"]
    assert _kinds(session, world.captains[2]) == ["final.substitute_named"]


def test_a_formula_change_after_naming_tells_finalists_judges_and_organizers(session: Session, world: World) -> None:
    other_org = person(session, "org2", email="org2@sponsor.example")
    accounts.grant_role(session, world.challenge.id, other_org, ChallengeRoleKind.ORGANIZER)
    finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=2)
    member = person(session, "mem")
    make_team(session, member, world.challenge, "spare")  # in no final: not told
    judge = person(session, "jude", email="jude@jury.example")
    finals.invite_judge(session, world.organizer, world.final.id, "jude")
    session.commit()
    finals.update_final(session, world.organizer, world.final.id, venue="Hall B")  # not a rule: nobody told
    changed = {**FORMULA, "weights": {"online": 0.5, "judges": 0.4, "reproduction": 0.1}}
    finals.update_final(session, world.organizer, world.final.id, formula=changed, reason="the sponsor asked")
    session.commit()
    told = set(session.scalars(select(Notification.recipient_id).where(Notification.kind == "final.formula_changed")))
    assert told == {world.captains[0].id, world.captains[1].id, judge.id, world.organizer.id, other_org.id}
    history = finals.formula_changes(session, world.final.id)
    assert len(history) == 1 and history[0].reason == "the sponsor asked"
    before, after = history[0].changes["formula"]
    assert before["weights"]["online"] == 0.6 and after["weights"]["online"] == 0.5
    assert "venue" not in history[0].changes


def test_a_change_before_naming_is_not_history(session: Session, world: World) -> None:
    finals.update_final(session, world.organizer, world.final.id, aggregation="trimmed")
    session.commit()
    assert finals.formula_changes(session, world.final.id) == []
    assert session.scalar(select(Notification.id)) is None


def test_an_answered_appeal_is_told_and_members_read_their_own(session: Session, world: World) -> None:
    finalist = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=1)[0]
    appeal = finals.file_appeal(session, world.captains[0], finalist.id, "please re-check")
    finals.answer_appeal(session, world.organizer, appeal.id, "re-checked, unchanged")
    session.commit()
    assert _kinds(session, world.captains[0])[-1] == "final.appeal_answered"
    mine = finals.own_appeals(session, world.captains[0], finalist.id)
    assert [(a.text, a.answer) for a in mine] == [("please re-check", "re-checked, unchanged")]


def test_after_the_materials_deadline_the_record_is_closed(session: Session, store: BlobStore, world: World) -> None:
    finalist = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=1)[0]
    finals.update_final(session, world.organizer, world.final.id, materials_due_at=utcnow() + timedelta(hours=1))
    session.commit()
    captain = world.captains[0]
    finals.confirm_identity(session, captain, finalist.id, ["张三"], "Tianjin University")
    late = utcnow() + timedelta(hours=2)
    assert not finals.materials_open(world.final, finalist, late)
    with pytest.raises(Conflict):
        finals.confirm_identity(session, captain, finalist.id, ["李四"], "Nankai University", now=late)
    with pytest.raises(Conflict):
        finals.upload_report(session, store, captain, finalist.id, io.BytesIO(b"%PDF-1.7"), now=late)
    with pytest.raises(Conflict):
        finals.choose_code_submission(session, captain, finalist.id, world.submissions[0].id, now=late)
    assert finalist.real_names == ["张三"] and finalist.report_sha256 == ""


def test_every_notice_is_translated() -> None:
    with (TRANSLATIONS_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if m.id}
    assert all(catalog.get(message) for message in notices.MESSAGES)
