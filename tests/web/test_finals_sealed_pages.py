"""The organizer's page stores, replaces and removes a final's sealed test set; nobody else can, or can fetch it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from arena import finals
from tests.arena.finals_world import person
from tests.arena.sealed_world import GOOD_KEY, SEALED_IDS, code_final, finalist_with_code, key_of, sealed_inputs
from tests.factories import PASSWORD, zip_bytes
from tests.web.conftest import csrf_from
from web import state
from web.extensions import db


@dataclass(frozen=True)
class Ids:
    """The ids of the world (its ORM objects belong to another session)."""

    slug: str
    final_id: int
    phase_id: int


@pytest.fixture
def sealed_world(app: Flask, tmp_path: Path) -> Ids:
    with app.app_context():
        world = code_final(db.session(), state.store(), tmp_path)
        return Ids(world.challenge.slug, world.final.id, world.phase.id)


def _login(client: FlaskClient, username: str) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def _upload(client: FlaskClient, world: Ids, key: bytes, token: str) -> tuple[int, str]:
    archive = zip_bytes({"ids.txt": "".join(f"{i}\n" for i in SEALED_IDS)})
    data = {
        "csrf_token": token,
        "phase_id": str(world.phase_id),
        "inputs": (io.BytesIO(archive), "inputs.zip"),
        "labels": (io.BytesIO(key), "sealed.csv"),
    }
    response = client.post(
        f"/c/{world.slug}/final/manage/sealed", data=data, content_type="multipart/form-data", follow_redirects=True
    )
    return response.status_code, response.get_data(as_text=True)


def test_the_organizer_stores_replaces_and_removes_a_sealed_set(
    app: Flask, client: FlaskClient, sealed_world: Ids
) -> None:
    _login(client, "org")
    page = client.get(f"/c/{sealed_world.slug}/final/manage").get_data(as_text=True)
    assert "Sealed final test sets" in page and "own hidden data" in page
    status, html = _upload(client, sealed_world, key_of([("s0", "a"), ("s0", "b")]), csrf_from(page))
    assert status == 400 and "s0" in html
    status, html = _upload(client, sealed_world, GOOD_KEY, csrf_from(html))
    assert status == 200 and "The sealed test set is stored: 6 cases." in html and "6 cases, from the upload" in html
    with app.app_context():
        (row,) = finals.sealed_sets(db.session(), sealed_world.final_id)
        labels_sha = row.labels_sha256
    assert labels_sha not in html
    remove = f"/c/{sealed_world.slug}/final/manage/sealed/{sealed_world.phase_id}/remove"
    response = client.post(remove, data={"csrf_token": csrf_from(html)}, follow_redirects=True)
    assert "The sealed test set is removed." in response.get_data(as_text=True)
    with app.app_context():
        assert finals.sealed_sets(db.session(), sealed_world.final_id) == []


def test_a_participant_cannot_provide_a_sealed_set(app: Flask, client: FlaskClient, sealed_world: Ids) -> None:
    _login(client, "cap")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    status, _ = _upload(client, sealed_world, GOOD_KEY, token)
    assert status == 404
    assert client.get(f"/c/{sealed_world.slug}/final/manage/sealed").status_code == 405
    with app.app_context():
        assert finals.sealed_sets(db.session(), sealed_world.final_id) == []


def test_the_page_speaks_chinese(client: FlaskClient, sealed_world: Ids) -> None:
    _login(client, "org")
    page = client.get(f"/c/{sealed_world.slug}/final/manage", headers={"Accept-Language": "zh-CN"})
    assert "封存的决赛测试集" in page.get_data(as_text=True)


def test_the_organizer_the_finalist_and_a_judge_see_the_reproduction_ran_on_the_sealed_set(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        session = db.session()
        world = code_final(session, state.store(), tmp_path)
        finalist = finalist_with_code(session, state.store(), world)
        sealed = finals.provide_sealed_set(
            session, state.store(), world.organizer, world.final.id, world.phase.id, sealed_inputs(tmp_path), GOOD_KEY
        )
        person(session, "juror", email="juror@jury.example")
        finals.invite_judge(session, world.organizer, world.final.id, "juror")
        # As record_reproduction leaves it after a sealed re-run (the run itself is in the Docker test).
        finalist.reproduction_status = "passed"
        finalist.reproduction_result = {"reproduced": 0.83, "difference": 0.03, "sealed": {"score": 0.83, "cases": 6}}
        session.commit()
        slug, final_id, finalist_id, labels_sha = (
            world.challenge.slug,
            world.final.id,
            finalist.id,
            sealed.labels_sha256,
        )
    line = "on the sealed set: score 0.83 over 6 cases"
    pages = {
        "org": f"/c/{slug}/final/manage",
        "cap": f"/c/{slug}/final/me",
        "juror": f"/judge/finals/{final_id}/finalists/{finalist_id}",
    }
    for who, path in pages.items():
        viewer = app.test_client()
        _login(viewer, who)
        page = viewer.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, (who, html[:500])
        expected = "the sealed final test set (6 cases)" if who == "juror" else line
        assert expected in html and labels_sha not in html, who
