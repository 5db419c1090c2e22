"""The judge's pages: who sees the finals, the queue and the packets, saving marks as one types and in one go."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena import finals
from arena.db import utcnow
from arena.evaluation.pipeline import evaluate_submission
from arena.models import AuditEvent, Finalist, JudgeScore, Phase, Submission, Team, User
from tests.arena.finals_world import TRUTH, build, person
from tests.factories import PASSWORD as FINALS_PASSWORD
from tests.factories import answers, upload
from tests.web.conftest import PASSWORD, World, csrf_from, make_user
from web.extensions import db
from web.state import current_state

PDF = b"%PDF-1.7 the technical report"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Jury:
    """Ids and URLs of a final in scoring with a plain judge, a conflicted judge and another final's judge."""

    final_id: int
    other_final_id: int
    finalists: list[int]
    criteria: list[int]
    conflicted_finalist: int

    def packet(self, index: int) -> str:
        """The packet URL of the index-th finalist."""
        return f"/judge/finals/{self.final_id}/finalists/{self.finalists[index]}"


@pytest.fixture
def jury(app: Flask, world: World, tmp_path: Path) -> Jury:
    """Three finalists; jane judges all, conny is conflicted with the second, otto judges another final only."""
    with app.app_context():
        session, arena = db.session(), current_state()
        built = build(session, arena.settings, arena.store, tmp_path / "finals")
        named = finals.name_finalists(session, built.organizer, built.final.id, built.phase.id, top_n=3)
        finals.upload_report(session, arena.store, built.captains[0], named[0].id, io.BytesIO(PDF))
        finals.choose_code_submission(session, built.captains[0], named[0].id, built.submissions[0].id)
        for name in ("jane", "conny", "otto"):
            person(session, name, email=f"{name}@jury.example")
        finals.invite_judge(session, built.organizer, built.final.id, "jane")
        finals.invite_judge(session, built.organizer, built.final.id, "conny")
        conny = session.scalars(select(User).where(User.username == "conny")).one()
        finals.declare_conflict(session, conny, built.final.id, built.teams[1].id, "former supervisor")
        other = finals.create_final(
            session,
            built.organizer,
            built.challenge,
            {"en": "Second final", "zh": "第二场决赛"},
            source_phase_ids=[built.phase.id],
            formula={"weights": {"online": 1.0}},
            appeal_deadline=utcnow() + timedelta(days=3),
        )
        finals.invite_judge(session, built.organizer, other.id, "otto")
        finals.open_scoring(session, built.organizer, built.final.id)
        session.commit()
        criteria = [c.id for c in finals.rubric(session, built.final.id)]
        return Jury(built.final.id, other.id, [f.id for f in named], criteria, named[1].id)


def _token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _as(app: Flask, username: str, password: str = FINALS_PASSWORD) -> FlaskClient:
    browser = app.test_client()
    token = csrf_from(browser.get("/login").get_data(as_text=True))
    response = browser.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, username
    return browser


def _save(browser: FlaskClient, url: str, criterion: int, points: str, comment: str = "") -> tuple[int, dict]:  # type: ignore[type-arg]
    token = _token(browser.get(url).get_data(as_text=True))
    response = browser.post(
        url + "/marks", data={"csrf_token": token, "criterion_id": criterion, "points": points, "comment": comment}
    )
    return response.status_code, response.get_json() or {}


def test_a_judge_sees_its_finals_and_its_queue_without_the_conflicted_finalist(app: Flask, jury: Jury) -> None:
    jane, conny = _as(app, "jane"), _as(app, "conny")
    index = jane.get("/judge").get_data(as_text=True)
    assert f"/judge/finals/{jury.final_id}" in index and f"/judge/finals/{jury.other_final_id}" not in index
    queue = conny.get(f"/judge/finals/{jury.final_id}").get_data(as_text=True)
    assert f"/finalists/{jury.finalists[0]}" in queue and f"/finalists/{jury.finalists[2]}" in queue
    assert f"/finalists/{jury.conflicted_finalist}" not in queue and "team1" not in queue
    assert "0 of 4" in queue


