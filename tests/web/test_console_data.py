"""The console's data, dry-run and export pages: who may use them, what they change, and that keys stay hidden."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import BuildError

from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind
from arena.models import AuditEvent, Challenge, ChallengeFile, Phase
from tests.web.conftest import World, csrf_from, login, make_user, token_for
from web.extensions import db

CANARY_KEY = b"id,label\n1,canary-label-3\n2,canary-label-5\n3,canary-label-7\n"


def _organizer(app: Flask, client: FlaskClient, name: str = "olga") -> None:
    make_user(app, name, organizer_of="demo")
    login(client, name)


def _post(client: FlaskClient, url: str, data: dict[str, object], page: str = "/c/demo/manage/data"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, content_type="multipart/form-data")


def _phase(app: Flask, phase_id: int) -> Phase:
    with app.app_context():
        phase = db.session.get(Phase, phase_id)
        assert phase is not None
        db.session.expunge(phase)
        return phase


def test_an_organizer_uploads_a_public_file_with_titles_and_the_challenge_page_links_the_console(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    assert "/c/demo/manage" in client.get("/c/demo").get_data(as_text=True)
    console = client.get("/c/demo/manage").get_data(as_text=True)
    assert "/c/demo/manage/data" in console and "/c/demo/manage/dry-run" in console
    sent = _post(
        client,
        "/c/demo/manage/data/files",
        {"file": (io.BytesIO(b"id,x\n1,2\n"), "extra.csv"), "title_en": "Extra", "title_zh": "附加数据"},
    )
    assert sent.status_code == 302
    page = client.get("/c/demo/manage/data?lang=zh-CN").get_data(as_text=True)
    assert "public/extra.csv" in page and "附加数据" in page
    refused = _post(
        client,
        "/c/demo/manage/data/files?lang=en",
        {"file": (io.BytesIO(b"x"), "more.csv"), "title_en": "More", "title_zh": ""},
    )
    assert refused.status_code == 400 and "title in English and in Chinese" in refused.get_data(as_text=True)


def test_a_bad_key_is_refused_with_its_first_offending_rows_and_the_old_key_stays(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    url = f"/c/demo/manage/data/phases/{world.open_phase_id}/key"
    bad = _post(client, url, {"file": (io.BytesIO(b"id,label\n1,3\n2,5\n1,7\n"), "key.csv"), "reason": "fix"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "line 2 (&#39;1&#39;)" in text and "line 4 (&#39;1&#39;)" in text
    assert _phase(app, world.open_phase_id).labels_sha256 == world.labels_sha256
    zh = _post(client, url + "?lang=zh-CN", {"file": (io.BytesIO(b"id,answer\n1,3\n2,5\n"), "k.csv"), "reason": "x"})
    assert zh.status_code == 400 and "隐藏答案" in zh.get_data(as_text=True)


def test_replacing_a_running_phase_key_asks_for_a_reason_and_is_audited(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _organizer(app, client)
    url = f"/c/demo/manage/data/phases/{world.open_phase_id}/key"
    no_reason = _post(client, url, {"file": (io.BytesIO(CANARY_KEY), "key.csv"), "reason": ""})
    assert no_reason.status_code == 400 and "say why" in no_reason.get_data(as_text=True)
    done = _post(client, url, {"file": (io.BytesIO(CANARY_KEY), "key.csv"), "reason": "labels corrected"})
    assert done.status_code == 302
    phase = _phase(app, world.open_phase_id)
    assert phase.labels_sha256 != world.labels_sha256 and phase.score_version == 2
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"phase.key_replaced", "phase.rescore_started"} <= actions


def _every_get_url(app: Flask) -> list[str]:
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        choices: list[dict[str, object]] = [{}]
        for arg in rule.arguments:
            options: list[object]
            if arg == "slug":
                options = ["demo"]
            elif arg.endswith("id"):
                options = [1, 2, 3]
            else:
                options = ["csv", "parquet", "json", "zip", "pdf", "html"]
            choices = [{**c, arg: o} for c in choices for o in options]
        for values in choices:
            try:
                urls.append(adapter.build(rule.endpoint, values))
            except (BuildError, ValueError):
                continue
    return sorted(set(urls))


@pytest.mark.slow
def test_no_get_route_gives_a_participant_the_hidden_key(app: Flask, client: FlaskClient, world: World) -> None:
    _organizer(app, client)
    url = f"/c/demo/manage/data/phases/{world.open_phase_id}/key"
    assert _post(client, url, {"file": (io.BytesIO(CANARY_KEY), "key.csv"), "reason": "canary"}).status_code == 302
    export = client.get("/c/demo/manage/export")
    assert export.status_code == 200 and b"canary-label" in zipfile.ZipFile(io.BytesIO(export.data)).read(
        "hidden/main/open/labels.csv"
    )
    participant = app.test_client()
    make_user(app, "pia")
    headers = token_for(participant, "pia")
    participant.post("/api/v1/challenges/demo/teams", json={"name": "Pia"}, headers=headers)
    login(participant, "pia")
    urls = _every_get_url(app)
    assert "/c/demo/files/1" in urls and "/c/demo/manage/export" in urls
    for target in urls:
        response = participant.get(target, headers=headers)
        body, status = response.data, response.status_code
        response.close()
        assert b"canary-label" not in body, target
        if "/manage/" in target:
            assert status == 404, target


@pytest.mark.parametrize("who", ["participant", "judge", "other_organizer"])
def test_the_console_pages_are_not_found_for_anyone_but_this_challenges_organizers(
    app: Flask, client: FlaskClient, world: World, who: str
) -> None:
    with app.app_context():
        other = Challenge(slug="other", title={"en": "Other", "zh": "其他"}, text={})
        db.session.add(other)
        db.session.commit()
        user = accounts.create_user(db.session(), "vic", "correct-horse-battery")
        if who == "judge":
            accounts.grant_role(
                db.session(),
                db.session.scalar(select(Challenge.id).where(Challenge.slug == "demo")),
                user,
                ChallengeRoleKind.JUDGE,
            )
        if who == "other_organizer":
            accounts.grant_role(db.session(), other.id, user, ChallengeRoleKind.ORGANIZER)
        db.session.commit()
    login(client, "vic")
    for url in ("/c/demo/manage/data", "/c/demo/manage/dry-run", "/c/demo/manage/export"):
        assert client.get(url).status_code == 404, url
    token = csrf_from(client.get("/profile").get_data(as_text=True))
    for url in (
        "/c/demo/manage/data/files",
        f"/c/demo/manage/data/files/{world.public_file_id}/remove",
        f"/c/demo/manage/data/phases/{world.open_phase_id}/key",
        "/c/demo/manage/dry-run",
        "/c/demo/manage/publish",
        "/c/demo/manage/unpublish",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    with app.app_context():
        assert db.session.get(ChallengeFile, world.public_file_id) is not None
        assert db.session.scalar(select(Challenge.is_published).where(Challenge.slug == "demo"))


def test_the_dry_run_page_refuses_to_publish_without_a_baseline_then_publishes(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.slug == "demo"))
        assert challenge is not None
        challenge.is_published = False
        db.session.commit()
    _organizer(app, client)
    page = "/c/demo/manage/dry-run"
    refused = _post(client, "/c/demo/manage/publish", {}, page)
    assert refused.status_code == 409 and "run the dry run first" in refused.get_data(as_text=True)
    assert _post(client, page, {}, page).status_code == 302
    refused = _post(client, "/c/demo/manage/publish", {}, page)
    assert refused.status_code == 409 and "no phase declares a baseline" in refused.get_data(as_text=True)
    with app.app_context():
        for phase in db.session.scalars(select(Phase)):
            phase.baseline_sha256 = phase.labels_sha256  # the key itself scores perfectly
        db.session.commit()
    stale = _post(client, "/c/demo/manage/publish", {}, page)
    assert stale.status_code == 409 and "changed since the last dry run" in stale.get_data(as_text=True)
    assert _post(client, page, {}, page).status_code == 302
    shown = client.get(page + "?lang=zh-CN").get_data(as_text=True)
    assert "1.0000" in shown and "基线" in shown
    assert _post(client, "/c/demo/manage/publish?lang=en", {}, page).status_code == 302
    assert "Demo challenge" in client.get("/").get_data(as_text=True)
    anonymous = app.test_client()
    assert "Demo challenge" in anonymous.get("/").get_data(as_text=True)
    assert _post(client, "/c/demo/manage/unpublish", {"reason": "not ready"}, page).status_code == 302
    assert "Demo challenge" not in anonymous.get("/").get_data(as_text=True)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action)))
    assert {"challenge.dry_run", "challenge.published", "challenge.unpublished"} <= set(actions)


def test_an_organizer_exports_the_challenge_as_a_bundle(app: Flask, client: FlaskClient, world: World) -> None:
    _organizer(app, client)
    export = client.get("/c/demo/manage/export")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        assert archive.read("hidden/main/open/labels.csv") == b"id,label\n1,3\n2,5\n3,7\n"
        assert "public/sample_submission.csv" in archive.namelist()
