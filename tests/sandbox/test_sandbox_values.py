"""Specs, results, bounded logs and mirror parsing (no Docker needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import BoundedLog, Limits, Outcome, RunResult, RunSpec, sandbox_environment
from sandbox.mirrors import debian_mirror, parse_deb822, parse_one_line


def make_spec(**overrides: object) -> RunSpec:
    values: dict[str, object] = {
        "image": "arena-runner:latest",
        "command": ["python", "main.py"],
        "code_dir": Path("/runs/1/code"),
        "output_dir": Path("/runs/1/output"),
    }
    values.update(overrides)
    return RunSpec(**values)  # type: ignore[arg-type]


def test_spec_round_trips_through_json() -> None:
    spec = make_spec(
        input_dir=Path("/phase/data"),
        env={"SEED": "1"},
        limits=Limits(wall_seconds=5, memory_mb=64),
        runtime="runsc",
        labels={"org.arena.submission": "9"},
    )
    again = RunSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec
    assert again.command == ("python", "main.py")


def test_result_round_trips_through_json() -> None:
    result = RunResult(outcome=Outcome.TIMEOUT, exit_code=137, duration_seconds=3.2, stdout="x")
    again = RunResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result and again.outcome is Outcome.TIMEOUT and not again.ok
    assert Outcome.TIMEOUT.is_participant_failure and not Outcome.INFRASTRUCTURE_ERROR.is_participant_failure


@pytest.mark.parametrize(
    "overrides",
    [
        {"command": "python main.py"},
        {"command": []},
        {"code_dir": Path("relative")},
        {"runtime": "kata"},
        {"env": {"BAD NAME": "x"}},
        {"env": {f"V{i}": "x" for i in range(100)}},
        {"labels": {"": "x"}},
    ],
)
def test_bad_specs_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_spec(**overrides)


@pytest.mark.parametrize("field", ["wall_seconds", "memory_mb", "pids", "log_bytes"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError):
        Limits(**{field: 0})


def test_environment_is_only_what_the_spec_says() -> None:
    env = sandbox_environment(make_spec(env={"ARENA_OUTPUT": "/elsewhere", "MINE": "1"}, limits=Limits(cpus=2)))
    assert env["ARENA_OUTPUT"] == "/output" and env["ARENA_INPUT"] == "/data" and env["MINE"] == "1"
    assert env["OMP_NUM_THREADS"] == "2"
    assert "PATH" not in env and "HOSTNAME" not in env


def test_bounded_log_keeps_head_and_tail() -> None:
    log = BoundedLog(10)
    for chunk in (b"HEAD-", b"middle" * 100, b"-TAIL"):
        log.feed(chunk)
    text = log.text()
    assert text.startswith("HEAD-") and text.endswith("-TAIL") and log.truncated
    assert "600 bytes of output truncated" in text
    small = BoundedLog(100)
    small.feed(b"short")
    assert small.text() == "short" and not small.truncated


def test_mirror_from_sources_files(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64 signed-by=/k.gpg] https://repo.example/other bookworm contrib\n"
    )
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb deb-src\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\n"
        "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n"
    )
    assert debian_mirror("bookworm", tmp_path) == "http://mirror.example/debian"
    with pytest.raises(LookupError):
        debian_mirror("trixie", tmp_path)


def test_mirror_parsers() -> None:
    assert list(parse_one_line(["deb http://m/debian bookworm main contrib"])) == [
        ("http://m/debian", ["bookworm"], ["main", "contrib"])
    ]
    disabled = "Types: deb\nURIs: http://m/d\nSuites: bookworm\nComponents: main\nEnabled: no\n"
    assert list(parse_deb822(disabled)) == []
