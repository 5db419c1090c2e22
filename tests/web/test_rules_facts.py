"""The rules' key facts on the challenge page are drawn from the configuration, in both languages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from arena.models import Challenge, Phase
from arena.settings import Settings
from tests.factories import write_bundle
from tests.web.conftest import World, csrf_from, login, make_user
from web.cli import main
from web.extensions import db


def _facts(client: FlaskClient, lang: str) -> str:
    page = client.get(f"/c/demo?lang={lang}").get_data(as_text=True)
    start = page.index('id="key-facts"')
    return page[start : page.index("</div>", start)]


def test_the_facts_follow_the_configuration(app: Flask, client: FlaskClient, world: World) -> None:
    facts = _facts(client, "en")
    assert "At most 2 members per team" in facts
    assert (
        "At most 2 per team a day (the day starts at 00:00 UTC)." in facts
        and "At most 10 per team in the phase." in facts
    )
    assert "50% of the hidden test set scores the public leaderboard; the other 50%" in facts
    assert "There is nothing to select" in facts and "Select up to" not in facts and "Freeze" not in facts
    assert "Run limits" not in facts  # a result track runs nothing
    assert "(Asia/Shanghai)" in facts and "UTC" in facts
    with app.app_context():
        phase = db.session.get(Phase, world.open_phase_id)
        assert phase is not None
        phase.daily_quota, phase.final_selection_max, phase.public_fraction = 7, 2, 0.3
        phase.freeze_at = phase.closes_at - timedelta(days=1)
        challenge = db.session.query(Challenge).filter_by(slug="demo").one()
        challenge.person_daily_quota = 4
        phase.track.kind, phase.track.runner = "code", {"limits": {"wall_seconds": 600, "memory_mb": 3072}}
        db.session.commit()
    facts = _facts(client, "en")
    assert "At most 7 per team a day" in facts and "At most 2 per team a day" in facts  # the closed phase kept 2
    assert "Select up to 2 submissions on “My submissions” before the phase closes" in facts
    assert "There is nothing to select" in facts  # the other phase still has no selection
    assert "30% of the hidden test set" in facts and "the other 70%" in facts
    assert "the public leaderboard shows only submissions made before then" in facts
    assert "At most 4 submissions a day per person" in facts
    assert "Each run has 1 CPU, 3072 MB of memory (swap included) and 10 minutes of wall time" in facts
    assert "(the day starts at 00:00 UTC). At most 10 per team in the phase." in facts
    zh = _facts(client, "zh_CN")
    assert "要点" in zh and "每队每天最多 7 次（每天从 UTC 00:00 起算）。本阶段每队总计最多 10 次。" in zh
    assert "请在阶段结束前在“我的提交”中选定最多 2 个提交" in zh and "无需选择" in zh and "封榜" in zh


def test_the_facts_sit_in_the_rules_section_before_the_text(client: FlaskClient, world: World) -> None:
    page = client.get("/c/demo?lang=en").get_data(as_text=True)
    rules = page[page.index('<section id="rules">') :]
    rules = rules[: rules.index("</section>")]
    assert rules.index('id="key-facts"') < rules.index("be fair")


def test_an_import_warns_about_a_contradicting_number_and_goes_ahead(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    root = write_bundle(tmp_path / "bundle", daily_quota=7)
    (root / "pages" / "rules.en.md").write_text("- Up to **5** submissions per team per day.\n", encoding="utf-8")
    (root / "pages" / "rules.zh.md").write_text("- 每队每天最多提交 **5** 次。\n", encoding="utf-8")
    make_user(app, "root", admin=True)
    login(client, "root")
    token = csrf_from(client.get("/admin/import").get_data(as_text=True))
    done = client.post("/admin/import?lang=zh_CN", data={"path": str(root), "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/c/toy")
    page = client.get("/c/toy?lang=zh_CN").get_data(as_text=True)
    assert "text.rules.zh：“每队每天最多提交 5 次”与配置中的每日提交次数（7）不符。" in page
    assert "text.rules.en：“Up to 5 submissions per team per day”与配置中的每日提交次数（7）不符。" in page
    assert "每队每天最多 7 次" in page  # the key facts show the configured figure


def test_the_command_line_import_prints_the_warning(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/cli.sqlite")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], obj=settings).exit_code == 0
    root = write_bundle(tmp_path / "bundle", daily_quota=7)
    (root / "pages" / "rules.en.md").write_text("Up to 5 submissions per day.\n", encoding="utf-8")
    result = runner.invoke(main, ["challenges", "import", str(root)], obj=settings)
    assert result.exit_code == 0, result.output
    # Click mixes standard error into the output it captures.
    assert (
        "warning: text.rules.en: 'Up to 5 submissions per day' disagrees with the configured daily (7)" in result.output
    )
