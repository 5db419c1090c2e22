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


BASELINE_CODE = """
import os
ids = open(os.path.join(os.environ["ARENA_INPUT"], "ids.txt")).read().split()
with open(os.path.join(os.environ["ARENA_OUTPUT"], "predictions.csv"), "w") as out:
    out.write("id,label\\n")
    for i, name in enumerate(ids):
        out.write(f"{name},{'a' if i % 3 else 'b'}\\n")
"""
INPUTS = zip_bytes({"ids.txt": " ".join(f"r{i}" for i in range(12))})
PROGRAM = zip_bytes({"main.py": BASELINE_CODE})
CODE = {"kind": "code", "resource_class": "gpu", "wall_seconds": "90", "memory_mb": "512", "cpus": "0.5",
        "pids": "128", "output_mb": "16"}  # fmt: skip


def _code_files(**archives: bytes) -> dict[str, object]:
    files: dict[str, object] = {**_files(labels=KEY, sample=SAMPLE)}
    for name, data in archives.items():
        files[name] = (io.BytesIO(data), f"{name}.zip")
    return files


def test_the_form_offers_a_code_track_with_the_sandboxs_default_limits(app: Flask, client: FlaskClient) -> None:
    _creator(client, app)
    form = client.get("/challenges/new").get_data(as_text=True)
    assert '<option value="code" >' in form and '<option value="gpu" >' in form
    assert 'name="inputs" type="file"' in form and 'name="baseline_program" type="file"' in form
    for name, value in (("wall_seconds", "600"), ("memory_mb", "2048"), ("cpus", "1"), ("pids", "256")):
        assert f'id="{name}" name="{name}" type="number" step="any" value="{value}"' in form


def test_a_creator_creates_a_code_track_from_the_form(app: Flask, client: FlaskClient) -> None:
    _creator(client, app)
    files = _code_files(inputs=INPUTS, baseline_program=PROGRAM)
    sent = _post(client, "/challenges/new", {**FIELDS, **CODE, **files})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.slug == "cats"))
        assert challenge is not None and not challenge.is_published
        track = challenge.tracks[0]
        assert track.kind == "code" and track.runner["resource_class"] == "gpu"
        assert track.runner["limits"] == {"wall_seconds": 90, "memory_mb": 512, "cpus": 0.5, "pids": 128,
                                          "output_mb": 16}  # fmt: skip
        assert track.phases[0].inputs_sha256 and track.phases[0].baseline_sha256


def test_a_refused_code_track_keeps_what_was_typed_and_asks_for_the_files_again(
    app: Flask, client: FlaskClient
) -> None:
    _creator(client, app)
    typed = {**FIELDS, **CODE, "memory_mb": "4", "title_zh": "猫咪"}
    files = _code_files(inputs=zip_bytes({"../up.txt": "x"}), baseline_program=zip_bytes({"notes.txt": "x"}))
    sent = _post(client, "/challenges/new", {**typed, **files})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 400
    assert 'id="problem-memory_mb" aria-live="polite">Limits.memory_mb must be at least 8' in page
    assert 'id="problem-inputs" aria-live="polite">The archive entry' in page
    assert 'id="problem-baseline_program" aria-live="polite">The archive must contain main.py' in page
    assert 'value="4"' in page and 'value="猫咪"' in page and 'value="90"' in page
    assert '<option value="code" selected>' in page and '<option value="gpu" selected>' in page
    assert page.count("Browsers do not keep a chosen file after a refused form") == 6
    with app.app_context():
        assert db.session.scalar(select(Challenge.id)) is None
    missing = _post(client, "/challenges/new", {**FIELDS, **CODE, **_files(labels=KEY, sample=SAMPLE)})
    assert 'id="problem-inputs" aria-live="polite">is required' in missing.get_data(as_text=True)
    # A refused result track (whose runner fields the script does not send) shows the runner's defaults.
    result = _post(client, "/challenges/new", {**FIELDS, "slug": "Bad!"}).get_data(as_text=True)
    assert 'id="memory_mb" name="memory_mb" type="number" step="any" value="2048"' in result


def test_the_live_check_covers_the_code_track_fields(app: Flask, client: FlaskClient) -> None:
    _creator(client, app)
    typed = {**FIELDS, **CODE, "resource_class": "tpu", "cpus": "0", "wall_seconds": "soon"}
    answer = _post(client, "/challenges/new/check", typed).get_json()
    problems = {p["input"]: p["message"] for p in answer["problems"]}
    assert problems == {
        "resource_class": "must be one of cpu, gpu, large-memory",
        "cpus": "Limits.cpus must be a positive number, got 0",
        "wall_seconds": "Limits.wall_seconds must be a positive number, got 'soon'",
    }
    # The hidden inputs are not asked for before they are chosen; a result track with runner fields is fine.
    assert _post(client, "/challenges/new/check", {**FIELDS, **CODE}).get_json() == {"problems": []}
    assert _post(client, "/challenges/new/check", {**FIELDS, **CODE, "kind": "result"}).get_json() == {"problems": []}


def test_the_api_creates_a_code_track_from_a_multipart_form(app: Flask, client: FlaskClient) -> None:
    _creator(client, app)
    headers = token_for(client, "carol")
    checked = client.post(
        "/api/v1/challenges",
        data={**FIELDS, **CODE, "pids": "-1", "check_only": "true", **_code_files(inputs=b"not an archive")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200
    assert checked.get_json()["problems"] == [
        {"field": "tracks[0].runner.limits.pids", "message": "Limits.pids must be a positive number, got -1"},
        {"field": "tracks[0].phases[0].inputs", "message": "The upload is not a zip or tar.gz archive."},
    ]
    created = client.post(
        "/api/v1/challenges",
        data={**FIELDS, **CODE, **_code_files(inputs=INPUTS, baseline_program=PROGRAM, sample_program=PROGRAM)},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert created.status_code == 201, created.get_json()
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.slug == "cats"))
        assert challenge is not None and challenge.tracks[0].kind == "code"
        phase = challenge.tracks[0].phases[0]
        assert phase.sample_sha256 == phase.baseline_sha256 != ""
    json_code = {**FIELDS, "slug": "dogs", "kind": "code", "labels_csv": KEY, "sample_csv": SAMPLE}
    refused = client.post("/api/v1/challenges", json=json_code, headers=headers)
    assert refused.status_code == 400
    assert {"field": "tracks[0].phases[0].inputs", "message": "is required"} in refused.get_json()["error"]["problems"]
    schema = client.get("/api/v1/openapi.json").get_json()["paths"]["/challenges"]["post"]["requestBody"]["content"]
    assert schema["multipart/form-data"]["schema"]["properties"]["inputs"]["format"] == "binary"
