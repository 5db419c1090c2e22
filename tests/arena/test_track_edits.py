"""Editing a track's fields, adding and removing tracks and phases (services, on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import publishing
from arena.db import utcnow
from arena.errors import BundleError, Conflict, InvalidInput
from arena.models import AuditEvent, Challenge, Notification, Phase, RescoreRun, Track
from arena.settings import Settings
from arena.storage import BlobStore
from tests.factories import answers, first_phase, make_challenge, make_team, make_user, upload

pytestmark = pytest.mark.postgres
KEY = ("id,label\n" + "".join(f"r{i},{'a' if i % 2 else 'b'}\n" for i in range(12))).encode()


def _toy(session: Session, store: BlobStore, tmp_path: Path, **options: Any) -> Challenge:
    return make_challenge(session, store, tmp_path / "bundle", **options)


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _refused(session: Session, settings: Settings, store: BlobStore, track: Track, changes: dict[str, Any]) -> dict:
    with pytest.raises(BundleError) as refused:
        publishing.edit_track(session, settings, store, track, changes, actor_id=None, reason="x", now=utcnow())
    session.rollback()
    return dict(refused.value.problems)


def _phase_entry(slug: str, **more: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "slug": slug,
        "title": {"en": "Round two", "zh": "第二轮"},
        "opens": (now + timedelta(days=40)).isoformat(),
        "closes": (now + timedelta(days=60)).isoformat(),
        "public_fraction": 0.4,
        **more,
    }


def test_a_title_change_needs_no_reason_and_is_audited(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    track = _toy(session, store, tmp_path).tracks[0]
    problems = _refused(session, settings, store, track, {"title": {"en": "New", "zh": " "}, "colour": 1})
    assert problems["title.zh"] == "must be a non-empty text" and problems["colour"].startswith("unknown key")
    done = publishing.edit_track(session, settings, store, track, {"title": {"en": "New", "zh": "新"}},
                                 actor_id=None, reason="", now=utcnow())  # fmt: skip
    assert done.changed == {"title": ({"en": "Main track", "zh": "主赛道"}, {"en": "New", "zh": "新"})}
    assert done.rescore_run_ids == [] and track.title == {"en": "New", "zh": "新"}
    event = _events(session, "track.changed")[0]
    assert event.data["after"] == {"title": {"en": "New", "zh": "新"}} and event.data["reason"] == ""


def test_new_fields_are_checked_by_the_importer_and_against_every_stored_key(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    track = _toy(session, store, tmp_path).tracks[0]
    problems = _refused(session, settings, store, track, {"scorer": "nope", "target_columns": []})
    assert problems["scorer"].startswith("Unknown scorer 'nope'"), problems
    assert problems["target_columns"] == "must be a non-empty list of column names"
    problems = _refused(session, settings, store, track, {"target_columns": ["colour"]})
    assert "the hidden key of phase Round one (one) would be refused" in problems["phases.one.labels"]
    problems = _refused(session, settings, store, track, {"targets": {"label": {"labels": ["a"]}}})
    assert "phases.one.labels" in problems and "'b'" in problems["phases.one.labels"]
    problems = _refused(session, settings, store, track, {"scorer": "rmse"})
    assert "Round one (one)" in problems["phases.one.labels"], problems
    problems = _refused(session, settings, store, track, {"scorer": "program"})
    assert problems["scorer"].startswith("a scoring program comes with its files in a bundle")
    problems = _refused(session, settings, store, track, {"targets": {"label": {"labels": {"file": "x.csv"}}}})
    assert problems["targets.label.labels"].startswith("give the labels as a list here")


def test_a_scoring_change_after_opening_needs_a_reason_tells_teams_and_rescores(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path)
    track = challenge.tracks[0]
    user = make_user(session, "ann")
    make_team(session, user, challenge)
    upload(session, store, user, first_phase(challenge), answers(["a"] * 20))
    changes = {"scorer": "macro_f1", "targets": {"label": {"labels": ["a", "b", "c"]}}}
    with pytest.raises(InvalidInput) as asked:
        publishing.edit_track(session, settings, store, track, changes, actor_id=None, reason=" ", now=utcnow())
    assert asked.value.field == "reason" and "scorer, targets" in asked.value.message
    session.rollback()
    done = publishing.edit_track(session, settings, store, track, changes, actor_id=None, reason="fairer metric",
                                 now=utcnow())  # fmt: skip
    assert set(done.changed) == {"scorer", "targets"} and len(done.rescore_run_ids) == 1
    assert track.scorer == "macro_f1" and track.targets["label"]["labels"] == ["a", "b", "c"]
    assert session.get(RescoreRun, done.rescore_run_ids[0]) is not None and first_phase(challenge).score_version == 2
    event = _events(session, "track.changed")[0]
    assert event.data["before"]["scorer"] == "accuracy" and event.data["after"]["scorer"] == "macro_f1"
    notice = session.scalars(select(Notification).where(Notification.recipient_id == user.id)).one()
    assert notice.params["reason"] == "fairer metric" and "scorer" in notice.params["changes"]
    kind = _refused(session, settings, store, track, {"kind": "code"})
    assert kind == {"kind": "cannot change once the track has submissions"}


def test_a_track_without_submissions_may_change_kind_only_with_what_the_kind_needs(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    track = _toy(session, store, tmp_path).tracks[0]
    problems = _refused(session, settings, store, track, {"kind": "code"})
    assert problems["phases.one.inputs"].startswith("is required for a track of kind 'code'")
    assert _refused(session, settings, store, track, {"kind": "both"}) == {
        "kind": "must be 'result' or 'code', got 'both'"
    }


def test_phases_are_added_checked_as_the_importer_and_removed_only_without_submissions(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path)
    track = challenge.tracks[0]
    with pytest.raises(BundleError) as refused:
        publishing.add_phase(session, store, track, _phase_entry("one", daily_quota=0), None, actor_id=None)
    problems = dict(refused.value.problems)
    assert problems["slug"] == "'one' is used by another phase of this track"
    assert problems["daily_quota"] == "must be a whole number from 1 to 10000, got 0"
    assert problems["labels"].startswith("is required: the challenge is published")
    bad_key = b"id,label\nr1,a\nr1,b\n"
    with pytest.raises(BundleError) as refused:
        publishing.add_phase(session, store, track, _phase_entry("two"), bad_key, actor_id=None)
    assert "labels" in dict(refused.value.problems)
    entry = _phase_entry("two", advancement={"from": "one", "top": 3})
    phase = publishing.add_phase(session, store, track, entry, KEY, actor_id=None)
    assert [p.slug for p in track.phases] == ["one", "two"] and phase.position == 1
    assert phase.previous_phase_id == first_phase(challenge).id and phase.labels_rows == 12
    assert _events(session, "phase.added")[0].data["with_key"] is True
    with pytest.raises(Conflict) as held:
        publishing.remove_phase(session, first_phase(challenge), actor_id=None)
    assert "admits teams from phase one" in held.value.message
    user = make_user(session, "bo")
    make_team(session, user, challenge)
    upload(session, store, user, first_phase(challenge), answers(["a"] * 20))
    publishing.remove_phase(session, phase, actor_id=None)
    assert [p.slug for p in track.phases] == ["one"] and _events(session, "phase.removed")
    with pytest.raises(Conflict) as held:
        publishing.remove_phase(session, first_phase(challenge), actor_id=None)
    assert "1 submissions" in held.value.message


def test_tracks_are_added_and_removed_and_what_they_lack_blocks_publishing(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    challenge = _toy(session, store, tmp_path)
    entry = {
        "slug": "extra",
        "title": {"en": "Extra", "zh": "附加"},
        "scorer": "accuracy",
        "id_column": "id",
        "target_columns": ["label"],
    }
    assert publishing.check_new_track(challenge, store, {**entry, "slug": "main", "kind": "code"}) == [
        ("slug", "'main' is used by another track"),
        ("kind", "a new track is of kind 'result'; a code track needs a runner and hidden inputs: import a bundle"),
    ]
    track = publishing.add_track(session, store, challenge, entry, actor_id=None)
    assert track.position == 1 and track.direction == "max" and track.kind == "result"
    assert publishing.structure_problems(challenge) == [
        ("track %(track)s has no phase yet; add one", {"track": "extra"})
    ]
    challenge.is_published = False
    session.commit()
    publishing.add_phase(session, store, track, _phase_entry("first"), None, actor_id=None)
    assert publishing.structure_problems(challenge)[0][1] == {"phase": "extra/first"}
    assert publishing.publish_problems(session, challenge)[0][1] == {"phase": "extra/first"}
    publishing.remove_track(session, challenge.tracks[0], actor_id=None)
    assert [t.slug for t in challenge.tracks] == ["extra"] and challenge.tracks[0].position == 0
    challenge.is_published = True
    session.commit()
    with pytest.raises(Conflict) as held:
        publishing.remove_track(session, challenge.tracks[0], actor_id=None)
    assert held.value.message == "a published challenge keeps at least one track"
    assert session.scalars(select(Phase.slug)).all() == ["first"]
    assert {e.data["slug"] for e in _events(session, "track.removed")} == {"main"}
