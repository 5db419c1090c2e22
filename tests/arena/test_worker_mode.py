"""Which rq worker `run_worker` starts: in-process by default, a forking one when the settings ask for it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from arena.evaluation import worker as worker_module
from arena.settings import Settings


@pytest.mark.parametrize(
    ("fork", "simple", "expected"),
    [
        (False, None, "SimpleEvaluationWorker"),
        (True, None, "EvaluationWorker"),
        (True, True, "SimpleEvaluationWorker"),
        (False, False, "EvaluationWorker"),
    ],
)
def test_the_worker_class_follows_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, fork: bool, simple: bool | None, expected: str
) -> None:
    started: list[str] = []

    def work(self: Any, **_: Any) -> bool:
        started.append(type(self).__name__)
        return False

    for cls in (worker_module.EvaluationWorker, worker_module.SimpleEvaluationWorker):
        monkeypatch.setattr(cls, "work", work)
    worker_module.run_worker(replace(settings, worker_fork=fork), burst=True, simple=simple)
    assert started == [expected]
