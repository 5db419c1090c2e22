"""Creating challenges in the browser and the API: creators, the form and its live check, bundles, re-imports."""

from __future__ import annotations

import io
from pathlib import Path

import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena.enums import ChallengeRoleKind
from arena.models import AuditEvent, Challenge, User
from arena.permissions import roles_in
from tests.factories import write_bundle, zip_bytes
from tests.web.conftest import World, csrf_from, login, make_user, token_for
from web.extensions import db

KEY = "id,label\n" + "".join(f"r{i},{'a' if i % 3 else 'b'}\n" for i in range(12))
SAMPLE = "id,label\n" + "".join(f"r{i},a\n" for i in range(12))
FIELDS = {
    "slug": "cats",
    "title_en": "Cats",
    "title_zh": "猫",
    "track_slug": "main",
    "track_title_en": "Main",
    "track_title_zh": "主赛道",
    "scorer": "accuracy",
    "scorer_options": "",
    "id_column": "id",
    "target_columns": "label",
    "phase_slug": "open",
    "phase_title_en": "Open round",
    "phase_title_zh": "公开赛",
    "opens": "2027-01-01T08:00",
    "closes": "2027-03-01T08:00",
    "daily_quota": "5",
    "public_fraction": "0.3",
}


def _admin_grants(app: Flask, who: str) -> FlaskClient:
    make_user(app, "root", admin=True)
    admin = app.test_client()
    login(admin, "root")
    token = csrf_from(admin.get("/admin/creators").get_data(as_text=True))
    granted = admin.post("/admin/creators", data={"who": who, "csrf_token": token})
    assert granted.status_code == 302
    return admin


def _creator(client: FlaskClient, app: Flask, name: str = "carol") -> None:
    make_user(app, name)
    _admin_grants(app, name)
    login(client, name)


def _files(**names: str) -> dict[str, tuple[io.BytesIO, str]]:
    return {field: (io.BytesIO(text.encode()), f"{field}.csv") for field, text in names.items()}


def _post(client: FlaskClient, url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/challenges/new").get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, content_type="multipart/form-data")


def test_site_admins_grant_the_creator_role_on_a_page(app: Flask, client: FlaskClient) -> None:
    make_user(app, "carol")
    make_user(app, "dave")
    login(client, "dave")
    assert client.get("/admin/creators").status_code == 403
    assert client.get("/challenges/new").status_code == 404
    assert "/challenges/new" not in client.get("/").get_data(as_text=True)
    client = _admin_grants(app, "carol")
    page = client.get("/admin/creators").get_data(as_text=True)
    assert 'id="creator-' in page and "carol" in page
    token = csrf_from(page)
    unknown = client.post("/admin/creators", data={"who": "nobody", "csrf_token": token}, follow_redirects=True)
    assert "no account has the username or e-mail address nobody" in unknown.get_data(as_text=True)
    assert 'value="nobody"' in unknown.get_data(as_text=True)
    with app.app_context():
        carol = db.session.scalar(select(User).where(User.username == "carol"))
        assert carol is not None
        carol_id = carol.id
    client.post(f"/admin/creators/{carol_id}/revoke", data={"csrf_token": token})
    assert f'id="creator-{carol_id}"' not in client.get("/admin/creators").get_data(as_text=True)
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"creator.granted", "creator.revoked"} <= actions


def test_a_creator_creates_a_draft_from_the_form_and_imports_it_again(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    _creator(client, app)
    assert "/challenges/new" in client.get("/").get_data(as_text=True)
    form = client.get("/challenges/new").get_data(as_text=True)
    assert 'name="scorer"' in form and '<option value="map_at_k"' in form
    sent = _post(client, "/challenges/new", {**FIELDS, **_files(labels=KEY, sample=SAMPLE, baseline=SAMPLE)})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/c/cats/manage")
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.slug == "cats"))
        assert challenge is not None and not challenge.is_published
        carol = db.session.scalar(select(User).where(User.username == "carol"))
        assert carol is not None and ChallengeRoleKind.ORGANIZER in roles_in(db.session, carol.id, challenge.id)
        carol_id = carol.id
    console = client.get("/c/cats/manage").get_data(as_text=True)
    assert "/c/cats/manage/import" in console and "/c/cats/manage/dry-run" in console
    # A draft is hidden from everyone else; its organizer finds it on the creation page.
    assert app.test_client().get("/c/cats").status_code == 404
    assert 'href="/c/cats/manage">Cats</a>' in client.get("/challenges/new").get_data(as_text=True)
    again = _zip_of(write_bundle(tmp_path / "again", slug="cats", daily_quota=7))
    token = csrf_from(client.get("/c/cats/manage/import").get_data(as_text=True))
    sent = client.post(
        "/c/cats/manage/import",
        data={"archive": (io.BytesIO(again), "cats.zip"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.slug == "cats"))
        assert challenge is not None and challenge.tracks[0].phases[0].daily_quota == 7
        imports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "challenge.imported")).all()
        assert [event.actor_id for event in imports] == [carol_id, carol_id]