def test_a_conflicted_judge_gets_not_found_on_every_url_of_that_finalist(app: Flask, jury: Jury) -> None:
    conny = _as(app, "conny")
    url = jury.packet(1)
    token = _token(conny.get("/judge").get_data(as_text=True))
    mark = {"csrf_token": token, "criterion_id": jury.criteria[0], "points": "5", f"points-{jury.criteria[0]}": "5"}
    answers = [
        conny.get(url),
        conny.get(url + "/report"),
        conny.post(url, data=mark),
        conny.post(url + "/marks", data=mark),
        conny.post(f"/judge/finals/{jury.final_id}/conflicts", data={**mark, "finalist_id": jury.conflicted_finalist}),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert not any("team1" in a.get_data(as_text=True) for a in answers)
    with app.app_context():
        assert db.session.scalars(select(JudgeScore)).all() == []


def test_who_else_is_refused(app: Flask, world: World, jury: Jury) -> None:
    make_user(app, "olga", organizer_of="demo")
    for name in ("otto", "cap0", "olga"):
        browser = _as(app, name, PASSWORD if name == "olga" else FINALS_PASSWORD)
        for url in (f"/judge/finals/{jury.final_id}", jury.packet(0), jury.packet(0) + "/report"):
            assert browser.get(url).status_code == 404, (name, url)
    assert _as(app, "cap0").get("/judge").status_code == 404, "a participant judges no final"
    organizer = _as(app, "org")  # of this challenge: sees packets on the organizer's pages, scores nothing here
    assert [organizer.get(u).status_code for u in ("/judge", jury.packet(0))] == [404, 404]
    anonymous = app.test_client()
    for url in ("/judge", f"/judge/finals/{jury.final_id}", jury.packet(0), jury.packet(0) + "/report"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    mismatched = f"/judge/finals/{jury.other_final_id}/finalists/{jury.finalists[0]}"
    assert _as(app, "jane").get(mismatched).status_code == 404


def test_packet_shows_the_report_inline_and_a_saved_mark_after_a_reload(app: Flask, jury: Jury) -> None:
    jane = _as(app, "jane")
    page = jane.get(jury.packet(0)).get_data(as_text=True)
    assert "team0" in page and "Tianjin University" in page and "judging.js" in page
    with app.app_context():
        submission = db.session.get(Submission, db.session.get(Finalist, jury.finalists[0]).code_submission_id)
        assert submission is not None and submission.file_sha256 in page, "the provenance hashes are in the packet"
    with jane.get(jury.packet(0) + "/report") as report:
        assert report.status_code == 200 and report.mimetype == "application/pdf" and report.data == PDF
        assert report.headers["Content-Disposition"].startswith("inline")
    status, answer = _save(jane, jury.packet(0), jury.criteria[0], "7", "clear method")
    assert status == 200 and answer["saved"] is True
    again = jane.get(jury.packet(0)).get_data(as_text=True)
    assert 'value="7"' in again and "clear method" in again
    status, answer = _save(jane, jury.packet(0), jury.criteria[0], "7.5")
    assert status == 400 and "steps of" in answer["message"]
    assert "1 of 4" in jane.get(f"/judge/finals/{jury.final_id}").get_data(as_text=True)


def test_the_form_without_javascript_saves_every_field(app: Flask, jury: Jury) -> None:
    jane = _as(app, "jane")
    token = _token(jane.get(jury.packet(2)).get_data(as_text=True))
    data = {"csrf_token": token, **{f"points-{c}": "6" for c in jury.criteria}, f"comment-{jury.criteria[1]}": "ok"}
    response = jane.post(jury.packet(2), data=data)
    assert response.status_code == 302
    with app.app_context():
        marks = db.session.scalars(select(JudgeScore).where(JudgeScore.finalist_id == jury.finalists[2])).all()
        assert sorted(m.points for m in marks) == [6.0] * 4
    assert "4 of 4" in jane.get(f"/judge/finals/{jury.final_id}").get_data(as_text=True)


def test_after_lock_the_form_is_read_only_and_a_late_mark_is_refused(app: Flask, jury: Jury) -> None:
    jane = _as(app, "jane")
    with app.app_context():
        session = db.session()
        final = finals.get_final(session, jury.final_id)
        final.missing_rule = "exclude"
        organizer = session.scalars(select(User).where(User.username == "org")).one()
        finals.lock_final(session, organizer, jury.final_id)
        session.commit()
    page = jane.get(jury.packet(0)).get_data(as_text=True)
    assert "marks can no longer change" in page and "disabled" in page and "judging.js" not in page
    status, answer = _save(jane, jury.packet(0), jury.criteria[0], "5")
    assert status == 409 and answer["saved"] is False
    with app.app_context():
        refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "final.mark_refused")).all()
        assert len(refused) == 1


def test_a_judge_declares_a_conflict_and_the_finalist_leaves_the_queue(app: Flask, jury: Jury) -> None:
    jane = _as(app, "jane")
    queue_url = f"/judge/finals/{jury.final_id}"
    token = _token(jane.get(queue_url).get_data(as_text=True))
    response = jane.post(
        queue_url + "/conflicts", data={"csrf_token": token, "finalist_id": jury.finalists[2], "reason": "my lab"}
    )
    assert response.status_code == 302
    assert f"/finalists/{jury.finalists[2]}" not in jane.get(queue_url).get_data(as_text=True)
    assert jane.get(jury.packet(2)).status_code == 404


