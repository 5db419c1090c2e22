"""A judge in Chromium, in Chinese and English, on a phone and a desktop screen: queue, packet, marks saved as typed."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from arena import finals
from arena.models import User
from tests.arena.finals_world import build, person
from tests.browser.conftest import Site, context_for, each_language, each_width, screenshot_prefix
from tests.browser.tour import Tour
from tests.factories import PASSWORD
from web import state
from web.extensions import db

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% a technical report\n"


@dataclass(frozen=True)
class Scoring:
    """A final in scoring on the site: its id, its finalists' ids, and the team a judge will be conflicted with."""

    final_id: int
    organizer_id: int
    finalists: list[int]
    conflicted_team_id: int
    conflicted_finalist: int


@pytest.fixture(scope="module")
def scoring(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scoring]:
    """Three finalists named from a closed phase, a report uploaded by the first, scoring open."""
    with site.app.app_context():
        session = db.session()
        world = build(session, state.settings(), state.store(), tmp_path_factory.mktemp("final"))
        named = finals.name_finalists(session, world.organizer, world.final.id, world.phase.id, top_n=3)
        finals.upload_report(session, state.store(), world.captains[0], named[0].id, io.BytesIO(PDF))
        finals.choose_code_submission(session, world.captains[0], named[0].id, world.submissions[0].id)
        finals.open_scoring(session, world.organizer, world.final.id)
        session.commit()
        value = Scoring(world.final.id, world.organizer.id, [f.id for f in named], world.teams[1].id, named[1].id)
        db.session.remove()
    yield value


def new_judge(site: Site, scoring: Scoring) -> str:
    """Invite a fresh judge who has declared a conflict with the second finalist's team; return its name."""
    name = f"j{uuid.uuid4().hex[:10]}"
    with site.app.app_context():
        session = db.session()
        judge = person(session, name, email=f"{name}@jury.example")
        organizer = session.get(User, scoring.organizer_id)
        assert organizer is not None
        finals.invite_judge(session, organizer, scoring.final_id, name)
        finals.declare_conflict(session, judge, scoring.final_id, scoring.conflicted_team_id, "former supervisor")
        session.commit()
        db.session.remove()
    return name


@each_language
@each_width
def test_judge(
    browser: Browser,
    site: Site,
    scoring: Scoring,
    screenshots: Path,
    request: pytest.FixtureRequest,
    language: str,
    width: str,
) -> None:
    """Log in, open the queue (no conflicted finalist), open a packet, type a mark, see it saved after a reload."""
    name = new_judge(site, scoring)
    context = context_for(browser, site, language, width)
    page = context.new_page()
    tour = Tour(page, language, screenshots, screenshot_prefix(request))
    try:
        tour.visit(f"/login?lang={language}", "login")
        page.fill("input[name=username]", name)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("header nav")).to_contain_text(name)

        tour.visit("/judge", "finals")
        page.locator(f"main a[href='/judge/finals/{scoring.final_id}']").click()
        tour.check("queue")
        queue = page.locator("table.judge-queue")
        expect(queue.locator(f"tr[data-finalist='{scoring.finalists[0]}']")).to_be_visible()
        expect(queue.locator(f"tr[data-finalist='{scoring.finalists[2]}']")).to_be_visible()
        expect(queue.locator(f"tr[data-finalist='{scoring.conflicted_finalist}']")).to_have_count(0)
        expect(page.locator(f"select[name=finalist_id] option[value='{scoring.conflicted_finalist}']")).to_have_count(0)

        page.locator(f"a[href$='/finalists/{scoring.finalists[0]}']").click()
        tour.check("packet")
        criterion = page.locator("fieldset.criterion").first
        criterion.locator("input[type=number]").fill("8")
        criterion.locator("textarea").fill("清晰的方法" if language.startswith("zh") else "a clear method")
        status = criterion.locator(".save-status")
        expect(status).to_have_attribute("data-state", "saved")
        expect(status).to_have_text("已保存" if language.startswith("zh") else "saved")
        tour.check("saved")

        # The network drops the next save: the field says so, and saves by itself once the network is back.
        marks = f"**/finalists/{scoring.finalists[0]}/marks"
        page.route(marks, lambda route: route.abort())
        second = page.locator("fieldset.criterion").nth(1)
        second.locator("input[type=number]").fill("6")
        expect(second.locator(".save-status")).to_have_attribute("data-state", "retrying")
        expect(second.locator(".save-status")).to_have_text(
            "未保存，正在重试" if language.startswith("zh") else "not saved, retrying"
        )
        page.unroute(marks)
        expect(second.locator(".save-status")).to_have_attribute("data-state", "saved")

        page.reload()
        tour.check("reloaded")
        criterion = page.locator("fieldset.criterion").first
        expect(criterion.locator("input[type=number]")).to_have_value("8")
        expect(criterion.locator("textarea")).to_have_value(
            "清晰的方法" if language.startswith("zh") else "a clear method"
        )

        answer = page.request.get(f"/judge/finals/{scoring.final_id}/finalists/{scoring.conflicted_finalist}")
        assert answer.status == 404, "a conflicted judge never gets that finalist's packet"
    finally:
        context.close()
