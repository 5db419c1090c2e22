"""The importer warns when a rules text quotes a number its configuration contradicts (a warning, not a refusal)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.challenges import QuotedKind, import_bundle, rules_mismatches
from arena.challenges.bundles import validate_bundle
from arena.models import AuditEvent, Challenge
from arena.storage import BlobStore
from tests.factories import write_bundle

REPO = Path(__file__).resolve().parents[2]
OLD_RULES_EN = """# Rules

- Teams of up to **3** people. Each person may belong to one team only.
- Up to **5** submissions per team per day (UTC) and **100** in total.
- At the end you may select the submissions that count for the private leaderboard.
"""
OLD_RULES_ZH = """# 规则

- 每支队伍最多 **3** 人，每人只能加入一支队伍。
- 每队每天（UTC）最多提交 **5** 次，总计最多 **100** 次。
"""


def _bundle(root: Path, en: str, zh: str, **options: object) -> Path:
    write_bundle(root, **options)  # type: ignore[arg-type]
    (root / "pages" / "rules.en.md").write_text(en, encoding="utf-8")
    (root / "pages" / "rules.zh.md").write_text(zh, encoding="utf-8")
    return root


def test_the_quota_changed_from_5_to_7_is_named_in_both_languages(tmp_path: Path) -> None:
    spec = validate_bundle(_bundle(tmp_path / "b", OLD_RULES_EN, OLD_RULES_ZH, daily_quota=7, total_quota=100,
                                   team_size_max=3))  # fmt: skip
    found = {(m.field, m.kind): m for m in rules_mismatches(spec)}
    assert set(found) == {
        ("text.rules.en", QuotedKind.DAILY),
        ("text.rules.zh", QuotedKind.DAILY),
        ("text.rules.en", QuotedKind.SELECTION),
    }
    daily = found["text.rules.en", QuotedKind.DAILY]
    assert daily.quoted == "Up to 5 submissions per team per day" and daily.configured == (7,)
    assert found["text.rules.zh", QuotedKind.DAILY].quoted == "每队每天（UTC）最多提交 5 次"
    assert "disagrees with the configured daily (7)" in str(daily)


def test_agreeing_numbers_and_enabled_selection_give_no_warning(tmp_path: Path) -> None:
    spec = validate_bundle(_bundle(tmp_path / "b", OLD_RULES_EN, OLD_RULES_ZH, daily_quota=5, total_quota=100,
                                   team_size_max=3, phase_options={"final_selection_max": 2}))  # fmt: skip
    assert rules_mismatches(spec) == []


def test_team_size_and_total_are_checked(tmp_path: Path) -> None:
    spec = validate_bundle(_bundle(tmp_path / "b", OLD_RULES_EN, OLD_RULES_ZH, daily_quota=5, total_quota=60,
                                   team_size_max=4))  # fmt: skip
    kinds = sorted((m.field, m.kind.value, m.quoted) for m in rules_mismatches(spec) if m.kind != QuotedKind.SELECTION)
    assert kinds == [
        ("text.rules.en", "team_size", "Teams of up to 3 people"),
        ("text.rules.en", "total", "100 in total"),
        ("text.rules.zh", "team_size", "每支队伍最多 3 人"),
        ("text.rules.zh", "total", "总计最多 100 次"),
    ]


def test_the_import_goes_ahead_and_records_the_warning(session: Session, store: BlobStore, tmp_path: Path) -> None:
    root = _bundle(tmp_path / "b", OLD_RULES_EN, OLD_RULES_ZH, daily_quota=7, total_quota=100, team_size_max=3)
    report = import_bundle(session, store, root)
    session.commit()
    assert session.get(Challenge, report.challenge_id) is not None
    assert {m.kind for m in report.warnings} == {QuotedKind.DAILY, QuotedKind.SELECTION}
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "challenge.imported"))
    assert event is not None and any("daily (7)" in w for w in event.data["warnings"])


def test_the_demo_bundles_rules_quote_no_number() -> None:
    for name in ("digits", "snow-leopard"):
        for language in ("en", "zh"):
            text = (REPO / "challenges" / name / "pages" / f"rules.{language}.md").read_text(encoding="utf-8")
            assert not any(ch.isdigit() for ch in text.replace("/tmp", "")), (name, language)