def test_the_judge_pages_speak_chinese(app: Flask, jury: Jury) -> None:
    jane = _as(app, "jane")
    page = jane.get(jury.packet(0) + "?lang=zh-CN").get_data(as_text=True)
    assert "你的评分" in page and "保存全部评分" in page and "Your marks" not in page
    queue = jane.get(f"/judge/finals/{jury.final_id}?lang=zh-CN").get_data(as_text=True)
    assert "声明利益冲突" in queue


def test_a_blind_final_hides_names_from_the_judge_until_the_reveal(app: Flask, jury: Jury) -> None:
    with app.app_context():
        finals.get_final(db.session(), jury.final_id).blind = True
        db.session.commit()
    jane = _as(app, "jane")
    pages = [jane.get(f"/judge/finals/{jury.final_id}"), jane.get(jury.packet(0))]
    assert all(p.status_code == 200 for p in pages)
    for text in (p.get_data(as_text=True) for p in pages):
        assert "team0" not in text and "Tianjin University" not in text and "cap0" not in text
        assert "hidden until the reveal" in text


def test_the_code_download_reaches_only_judges_who_may_see_the_packet(app: Flask, world: World, jury: Jury) -> None:
    with app.app_context():
        submission = db.session.get(Submission, db.session.get(Finalist, jury.finalists[0]).code_submission_id)
        assert submission is not None
        stored = current_state().store.read_bytes(submission.file_sha256)
    jane = _as(app, "jane")
    assert "/code" in jane.get(jury.packet(0)).get_data(as_text=True)
    with jane.get(jury.packet(0) + "/code") as download:
        assert download.status_code == 200 and download.data == stored
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "F1-submission" in disposition and "team0" not in disposition
    make_user(app, "olga", organizer_of="demo")
    for name in ("conny", "otto", "cap3", "olga"):
        browser = _as(app, name, PASSWORD if name == "olga" else FINALS_PASSWORD)
        index = 1 if name == "conny" else 0
        assert browser.get(jury.packet(index) + "/code").status_code == 404, name


def test_the_packet_draws_the_score_history_and_the_public_interval(app: Flask, jury: Jury) -> None:
    jane = _as(app, "jane")
    page = jane.get(jury.packet(0)).get_data(as_text=True)
    figures = re.findall(r'<figure class="score-history" data-split="(\w+)">(.*?)</figure>', page, re.S)
    assert [split for split, _ in figures] == ["private", "public"]
    for _, figure in figures:
        assert figure.count('<circle class="point"') == 1, "one scored submission is one point"
        assert "<polyline" not in figure, "a single point has no line leading to the chart's edge"
        assert "team0: 1.0000" in figure
    # The y-axis is the metric's 0..1, not a band around the single score.
    assert ">0.0000</text>" in figures[0][1] and ">1.0000</text>" in figures[0][1]
    # Every public case of team0 is right: its public line's interval is the point 1 – 1.
    assert "95% CI 1.0 – 1.0" in page
    zh = jane.get(jury.packet(0) + "?lang=zh-CN").get_data(as_text=True)
    assert "得分历程" in zh


def test_a_blind_packet_names_its_history_by_the_finalist_code(app: Flask, jury: Jury) -> None:
    with app.app_context():
        finals.get_final(db.session(), jury.final_id).blind = True
        db.session.commit()
    page = _as(app, "jane").get(jury.packet(0)).get_data(as_text=True)
    figure = page[page.index('<figure class="score-history"') :]
    assert "F1: 1.0000" in figure and "team0" not in page


def test_a_team_that_improved_is_drawn_as_a_step_line_over_the_phase(app: Flask, jury: Jury) -> None:
    with app.app_context():
        session, arena = db.session(), current_state()
        finalist = session.get(Finalist, jury.finalists[2])
        assert finalist is not None
        phase, team = session.get(Phase, finalist.online_phase_id), session.get(Team, finalist.team_id)
        assert phase is not None and team is not None
        closes, phase.closes_at = phase.closes_at, utcnow() + timedelta(hours=1)
        session.commit()
        better = upload(session, arena.store, team.members[0].user, phase, answers(TRUTH))
        evaluate_submission(session, arena.settings, arena.store, better.id)
        phase.closes_at = closes
        session.commit()
    page = _as(app, "jane").get(jury.packet(2)).get_data(as_text=True)
    private = re.search(r'<figure class="score-history" data-split="private">(.*?)</figure>', page, re.S)
    assert private is not None
    assert private.group(1).count('<circle class="point"') == 2, "a point each time the best score improved"
    line = re.search(r'<polyline class="series"[^>]*points="([^"]+)"', private.group(1))
    assert line is not None
    heights = [float(xy.split(",")[1]) for xy in line.group(1).split()]
    assert heights[0] > heights[-1], "the line climbs from 0.6 to 1.0"
