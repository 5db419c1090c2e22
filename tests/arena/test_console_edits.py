"""Editing a challenge's pages, a phase's settings and a track's scorer options (services, on a real database)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import publishing
from arena.challenges import MAX_TEXT_BYTES
from arena.db import utcnow
from arena.errors import BundleError, InvalidInput
from arena.models import AuditEvent, Challenge, Notification, RescoreRun
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload


def _toy(session: Session, store: BlobStore, tmp_path: Path, **options: object) -> Challenge:
    return make_challenge(session, store, tmp_path / "bundle", **options)


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_pages_need_both_languages_and_the_importers_size_limit(
    session: Session, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path)
    pages = {"description": {"en": "# New", "zh": "# 新"}, "rules": {"en": "Rules", "zh": ""}}
    assert publishing.text_problems(pages) == [("text.rules.zh", "must be a non-empty text")]
    pages["rules"]["zh"] = "规" * (MAX_TEXT_BYTES // 3 + 1)
    assert publishing.text_problems(pages) == [("text.rules.zh", "is larger than 256 KB")]
    pages["rules"]["zh"] = "规则"
    pages["data"] = {"en": "Data", "zh": " "}
    with pytest.raises(BundleError) as refused:
        publishing.update_texts(session, challenge, pages, actor_id=None)
    assert refused.value.problems == [("text.data.zh", "must be a non-empty text")]
    pages["data"] = {"en": "", "zh": ""}
    assert publishing.update_texts(session, challenge, pages, actor_id=None) == ["description", "rules"]
    session.commit()
    assert challenge.text["description"] == {"en": "# New", "zh": "# 新"} and "data" not in challenge.text
    event = _events(session, "challenge.texts_changed")[0]
    assert event.data["pages"] == ["description", "rules"] and "bytes" in event.data["after"]["rules"]["zh"]
    assert publishing.update_texts(session, challenge, pages, actor_id=None) == []


def test_a_phase_edit_is_checked_with_the_importers_rules_and_messages(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    phase = first_phase(_toy(session, store, tmp_path, opens=utcnow() + timedelta(days=1)))
    with pytest.raises(BundleError) as refused:
        publishing.edit_phase(
            session,
            settings,
            store,
            phase,
            {"closes": "2020-01-01T00:00:00Z", "daily_quota": 0, "public_fraction": 1.5, "colour": "red"},
            actor_id=None,
            reason="",
            now=utcnow(),
        )
    problems = dict(refused.value.problems)
    assert problems["closes"] == "must be later than opens"
    assert problems["daily_quota"] == "must be a whole number from 1 to 10000, got 0"
    assert problems["public_fraction"] == "must be a number between 0.0 and 1.0 (exclusive), got 1.5"
    assert problems["colour"].startswith("unknown key")
    done = publishing.edit_phase(
        session, settings, store, phase, {"daily_quota": 9, "use_ladder": True}, actor_id=None, reason="", now=utcnow()
    )
    assert done.changed == {"daily_quota": (5, 9), "use_ladder": (False, True)} and done.unfair == []
    assert phase.daily_quota == 9 and phase.use_ladder is True
    assert _events(session, "phase.settings_changed")[0].data["after"] == {"daily_quota": 9, "use_ladder": True}


def test_unfair_changes_to_a_running_phase_need_a_reason_tell_participants_and_rescore(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path, daily_quota=5)
    phase = first_phase(challenge)
    user = make_user(session, "ann")
    make_team(session, user, challenge)
    for _ in range(3):
        upload(session, store, user, phase, answers(["a"] * 20))
    now = utcnow()
    shorter = (phase.closes_at - timedelta(days=10)).isoformat()
    # Lowering the quota to what a team used is fair; below it is not.
    assert publishing.unfair_changes(session, phase, publishing.check_phase(phase, {"daily_quota": 3})[0], now) == []
    changes = {"closes": shorter, "daily_quota": 2, "public_fraction": 0.4}
    with pytest.raises(InvalidInput) as asked:
        publishing.edit_phase(session, settings, store, phase, changes, actor_id=None, reason=" ", now=now)
    assert asked.value.field == "reason" and "closes, daily_quota, public_fraction" in asked.value.message
    assert phase.daily_quota == 5
    session.rollback()
    done = publishing.edit_phase(
        session, settings, store, phase, changes, actor_id=None, reason="the sponsor needs results early", now=now
    )
    assert done.unfair == ["closes", "daily_quota", "public_fraction"] and done.rescore_run_id is not None
    run = session.get(RescoreRun, done.rescore_run_id)
    assert run is not None and run.total == 0 and phase.score_version == 2  # uploads were queued, not scored
    event = _events(session, "phase.settings_changed")[0]
    assert event.data["before"]["daily_quota"] == 5 and event.data["reason"] == "the sponsor needs results early"
    notice = session.scalars(select(Notification).where(Notification.recipient_id == user.id)).one()
    assert notice.kind == "phase.settings_changed" and notice.params["reason"] == "the sponsor needs results early"
    with pytest.raises(BundleError) as seed:
        publishing.edit_phase(session, settings, store, phase, {"split_seed": "other"}, actor_id=None, reason="x",
                              now=now)  # fmt: skip
    assert seed.value.problems == [("split_seed", "cannot change once the phase has submissions")]


def test_scorer_options_are_checked_by_the_scorer_and_a_change_rescores(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path, scorer="accuracy")
    track = challenge.tracks[0]
    user = make_user(session, "bo")
    make_team(session, user, challenge)
    upload(session, store, user, first_phase(challenge), answers(["a"] * 20))
    with pytest.raises(BundleError) as unknown:
        publishing.edit_options(session, settings, track, "beta: 2", actor_id=None, reason="x", now=utcnow())
    assert unknown.value.problems[0][0] == "scorer" and "has no option 'beta'" in unknown.value.problems[0][1]
    with pytest.raises(BundleError) as bad_yaml:
        publishing.edit_options(session, settings, track, "[a", actor_id=None, reason="x", now=utcnow())
    assert bad_yaml.value.problems[0][1].startswith("is not valid YAML")
    with pytest.raises(InvalidInput):
        publishing.edit_options(session, settings, track, {"cluster_column": "label"}, actor_id=None, reason="",
                                now=utcnow())  # fmt: skip
    done = publishing.edit_options(
        session, settings, track, {"cluster_column": "label"}, actor_id=None, reason="cluster by label", now=utcnow()
    )
    assert done.before == {} and done.after == {"cluster_column": "label"} and len(done.rescore_run_ids) == 1
    assert track.scorer_options == {"cluster_column": "label"}
    assert _events(session, "track.scorer_options_changed")[0].data["reason"] == "cluster by label"
