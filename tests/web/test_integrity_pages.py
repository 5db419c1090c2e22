"""Organizer pages and API for integrity signals, rescoring, provenance, re-runs, exports; charts for everyone."""

from __future__ import annotations

import io
import re

import pandas as pd
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.evaluation.pipeline import evaluate_submission
from arena.evaluation.reruns import execute_rerun
from arena.models import AuditEvent, IntegritySignal, Rerun, Submission
from tests.web.conftest import World, api_team, csrf_from, login, make_user, token_for
from web.extensions import db
from web.state import current_state

GOOD = b"id,label\n1,3\n2,5\n3,7\n"
HALF = b"id,label\n1,3\n2,0\n3,0\n"


def _participant(app: Flask, client: FlaskClient, name: str) -> dict[str, str]:
    make_user(app, name)
    headers = token_for(client, name)
    api_team(client, headers, f"team {name}")
    return headers


def _submit(client: FlaskClient, headers: dict[str, str], phase_id: int, data: bytes) -> int:
    response = client.post(
        f"/api/v1/phases/{phase_id}/submissions",
        data={"file": (io.BytesIO(data), "p.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    return int(response.get_json()["id"])


def _evaluate(app: Flask, *submission_ids: int) -> None:
    with app.app_context():
        arena = current_state()
        for submission_id in submission_ids:
            evaluate_submission(db.session(), arena.settings, arena.store, submission_id)
        db.session.remove()


def _organizer(app: Flask, client: FlaskClient) -> tuple[FlaskClient, dict[str, str]]:
    make_user(app, "olga", organizer_of="demo")
    browser = app.test_client()
    login(browser, "olga")
    return browser, token_for(client, "olga")


def test_duplicate_signals_are_listed_and_dismissed_with_an_audit(
    app: Flask, client: FlaskClient, world: World
) -> None:
    teams = [_participant(app, client, name) for name in ("ann", "ben", "cat")]
    _submit(client, teams[0], world.open_phase_id, GOOD)
    _submit(client, teams[1], world.open_phase_id, GOOD)
    browser, olga = _organizer(app, client)
    listed = client.get("/api/v1/challenges/demo/integrity-signals", headers=olga).get_json()["signals"]
    assert [s["kind"] for s in listed] == ["duplicate_file"] and len(listed[0]["team_ids"]) == 2
    assert client.get("/api/v1/challenges/demo/integrity-signals", headers=teams[0]).status_code == 403
    signal_id = listed[0]["id"]
    assert client.post(f"/api/v1/integrity-signals/{signal_id}/dismiss", json={}, headers=olga).status_code == 400
    assert (
        client.post(
            f"/api/v1/integrity-signals/{signal_id}/dismiss", json={"reason": "x"}, headers=teams[0]
        ).status_code
        == 404
    )
    dismissed = client.post(
        f"/api/v1/integrity-signals/{signal_id}/dismiss", json={"reason": "one lab"}, headers=olga
    ).get_json()
    assert dismissed["dismissed_reason"] == "one lab" and dismissed["dismissed_at"]
    _submit(client, teams[2], world.open_phase_id, GOOD)  # a third team: a new signal
    page = browser.get("/c/demo/integrity").get_data(as_text=True)
    assert "Identical file from several teams" in page and "team cat" in page
    new_id = int(re.findall(r'id="signal-(\d+)"', page)[0])
    response = browser.post(
        f"/c/demo/integrity/{new_id}/dismiss", data={"reason": "shared baseline", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    assert "No signals." in browser.get("/c/demo/integrity").get_data(as_text=True)
    assert "shared baseline" in browser.get("/c/demo/integrity?all=1").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("integrity_signal.dismissed") == 2
    outsider = app.test_client()
    make_user(app, "pete")
    login(outsider, "pete")
    assert outsider.get("/c/demo/integrity").status_code == 403


def test_rescoring_shows_progress_and_the_board_names_its_version(
    app: Flask, client: FlaskClient, world: World
) -> None:
    ann = _participant(app, client, "ann")
    ids = [_submit(client, ann, world.open_phase_id, data) for data in (GOOD, HALF)]
    _evaluate(app, *ids)
    browser, olga = _organizer(app, client)
    # Before any rescore there is nothing to explain: the board names no version.
    assert "Score version" not in client.get(f"/phases/{world.open_phase_id}/leaderboard").get_data(as_text=True)
    assert (
        client.post(f"/api/v1/phases/{world.open_phase_id}/rescores", json={"reason": "x"}, headers=ann).status_code
        == 403
    )
    started = client.post(f"/api/v1/phases/{world.open_phase_id}/rescores", json={"reason": "fix"}, headers=olga)
    assert started.status_code == 202
    assert (started.get_json()["version"], started.get_json()["total"], started.get_json()["done"]) == (2, 2, 0)
    page = browser.get(f"/phases/{world.open_phase_id}/rescoring").get_data(as_text=True)
    assert 'data-done="0" data-total="2"' in page and 'http-equiv="refresh"' in page
    _evaluate(app, *ids)  # the worker's part (the queue is unreachable in these tests)
    runs = client.get(f"/api/v1/phases/{world.open_phase_id}/rescores", headers=olga).get_json()
    assert runs["score_version"] == 2 and runs["runs"][0]["done"] == 2 and runs["runs"][0]["finished_at"]
    assert "Score version 2" in client.get(f"/phases/{world.open_phase_id}/leaderboard").get_data(as_text=True)
    token = csrf_from(page)
    assert (
        browser.post(
            f"/phases/{world.open_phase_id}/rescore", data={"reason": "again", "csrf_token": token}
        ).status_code
        == 302
    )
    assert 'data-done="0" data-total="2"' in browser.get(f"/phases/{world.open_phase_id}/rescoring").get_data(
        as_text=True
    )


def test_provenance_and_reruns_for_organizers_only(app: Flask, client: FlaskClient, world: World) -> None:
    ann = _participant(app, client, "ann")
    submission_id = _submit(client, ann, world.open_phase_id, GOOD)
    _evaluate(app, submission_id)
    browser, olga = _organizer(app, client)
    participant = app.test_client()
    login(participant, "ann")
    assert "Provenance" not in participant.get(f"/submissions/{submission_id}").get_data(as_text=True)
    page = browser.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "Provenance" in page and world.labels_sha256[:16] in page
    assert client.get(f"/api/v1/submissions/{submission_id}/provenance", headers=ann).status_code == 404
    provenance = client.get(f"/api/v1/submissions/{submission_id}/provenance", headers=olga).get_json()
    assert {s["split"] for s in provenance["scores"]} == {"public", "private"}
    assert all(s["labels_sha256"] == world.labels_sha256 for s in provenance["scores"])
    # The queue is unreachable here: the re-run is recorded and reported as failed, never lost.
    queued = client.post(f"/api/v1/submissions/{submission_id}/reruns", headers=olga)
    assert queued.status_code == 202 and queued.get_json()["status"] == "failed"
    response = browser.post(f"/submissions/{submission_id}/rerun", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    with app.app_context():
        arena = current_state()
        rerun = Rerun(submission_id=submission_id, status="queued")
        db.session.add(rerun)
        db.session.commit()
        execute_rerun(db.session(), arena.settings, arena.store, rerun.id, runner=None)
        rerun_id = rerun.id
        status = db.session.get(Submission, submission_id).status  # type: ignore[union-attr]
        db.session.remove()
    assert status == "scored"
    shown = client.get(f"/api/v1/reruns/{rerun_id}", headers=olga).get_json()
    assert shown["status"] == "done" and shown["reproduced"] is True
    assert client.get(f"/api/v1/reruns/{rerun_id}", headers=ann).status_code == 404
    listed = client.get(f"/api/v1/submissions/{submission_id}/reruns", headers=olga).get_json()["reruns"]
    assert [r["id"] for r in listed][0] == rerun_id and len(listed) == 3
    assert ">yes<" in browser.get(f"/submissions/{submission_id}").get_data(as_text=True)


def test_parquet_exports_are_readable_by_pandas(app: Flask, client: FlaskClient, world: World) -> None:
    ann = _participant(app, client, "ann")
    _evaluate(app, _submit(client, ann, world.open_phase_id, GOOD))
    browser, olga = _organizer(app, client)
    submissions = browser.get(f"/phases/{world.open_phase_id}/export/submissions.parquet")
    assert submissions.status_code == 200 and submissions.mimetype == "application/vnd.apache.parquet"
    frame = pd.read_parquet(io.BytesIO(submissions.data))
    assert list(frame["team"]) == ["team ann"] and frame["public_score"].iloc[0] == 1.0
    board = browser.get(f"/phases/{world.open_phase_id}/export/leaderboard.parquet?split=private")
    assert pd.read_parquet(io.BytesIO(board.data))["rank"].tolist() == [1]
    via_api = client.get(f"/api/v1/phases/{world.open_phase_id}/exports/leaderboard?format=parquet", headers=olga)
    assert pd.read_parquet(io.BytesIO(via_api.data))["team"].tolist() == ["team ann"]
    as_csv = client.get(f"/api/v1/phases/{world.open_phase_id}/exports/submissions?format=csv", headers=olga)
    assert as_csv.mimetype == "text/csv" and b"team ann" in as_csv.data
    assert (
        client.get(f"/api/v1/phases/{world.open_phase_id}/exports/submissions?format=xlsx", headers=olga).status_code
        == 400
    )
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/exports/submissions", headers=ann).status_code == 403
    participant = app.test_client()
    login(participant, "ann")
    assert participant.get(f"/phases/{world.open_phase_id}/export/submissions.parquet").status_code == 403


def test_charts_render_public_data_and_hide_the_private_split(app: Flask, client: FlaskClient, world: World) -> None:
    ann, ben = _participant(app, client, "ann"), _participant(app, client, "ben")
    _evaluate(app, _submit(client, ann, world.open_phase_id, HALF), _submit(client, ann, world.open_phase_id, GOOD))
    _evaluate(app, _submit(client, ben, world.open_phase_id, HALF))
    page = client.get("/c/demo?lang=en").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 2 and "public split" in page and "private split" not in page
    points = re.findall(r'<circle class="point" data-team="(\d+)"', page)
    data = client.get(f"/api/v1/phases/{world.open_phase_id}/charts").get_json()
    assert len(points) == sum(len(t["points"]) for t in data["teams"])
    assert sum(data["histogram"]["counts"]) == 3
    by_name = {t["team"]["name"]: [p["score"] for p in t["points"]] for t in data["teams"]}
    assert by_name["team ann"][-1] >= by_name["team ann"][0] and len(by_name["team ben"]) == 1
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/charts?split=private").status_code == 401
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/charts?split=private", headers=ann).status_code == 403
    browser, olga = _organizer(app, client)
    assert "private split" in browser.get("/c/demo?lang=en").get_data(as_text=True)
    assert client.get(f"/api/v1/phases/{world.open_phase_id}/charts?split=private", headers=olga).status_code == 200
    assert "<script" not in page.split('id="charts"')[1].split("</section>")[0]


def test_an_adaptive_probing_signal_is_listed_with_its_label_in_both_languages(
    app: Flask, client: FlaskClient, world: World
) -> None:
    team = _participant(app, client, "ann")
    submission_id = _submit(client, team, world.open_phase_id, GOOD)
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        assert submission is not None
        db.session.add(
            IntegritySignal(
                challenge_id=submission.phase.track.challenge_id,
                phase_id=submission.phase_id,
                kind="adaptive_probing",
                key=f"phase:{submission.phase_id}:team:{submission.team_id}",
                team_ids=[submission.team_id],
                submission_ids=[submission_id],
                detail={"unrelated": 20, "votes": [{"submission_id": submission_id, "fit": 0.71}], "rule": {}},
            )
        )
        db.session.commit()
        db.session.remove()
    browser, olga = _organizer(app, client)
    listed = client.get("/api/v1/challenges/demo/integrity-signals", headers=olga).get_json()["signals"]
    assert [s["kind"] for s in listed] == ["adaptive_probing"] and listed[0]["detail"]["unrelated"] == 20
    english = browser.get("/c/demo/integrity").get_data(as_text=True)
    assert "Adaptive probing of the public board" in english and "correlation 0.71" in english
    chinese = browser.get("/c/demo/integrity?lang=zh-CN").get_data(as_text=True)
    assert "对公开榜的自适应试探" in chinese and "相关系数 0.71" in chinese
