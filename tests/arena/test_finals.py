"""Finals services on a real database: naming finalists, eligibility, judges and conflicts, marks, lock and reveal."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import finals
from arena.db import make_engine, make_session_factory, utcnow
from arena.enums import FinalistStatus, FinalStatus
from arena.errors import Conflict, FileTooLarge, InvalidInput, InvalidTransition, NotFound
from arena.evaluation.worker import run_worker
from arena.models import AuditEvent, ConflictOfInterest, Finalist, JudgeScore, User
from arena.settings import Settings
from arena.storage import BlobStore
from tests.arena.finals_world import World, build, person
from tests.factories import make_team


@pytest.fixture
def world(session: Session, settings: Settings, store: BlobStore, tmp_path: Path) -> World:
    return build(session, settings, store, tmp_path)


def _actions(session: Session, prefix: str = "final.") -> list[str]:
    rows = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like(prefix + "%")).order_by(AuditEvent.id)
    )
    return list(rows)


def _named(session: Session, world: World, top_n: int = 3) -> list[Finalist]:
    named = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=top_n)
    session.commit()
    return named


def _judges(session: Session, world: World, *names: str) -> list[User]:
    judges = []
    for name in names:
        judges.append(person(session, name, email=f"{name}@jury.example"))
        finals.invite_judge(session, world.organizer, world.final.id, name)
    session.commit()
    return judges


def _score(session: Session, judge: User, finalist: Finalist, points: list[float]) -> None:
    for criterion, value in zip(finals.rubric(session, finalist.final_id), points, strict=True):
        finals.save_mark(session, judge, finalist.id, criterion.id, value)
    session.commit()


def test_finalists_are_the_top_of_the_closed_private_board(session: Session, world: World) -> None:
    named = _named(session, world, top_n=2)
    assert [f.team_id for f in named] == [world.teams[0].id, world.teams[1].id]
    assert [f.online_rank for f in named] == [1, 2] and named[0].online_score == 1.0
    assert world.final.status == FinalStatus.FINALISTS_NAMED
    more = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, threshold=0.0)
    assert [f.team_id for f in more] == [world.teams[2].id, world.teams[3].id], "named teams are not named twice"
    assert "final.finalists_named" in _actions(session)


def test_an_open_board_names_no_finalists(session: Session, world: World) -> None:
    world.phase.closes_at = utcnow() + timedelta(days=1)
    session.commit()
    with pytest.raises(Conflict):
        finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=2)


def test_a_decline_moves_the_next_team_up_and_a_hand_pick_needs_a_reason(session: Session, world: World) -> None:
    first, second = _named(session, world, top_n=2)
    substitute = finals.decline_finalist(session, world.captains[0], first.id, "cannot travel")
    assert first.status == FinalistStatus.DECLINED
    assert substitute is not None and substitute.team_id == world.teams[2].id
    assert substitute.status == FinalistStatus.SUBSTITUTE and substitute.chosen_by == "substitute"
    assert [f.id for f in finals.taking_part(session, world.final.id)] == [second.id, substitute.id]
    with pytest.raises(InvalidInput) as raised:
        finals.add_finalist(session, world.organizer, world.final.id, world.teams[3].id, "  ")
    assert raised.value.field == "reason"
    added = finals.add_finalist(session, world.organizer, world.final.id, world.teams[3].id, "wildcard: best report")
    assert added.chosen_by == "manual" and added.online_rank == 4
    assert {"final.finalist_declined", "final.substitute_named", "final.finalist_added"} <= set(_actions(session))


def test_the_formula_changes_after_naming_only_with_a_reason_on_the_record(session: Session, world: World) -> None:
    _named(session, world)
    new = {"weights": {"online": 0.5, "judges": 0.5}}
    with pytest.raises(InvalidInput) as raised:
        finals.update_final(session, world.organizer, world.final.id, formula=new)
    assert raised.value.field == "reason"
    finals.update_final(session, world.organizer, world.final.id, formula=new, reason="sponsor asked for more weight")
    finals.update_final(session, world.organizer, world.final.id, venue="Tianjin Meijiang Convention Center")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "final.formula_changed"))
    assert event is not None and event.data["reason"] == "sponsor asked for more weight"
    assert event.data["after"]["formula"]["weights"] == {"online": 0.5, "judges": 0.5}
    with pytest.raises(InvalidInput):
        finals.update_final(session, world.organizer, world.final.id, formula={"weights": {"online": 2}}, reason="x")


def test_rubric_validation_and_the_template(session: Session, world: World) -> None:
    template = finals.rubric_template()
    assert [c["name"]["zh"] for c in template] == ["算法创新性", "技术深度", "应用价值", "答辩表现"]
    bad = [
        ([{**template[0], "weight": 0}], "rubric[0].weight", None),
        ([{**template[0], "min": 5, "max": 5}], "rubric[0].max", None),
        ([{**template[0], "step": 3}], "rubric[0].step", None),
        (template, "rubric", 100.0),
    ]
    for criteria, field, total in bad:
        with pytest.raises(InvalidInput) as raised:
            finals.validate_rubric(criteria, total)
        assert raised.value.field == field
    assert len(finals.validate_rubric([{**c, "weight": 25} for c in template], 100.0)) == 4


def test_eligibility_lists_every_reason_and_the_checklist_clears_it(
    session: Session, worker_env: Settings, store: BlobStore, world: World
) -> None:
    finalist = _named(session, world, top_n=1)[0]
    assert finals.eligibility(session, finalist).reasons == [
        "real names and institution are not confirmed by the captain",
        "no technical report is uploaded",
        "no code submission is selected",
        "the reproduction has not passed",
    ]
    captain = world.captains[0]
    finals.confirm_identity(session, captain, finalist.id, ["张三", "李四"], "Tianjin University")
    with pytest.raises(InvalidInput):
        finals.upload_report(session, store, captain, finalist.id, io.BytesIO(b"not a pdf"))
    finals.update_final(session, world.organizer, world.final.id, report_max_bytes=100)
    with pytest.raises(FileTooLarge):
        finals.upload_report(session, store, captain, finalist.id, io.BytesIO(b"%PDF-" + b"x" * 200))
    sha = finals.upload_report(session, store, captain, finalist.id, io.BytesIO(b"%PDF-1.7 report"))
    assert store.read_bytes(sha) == b"%PDF-1.7 report" and finalist.report_size == 15
    finals.choose_code_submission(session, captain, finalist.id, world.submissions[0].id)
    with pytest.raises(InvalidInput):
        finals.choose_code_submission(session, captain, finalist.id, world.submissions[1].id)
    session.commit()
    finals.request_reproduction(session, worker_env, world.organizer, finalist.id)
    assert finals.record_reproduction(session, finalist.id) == "pending"
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    assert finals.record_reproduction(session, finalist.id) == "passed"
    assert finalist.reproduction_result["reproduced"] == finalist.online_score
    assert finals.eligibility(session, finalist).eligible


def test_a_reproduction_outside_the_tolerance_fails(
    session: Session, worker_env: Settings, store: BlobStore, world: World
) -> None:
    finalist = _named(session, world, top_n=1)[0]
    finals.choose_code_submission(session, world.captains[0], finalist.id, world.submissions[0].id)
    finalist.online_score = 0.9  # as if the board had shown another score than the submission reproduces
    session.commit()
    finals.request_reproduction(session, worker_env, world.organizer, finalist.id)
    run_worker(worker_env, burst=True, simple=True)
    session.expire_all()
    assert finals.record_reproduction(session, finalist.id) == "failed"
    assert finalist.reproduction_result["difference"] == pytest.approx(0.1)
    assert "the reproduction has not passed" in finals.eligibility(session, finalist).reasons


def test_automatic_conflicts_by_institution_email_domain_and_membership(session: Session, world: World) -> None:
    named = _named(session, world, top_n=3)
    person(session, "colleague", email="prof@tju.edu.cn")
    person(session, "sameplace", email="x@gmail.com", institution="nankai university")
    webmail = person(session, "webmail", email="someone@gmail.com")
    player = person(session, "player", email="p@jury.example")
    make_team(session, player, world.challenge, "judges team")
    for name in ("colleague", "sameplace", "webmail", "player"):
        finals.invite_judge(session, world.organizer, world.final.id, name)
    session.commit()
    found = {(c.judge, c.team, c.source) for c in finals.conflicts(session, world.organizer, world.final.id)}
    assert found == {
        ("colleague", "team0", "email_domain"),
        ("sameplace", "team1", "institution"),
        ("player", "judges team", "member"),
    }, "a webmail domain is no conflict"
    assert _actions(session).count("final.conflict_detected") == 3
    finals.declare_conflict(session, webmail, world.final.id, world.teams[2].id, "former student")
    assert ("webmail", "team2", "declared") in {
        (c.judge, c.team, c.source) for c in finals.conflicts(session, world.organizer, world.final.id)
    }
    queue = finals.judge_queue(session, webmail, world.final.id)
    assert [p["finalist_id"] for p in queue] == [named[0].id, named[1].id]


def test_marks_progress_lock_and_reveal(session: Session, world: World) -> None:
    first, second, third = _named(session, world)
    j1, j2 = _judges(session, world, "judge1", "judge2")
    finals.assign_panel(session, world.organizer, world.final.id, j2.id, [first.id, second.id], "panel B")
    with pytest.raises(Conflict):
        finals.save_mark(session, j1, first.id, finals.rubric(session, world.final.id)[0].id, 5)
    finals.open_scoring(session, world.organizer, world.final.id)
    session.commit()
    _score(session, j1, first, [8, 8, 8, 8])
    _score(session, j1, second, [10, 10, 10, 10])
    _score(session, j1, third, [2, 4, 6, 8])
    _score(session, j2, first, [6, 6, 6, 6])
    with pytest.raises(NotFound):
        finals.save_mark(session, j2, third.id, finals.rubric(session, world.final.id)[0].id, 5)
    criterion = finals.rubric(session, world.final.id)[0]
    with pytest.raises(InvalidInput):
        finals.save_mark(session, j1, first.id, criterion.id, 7.5)
    finals.save_mark(session, j1, first.id, criterion.id, 9, "revised")
    assert finals.mark_form(session, j1, first.id)[0]["points"] == 9.0
    progress = {p.username: p for p in finals.progress(session, world.organizer, world.final.id)}
    assert progress["judge1"].complete == sorted([first.id, second.id, third.id])
    assert progress["judge2"].missing == [second.id] and progress["judge2"].excluded == [third.id]
    preview = finals.preview_ranking(session, world.organizer, world.final.id)
    assert preview.judges.missing == [(j2.id, second.id)]
    # judge1's total for the first finalist: (0.3·0.9 + 0.3·0.8 + 0.2·0.8 + 0.2·0.8) = 0.83; judge2's 0.6
    assert preview.totals[j1.id][first.id] == pytest.approx(0.83)
    assert preview.judges.scores[first.id] == pytest.approx((0.83 + 0.6) / 2)
    finals.update_final(session, world.organizer, world.final.id, missing_rule="block", reason="every mark counts")
    with pytest.raises(Conflict):
        finals.lock_final(session, world.organizer, world.final.id)
    _score(session, j2, second, [9, 9, 9, 9])
    locked = finals.lock_final(session, world.organizer, world.final.id)
    session.commit()
    # online by rank 1, ½, 0; judges' means 0.715, 0.95, 0.46; no reproduction yet: 0.8145, 0.585, 0.138
    assert [r.finalist_id for r in locked.rows] == [first.id, second.id, third.id]
    assert [r.total for r in locked.rows] == pytest.approx([0.8145, 0.585, 0.138])
    # both judges put the second finalist above the first; each is 0.23 and 0.1 away from the other
    assert locked.kendall_w == pytest.approx(1.0)
    assert locked.deviation == pytest.approx({j1.id: 0.165, j2.id: 0.165})
    with pytest.raises(Conflict):
        finals.save_mark(session, j1, first.id, criterion.id, 1)
    session.rollback()
    assert "final.mark_refused" in _actions(session), "a mark after lock is refused and the attempt recorded"
    assert (
        session.scalar(
            select(JudgeScore.points).where(
                JudgeScore.criterion_id == criterion.id,
                JudgeScore.judge_id == j1.id,
                JudgeScore.finalist_id == first.id,
            )
        )
        == 9.0
    )
    with pytest.raises(NotFound):
        finals.public_result(session, None, world.final.id)
    finals.reveal_final(session, world.organizer, world.final.id)
    session.commit()
    result = finals.public_result(session, None, world.final.id)
    assert [(row["rank"], row["team"]) for row in result["rows"]] == [(1, "team0"), (2, "team1"), (3, "team2")]
    assert all("marks" not in row for row in result["rows"])
    with pytest.raises(InvalidTransition):
        finals.lock_final(session, world.organizer, world.final.id)
    frame = finals.results_frame(session, world.organizer, world.final.id)
    assert list(frame.columns)[-2:] == ["J1", "J2"] and "judge1" not in frame.to_csv()
    assert {"final.scoring", "final.locked", "final.revealed"} <= set(_actions(session))


def test_a_locked_final_keeps_its_formula_and_unlocks_only_with_a_reason(session: Session, world: World) -> None:
    _named(session, world)
    with pytest.raises(InvalidTransition):
        finals.lock_final(session, world.organizer, world.final.id)
    finals.open_scoring(session, world.organizer, world.final.id)
    finals.lock_final(session, world.organizer, world.final.id)
    with pytest.raises(Conflict):
        finals.update_final(session, world.organizer, world.final.id, formula={"weights": {"online": 1}}, reason="x")
    with pytest.raises(InvalidInput):
        finals.unlock_final(session, world.organizer, world.final.id, " ")
    finals.unlock_final(session, world.organizer, world.final.id, "an appeal was upheld")
    assert world.final.status == FinalStatus.SCORING and world.final.locked_at is None
    with pytest.raises(InvalidTransition):
        finals.reveal_final(session, world.organizer, world.final.id)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "final.scoring")).all()[-1]
    assert event.data["reason"] == "an appeal was upheld" and event.data["previous"] == "locked"


def test_two_judges_saving_at_once_keep_both_marks(session: Session, settings: Settings, world: World) -> None:
    finalist = _named(session, world, top_n=1)[0]
    j1, j2 = _judges(session, world, "judge1", "judge2")
    finals.open_scoring(session, world.organizer, world.final.id)
    session.commit()
    criterion = finals.rubric(session, world.final.id)[0].id
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as a, factory() as b:
            one, two = a.get(User, j1.id), b.get(User, j2.id)
            assert one is not None and two is not None
            finals.save_mark(a, one, finalist.id, criterion, 7)
            finals.save_mark(b, two, finalist.id, criterion, 3)
            a.commit()
            b.commit()
    finally:
        engine.dispose()
    marks = session.execute(select(JudgeScore.judge_id, JudgeScore.points).where(JudgeScore.criterion_id == criterion))
    assert dict(marks.all()) == {j1.id: 7.0, j2.id: 3.0}


def test_appeals_before_the_deadline_and_the_answer_on_record(session: Session, world: World) -> None:
    finalist = _named(session, world, top_n=1)[0]
    appeal = finals.file_appeal(session, world.captains[0], finalist.id, "our report was not considered")
    with pytest.raises(NotFound):
        finals.file_appeal(session, world.captains[1], finalist.id, "not ours")
    finals.answer_appeal(session, world.organizer, appeal.id, "the report was read by every judge")
    assert appeal.answered_by_id == world.organizer.id and appeal.answered_at is not None
    late = utcnow() + timedelta(days=4)
    with pytest.raises(Conflict):
        finals.file_appeal(session, world.captains[0], finalist.id, "late", now=late)
    assert [a.id for a in finals.appeals(session, world.organizer, world.final.id)] == [appeal.id]
    assert {"final.appeal_filed", "final.appeal_answered"} <= set(_actions(session))
    assert session.scalar(select(ConflictOfInterest.id)) is None
