"""The arena command: users, challenge import errors and database upgrade."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from arena.settings import Settings
from web.cli import main


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/cli.sqlite")


def test_db_upgrade_and_users_create(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], obj=settings).exit_code == 0
    created = runner.invoke(main, ["users", "create", "root", "--password", "long-enough-1", "--admin"], obj=settings)
    assert created.exit_code == 0 and "root (admin)" in created.output
    again = runner.invoke(main, ["users", "create", "root", "--password", "long-enough-1"], obj=settings)
    assert again.exit_code == 1 and "taken" in again.output


def test_import_of_a_broken_bundle_lists_problems_and_exits_1(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"], obj=settings)
    bundle = tmp_path / "broken"
    bundle.mkdir()
    (bundle / "challenge.yaml").write_text("format: 1\nslug: Not A Slug\n")
    result = runner.invoke(main, ["challenges", "import", str(bundle)], obj=settings)
    assert result.exit_code == 1
    assert "problem" in result.output and "slug" in result.output
