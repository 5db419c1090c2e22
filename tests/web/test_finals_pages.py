"""The final's pages: the organizer's page, the public page before and after reveal, the projector and certificates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from arena import accounts, finals
from arena.challenges import import_bundle
from arena.models import Final, Finalist, User
from tests.arena.finals_world import build, person
from tests.factories import PASSWORD, write_bundle
from tests.web.conftest import World as WebWorld
from tests.web.conftest import csrf_from, login, make_user
from web import demo, state
from web.extensions import db


@dataclass(frozen=True)
class Ids:
    """The ids of the finals world (its ORM objects belong to another session)."""

    slug: str
    final_id: int
    phase_id: int
    organizer_id: int
    team_ids: list[int]


@pytest.fixture
def final_world(app: Flask, tmp_path: Path) -> Ids:
    with app.app_context():
        world = build(db.session(), state.settings(), state.store(), tmp_path)
        return Ids(
            world.challenge.slug, world.final.id, world.phase.id, world.organizer.id, [t.id for t in world.teams]
        )


def _login(client: FlaskClient, username: str) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def _post(client: FlaskClient, path: str, data: dict[str, object] | None = None) -> tuple[int, str]:
    token = csrf_from(client.get(_manage_path(path)).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def _manage_path(path: str) -> str:
    return re.sub(r"(/final/manage).*", r"\1", path)


def _revealed(app: Flask, world: Ids) -> None:
    """Name three finalists, have one judge score them, lock and reveal."""
    with app.app_context():
        session = db.session()
        organizer = session.get(User, world.organizer_id)
        assert organizer is not None
        named = finals.name_finalists(session, organizer, world.final_id, world.phase_id, top_n=3)
        judge = person(session, "juror", email="juror@jury.example")
        finals.invite_judge(session, organizer, world.final_id, "juror")
        finals.open_scoring(session, organizer, world.final_id)
        for finalist, points in zip(named, ([9, 9, 9, 9], [5, 5, 5, 5], [9, 9, 9, 9]), strict=True):
            for criterion, value in zip(finals.rubric(session, world.final_id), points, strict=True):
                finals.save_mark(session, judge, finalist.id, criterion.id, value)
        for finalist in named:
            finalist.reproduction_status = "passed"
        finals.lock_final(session, organizer, world.final_id)
        finals.reveal_final(session, organizer, world.final_id)
        session.commit()


def test_everyone_sees_the_declared_formula_before_reveal_but_no_ranking(
    app: Flask, client: FlaskClient, final_world: Ids
) -> None:
    slug = final_world.slug
    page = client.get(f"/c/{slug}/final")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "0.6 × online score" in html and "The result is shown here once the organizers reveal it." in html
    assert "team0" not in html and "Algorithmic innovation" in html
    zh = client.get(f"/c/{slug}/final", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "算法创新性" in zh
    assert client.get(f"/c/{slug}/final/present").status_code == 404
    assert client.get(f"/c/{slug}/final/certificates").status_code == 404
    assert client.get(f"/c/{slug}/final/manage").status_code in (302, 401, 404)
    assert f'href="/c/{slug}/final"' in client.get(f"/c/{slug}").get_data(as_text=True)


def test_after_reveal_the_ranking_shows_components_and_ties_never_marks(
    app: Flask, client: FlaskClient, final_world: Ids
) -> None:
    _revealed(app, final_world)
    slug = final_world.slug
    html = client.get(f"/c/{slug}/final").get_data(as_text=True)
    assert "team0" in html and "team2" in html and "Tianjin University" in html
    assert "juror" not in html and "J1" not in html
    present = client.get(f"/c/{slug}/final/present").get_data(as_text=True)
    assert present.index("team2") < present.index("team0") and "finals-present.js" in present
    zh = client.get(f"/c/{slug}/final/present", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "显示下一个名次" in zh
    certificates = client.get(f"/c/{slug}/final/certificates").get_data(as_text=True)
    assert certificates.count('class="certificate"') == 3 and "placed 1 in the final" in certificates


def test_the_organizer_runs_the_final_through_its_page(app: Flask, client: FlaskClient, final_world: Ids) -> None:
    slug = final_world.slug
    _login(client, "org")
    page = client.get(f"/c/{slug}/final/manage")
    assert page.status_code == 200 and "Kendall" in page.get_data(as_text=True)
    manage = f"/c/{slug}/final/manage"
    status, html = _post(client, f"{manage}/rubric", {"template": "1"})
    assert status == 200 and "The rubric is set from the template." in html
    settings = {"title_en": "Final", "title_zh": "总决赛", "aggregation": "mean", "missing_rule": "exclude"}
    settings |= {"trim_min_judges": "5", "tolerance": "0.001", "source_phase_ids": str(final_world.phase_id)}
    status, html = _post(client, f"{manage}/settings", {**settings, "formula": '{"weights": {"online": 2}}'})
    assert status == 400 and "sum to 1" in html
    status, html = _post(client, f"{manage}/settings", {**settings, "formula": '{"weights": {"online": 1}}'})
    assert status == 200 and "The final&#39;s settings are saved." in html
    status, html = _post(client, f"{manage}/name", {"phase_id": final_world.phase_id, "rule": "top", "value": "2"})
    assert status == 200 and "2 finalists named." in html
    person_id = 0
    with app.app_context():
        person_id = person(db.session(), "ethics", institution="Tianjin University").id
    status, html = _post(client, f"{manage}/judges", {"username": "ethics"})
    assert status == 200 and "same institution" in html
    status, html = _post(client, f"{manage}/add", {"team": "team3", "reason": "wild card"})
    assert "team3 is added to the final." in html
    with app.app_context():
        first = db.session().query(Finalist).filter_by(team_id=final_world.team_ids[0]).one()
    status, html = _post(client, f"{manage}/finalists/{first.id}/decline", {"reason": "cannot travel"})
    assert "the next team on the board is the substitute" in html
    status, html = _post(client, f"{manage}/judges/{person_id}/panel", {"panel": "A"})
    assert status == 200 and "The panel is saved." in html
    # A refused step says why, with the domain's message, and changes nothing.
    status, html = _post(client, f"{manage}/unlock", {"reason": ""})
    assert status == 409 or status == 400
    check = client.post(
        f"{manage}/formula-check",
        data={"formula": '{"weights": {"online": 0.5}}', "csrf_token": csrf_from(html)},
    )
    assert check.get_json()["ok"] is False and "sum to 1" in check.get_json()["message"]
    csv = client.get(f"{manage}/results.csv")
    assert csv.status_code == 200 and csv.data.startswith(b"rank,tied,team")
    assert client.get(f"{manage}/results.parquet").data[:4] == b"PAR1"


@pytest.mark.parametrize("who", ["cap0", "juror"])
def test_participants_and_judges_get_not_found_on_the_organizer_pages(
    app: Flask, client: FlaskClient, final_world: Ids, who: str
) -> None:
    slug = final_world.slug
    with app.app_context():
        session = db.session()
        person(session, "juror", institution="Tianjin University")
        organizer = session.get(User, final_world.organizer_id)
        assert organizer is not None
        finals.invite_judge(session, organizer, final_world.final_id, "juror")
        session.commit()
    _login(client, who)
    assert client.get(f"/c/{slug}/final/manage").status_code == 404
    assert client.get(f"/c/{slug}/final/manage/results.csv").status_code == 404
    assert client.get(f"/c/{slug}/final/present").status_code == 404
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post(f"/c/{slug}/final/manage/step/announce", data={"csrf_token": token}).status_code == 404


def test_the_demo_seeds_two_judges_one_conflicted_and_shows_the_final(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    final = {
        "title": {"en": "On-site final", "zh": "现场决赛"},
        "sources": ["main/one"],
        "formula": {"weights": {"online": 0.7, "judges": 0.3}},
        "rubric": finals.rubric_template(),
    }
    root = write_bundle(tmp_path / "b", slug=demo.FINAL_SLUG)
    data = yaml.safe_load((root / "challenge.yaml").read_text(encoding="utf-8"))
    data["final"] = final
    (root / "challenge.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with app.app_context():
        session = db.session()
        report = import_bundle(session, state.store(), root)
        session.commit()
        demo.seed_demo_accounts(session, [report.challenge_id])
        demo.seed_demo_accounts(session, [report.challenge_id])  # a second run changes nothing
        organizer = accounts.get_user_by_name(session, "organizer")
        final_id = session.scalars(select(Final.id)).one()
        seen = {(c.judge, c.source) for c in finals.conflicts(session, organizer, final_id)}
        assert seen == {("judge1", "institution")}
        assert len(finals.taking_part(session, final_id)) == 1
    page = client.get(f"/c/{demo.FINAL_SLUG}/final")
    assert page.status_code == 200 and "0.7 × online score" in page.get_data(as_text=True)


def test_an_organizer_creates_a_final_from_its_page(app: Flask, client: FlaskClient, world: WebWorld) -> None:
    make_user(app, "boss", organizer_of=world.slug)
    login(client, "boss")
    manage = f"/c/{world.slug}/final/manage"
    assert "Create the final" in client.get(manage).get_data(as_text=True)
    assert client.get(f"/c/{world.slug}/final").status_code == 404
    form = {"title_en": "Final", "title_zh": "总决赛", "aggregation": "zscore", "missing_rule": "block"}
    form |= {"trim_min_judges": "5", "tolerance": "0", "source_phase_ids": str(world.closed_phase_id)}
    form |= {"formula": '{"weights": {"online": 0.5, "judges": 0.5}}', "pitch_at": "2027-03-20T09:30"}
    status, html = _post(client, f"{manage}/settings", form)
    assert status == 200 and "The final is created as a draft." in html
    with app.app_context():
        final = db.session().scalars(select(Final)).one()
        assert final.aggregation == "zscore" and final.pitch_at is not None and final.pitch_at.hour == 9
    # A draft final is the organizers' alone.
    assert client.get(f"/c/{world.slug}/final").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get(manage).get_data(as_text=True))})
    assert client.get(f"/c/{world.slug}/final").status_code == 404