def test_bad_input_is_named_field_by_field_and_nothing_typed_is_lost(app: Flask, client: FlaskClient) -> None:
    _creator(client, app)
    typed = {**FIELDS, "slug": "Cats!", "daily_quota": "many", "title_zh": "猫咪"}
    sent = _post(client, "/challenges/new", {**typed, **_files(sample=SAMPLE)})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 400
    assert "&#39;Cats!&#39; must be 2–64 lower-case letters, digits or &#39;-&#39;" in page
    assert "must be a whole number from 1 to 10000, got &#39;many&#39;" in page
    assert "<code>tracks[0].phases[0].labels</code>: is required" in page
    assert 'value="Cats!"' in page and 'value="猫咪"' in page and 'value="many"' in page
    assert 'id="problem-daily_quota" aria-live="polite">must be a whole number' in page
    with app.app_context():
        assert db.session.scalar(select(Challenge.id)) is None


def test_the_live_check_answers_with_the_importers_messages(app: Flask, client: FlaskClient) -> None:
    _creator(client, app)
    answer = _post(client, "/challenges/new/check", {**FIELDS, "scorer": "mapk", "public_fraction": "2"})
    problems = {p["input"]: p["message"] for p in answer.get_json()["problems"]}
    assert problems["scorer"].startswith("Unknown scorer 'mapk'")
    assert problems["public_fraction"] == "must be a number between 0.0 and 1.0 (exclusive), got 2.0"
    assert "labels" not in problems
    assert _post(client, "/challenges/new/check", FIELDS).get_json() == {"problems": []}


def _zip_of(folder: Path) -> bytes:
    return zip_bytes({str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()})


def test_bundles_are_uploaded_as_drafts_without_a_build_step(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    _creator(client, app)
    archive = _zip_of(write_bundle(tmp_path / "toy", slug="toy"))
    sent = _post(client, "/challenges/new/bundle", {"archive": (io.BytesIO(archive), "toy.zip")})
    assert sent.status_code == 302
    built = write_bundle(tmp_path / "built", slug="built")
    data = yaml.safe_load((built / "challenge.yaml").read_text())
    (built / "challenge.yaml").write_text(yaml.safe_dump({**data, "build": "build.py"}))
    (built / "build.py").write_text("raise SystemExit(1)\n")
    refused = _post(client, "/challenges/new/bundle", {"archive": (io.BytesIO(_zip_of(built)), "b.zip")})
    assert refused.status_code == 400
    assert "<code>build</code>: runs a script on the server, which only site admins" in refused.get_data(as_text=True)
    again = _post(client, "/challenges/new/bundle", {"archive": (io.BytesIO(archive), "toy.zip")})
    assert "is the address of another challenge" in again.get_data(as_text=True)


def test_organizers_reimport_their_bundle_with_an_audit(
    app: Flask, client: FlaskClient, world: World, tmp_path: Path
) -> None:
    make_user(app, "olga", organizer_of="demo")
    make_user(app, "pat")
    stranger = app.test_client()
    login(stranger, "pat")
    assert stranger.get("/c/demo/manage/import").status_code == 404
    login(client, "olga")
    page = client.get("/c/demo/manage/import").get_data(as_text=True)
    token = csrf_from(page)
    other = _zip_of(write_bundle(tmp_path / "other", slug="other"))
    refused = client.post(
        "/c/demo/manage/import",
        data={"archive": (io.BytesIO(other), "o.zip"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "must stay &#39;demo&#39;" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Challenge.id).where(Challenge.slug == "other")) is None


def test_the_api_creates_a_draft_for_creators_only(app: Flask, client: FlaskClient) -> None:
    make_user(app, "dave")
    body = {**FIELDS, "opens": "2027-01-01T00:00:00Z", "closes": "2027-03-01T00:00:00Z", "daily_quota": 5}
    body |= {"public_fraction": 0.3, "target_columns": ["label"], "labels_csv": KEY, "sample_csv": SAMPLE}
    assert client.post("/api/v1/challenges", json=body).status_code == 401
    assert client.post("/api/v1/challenges", json=body, headers=token_for(client, "dave")).status_code == 403
    _creator(client, app)
    headers = token_for(client, "carol")
    checked = client.post("/api/v1/challenges", json={**body, "slug": "X", "check_only": True}, headers=headers)
    assert checked.status_code == 200
    assert checked.get_json()["problems"] == [
        {"field": "slug", "message": "'X' must be 2–64 lower-case letters, digits or '-'"}
    ]
    bad = client.post("/api/v1/challenges", json={**body, "labels_csv": None}, headers=headers)
    assert bad.status_code == 400
    assert {"field": "tracks[0].phases[0].labels", "message": "is required"} in bad.get_json()["error"]["problems"]
    created = client.post("/api/v1/challenges", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {
        "id": created.get_json()["id"],
        "slug": "cats",
        "published": False,
        "url": "/c/cats",
        "console_url": "/c/cats/manage",
    }
    detail = client.get("/api/v1/challenges/cats", headers=headers).get_json()
    assert detail["tracks"][0]["phases"][0]["opens_at"].startswith("2027-01-01T00:00:00")
