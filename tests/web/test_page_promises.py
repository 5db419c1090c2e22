"""What pages promise participants: the language switch keeps the page, a score version is explained."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from arena.models import Phase
from tests.web.conftest import World
from web.extensions import db


def test_the_language_switch_keeps_the_page_and_its_arguments(client: FlaskClient, world: World) -> None:
    page = client.get(f"/phases/{world.open_phase_id}/leaderboard?split=public&lang=en").get_data(as_text=True)
    link = f'href="/phases/{world.open_phase_id}/leaderboard?split=public&amp;lang=zh_CN" hreflang="zh-CN"'
    assert link in page
    chinese = client.get(f"/phases/{world.open_phase_id}/leaderboard?split=public&lang=zh_CN").get_data(as_text=True)
    assert f'href="/phases/{world.open_phase_id}/leaderboard?split=public&amp;lang=en" hreflang="en"' in chinese


def test_a_score_version_is_explained_where_participants_see_it(app: Flask, client: FlaskClient, world: World) -> None:
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.score_version = 2
        db.session.commit()
    english = client.get(f"/phases/{world.open_phase_id}/leaderboard?lang=en").get_data(as_text=True)
    assert "Score version 2: the organizers have scored every submission of this phase again" in english
    chinese = client.get(f"/phases/{world.open_phase_id}/leaderboard?lang=zh_CN").get_data(as_text=True)
    assert "评分版本 2：主办方已对本阶段的全部提交重新评分" in chinese
