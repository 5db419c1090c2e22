"""The finals authorization matrix at the service level: who reaches which final, packet, form and result."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from arena import finals
from arena.accounts import users as accounts
from arena.enums import ChallengeRoleKind
from arena.errors import ArenaError, NotFound, Unauthenticated
from arena.models import User
from arena.settings import Settings
from arena.storage import BlobStore
from tests.arena.finals_world import build, person
from tests.factories import make_challenge

ALLOWED, HIDDEN, LOGIN = "allowed", "hidden", "login"


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except NotFound:
        return HIDDEN
    except Unauthenticated:
        return LOGIN
    except ArenaError as exc:  # any other refusal is a failure of the matrix, shown by name
        return type(exc).__name__
    return ALLOWED


def test_the_finals_authorization_matrix(
    session: Session, settings: Settings, store: BlobStore, tmp_path: Path
) -> None:
    world = build(session, settings, store, tmp_path)
    final = world.final
    first, second = finals.name_finalists(session, world.organizer, final.id, world.phase.id, top_n=2)
    judge = person(session, "judge", email="judge@jury.example")
    conflicted = person(session, "conflicted", email="c@jury.example", institution="Tianjin University")
    elsewhere = person(session, "elsewhere", email="e@jury.example")
    other_final = finals.create_final(
        session, world.organizer, world.challenge, {"en": "Second final", "zh": "第二场决赛"},
        source_phase_ids=[world.phase.id], formula={"weights": {"online": 1.0}},
    )  # fmt: skip
    for name in ("judge", "conflicted"):
        finals.invite_judge(session, world.organizer, final.id, name)
    finals.invite_judge(session, world.organizer, other_final.id, "elsewhere")
    other_org = person(session, "otherorg", email="o@other.example")
    other_challenge = make_challenge(session, store, tmp_path / "other", slug="other")
    accounts.grant_role(session, other_challenge.id, other_org, ChallengeRoleKind.ORGANIZER)
    finals.choose_code_submission(session, world.captains[0], first.id, world.submissions[0].id)
    finals.open_scoring(session, world.organizer, final.id)
    finals.update_final(session, world.organizer, final.id, blind=True)
    session.commit()
    criterion = finals.rubric(session, final.id)[0].id
    actors: dict[str, User | None] = {
        "judge": judge,
        "conflicted judge": conflicted,
        "other final's judge": elsewhere,
        "finalist's captain": world.captains[0],
        "other participant": world.captains[3],
        "organizer": world.organizer,
        "other challenge's organizer": other_org,
        "anonymous": None,
    }
    services: dict[str, Callable[[User | None], Any]] = {
        "judge queue": lambda u: finals.judge_queue(session, u, final.id),  # type: ignore[arg-type]
        "packet": lambda u: finals.finalist_packet(session, u, first.id),  # type: ignore[arg-type]
        "code download": lambda u: finals.finalist_code(session, u, first.id),  # type: ignore[arg-type]
        "form": lambda u: finals.mark_form(session, u, first.id),  # type: ignore[arg-type]
        "save mark": lambda u: finals.save_mark(session, u, first.id, criterion, 5),  # type: ignore[arg-type]
        "progress": lambda u: finals.progress(session, u, final.id),  # type: ignore[arg-type]
        "preview": lambda u: finals.preview_ranking(session, u, final.id),  # type: ignore[arg-type]
        "conflicts": lambda u: finals.conflicts(session, u, final.id),  # type: ignore[arg-type]
        "own record": lambda u: finals.own_finalist(session, u, final.id),  # type: ignore[arg-type]
        "result before reveal": lambda u: finals.public_result(session, u, final.id),
    }
    judges = {"judge", "conflicted judge"}
    organizer_only = {"organizer"}
    expected: dict[str, set[str]] = {
        "judge queue": judges | organizer_only,
        "packet": {"judge", "organizer"},
        "code download": {"judge", "organizer"},
        "form": {"judge"},
        "save mark": {"judge"},
        "progress": organizer_only,
        "preview": organizer_only,
        "conflicts": organizer_only,
        "own record": {"finalist's captain"},
        "result before reveal": organizer_only,
    }
    wrong = []
    for service, call in services.items():
        for name, user in actors.items():
            got = _outcome(lambda: call(user))  # noqa: B023
            session.rollback()
            want = ALLOWED if name in expected[service] else (LOGIN if user is None else HIDDEN)
            if service == "result before reveal" and user is None:
                want = HIDDEN
            if got != want:
                wrong.append(f"{service} × {name}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)
    assert [p["finalist_id"] for p in finals.judge_queue(session, conflicted, final.id)] == [second.id]
    assert finals.judged_finals(session, elsewhere) == [other_final]

    packet = finals.finalist_packet(session, judge, first.id)
    assert packet["team"] is None and packet["institution"] is None, "blind mode hides names from judges"
    assert finals.finalist_packet(session, world.organizer, first.id)["team"] == "team0"
    text = json.dumps(packet, default=str)
    assert "labels" not in text and "per_case" not in text, "nothing about the hidden key reaches a judge"

    finals.save_mark(session, judge, first.id, criterion, 5)
    finals.lock_final(session, world.organizer, final.id)
    finals.reveal_final(session, world.organizer, final.id)
    session.commit()
    for name, user in actors.items():
        assert _outcome(lambda: finals.public_result(session, user, final.id)) == ALLOWED, name  # noqa: B023
    assert finals.finalist_packet(session, judge, first.id)["team"] == "team0", "names return after reveal"
