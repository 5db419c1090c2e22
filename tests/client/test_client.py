"""``arena-client`` against a running server: every command, resumed downloads and the exit codes of failures."""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

import pytest
import requests

from arena_client.progress import Progress
from arena_client.transfer import part_path
from tests.client.conftest import PASSWORD, Server
from tests.client.helpers import Participant


def logged_in(server: Server, tmp_path: Path, name: str, team: str | None = None) -> Participant:
    """A new participant logged in through `login`, with a team if named."""
    server.user(name)
    who = Participant(tmp_path / f"config-{name}", server.url)
    done = who.cli("--url", server.url, "login", "--username", name, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.code == 0, done.err
    if team:
        joined = who.cli("join", server.slug, "--team", team)
        assert joined.code == 0, joined.err
    return who


def test_login_stores_the_token_for_the_user_only(server: Server, tmp_path: Path) -> None:
    who = logged_in(server, tmp_path, "lena")
    assert stat.S_IMODE(who.config().stat().st_mode) == 0o600
    assert '"token": "arena_' in who.config().read_text()
    assert who.main("whoami").out.strip() == f"lena on {server.url}"
    # A token given directly is checked with the server before it is stored.
    token = who.main("--json", "whoami")
    assert token.code == 0 and token.json()["username"] == "lena"


def test_login_with_a_token_checks_it_first(server: Server, tmp_path: Path) -> None:
    server.user("nina")
    made = requests.post(f"{server.url}/api/v1/tokens", json={"username": "nina", "password": PASSWORD}, timeout=30)
    who = Participant(tmp_path / "nina", server.url)
    bogus = who.cli("--url", server.url, "login", "--token", "arena_not-a-token")
    assert bogus.code == 1 and "run `arena-client login`" in bogus.err and not who.config().exists()
    done = who.cli("--url", server.url, "login", "--token", made.json()["token"])
    assert done.code == 0 and "as nina" in done.out
    assert who.main("--json", "whoami").json()["username"] == "nina"


def test_login_with_a_wrong_password_says_so_in_one_line(server: Server, tmp_path: Path) -> None:
    server.user("omar")
    who = Participant(tmp_path / "omar", server.url)
    done = who.cli("--url", server.url, "login", "--username", "omar", "--password-stdin", stdin="wrong\n")
    assert done.code == 1
    assert done.err.startswith("arena-client: ") and "Traceback" not in done.err
    assert "login refused: wrong username or password" in done.err
    assert not who.config().exists()


def test_login_asks_for_what_is_missing(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.user("pia")
    answers = iter([server.url + "/", "pia"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    who = Participant(tmp_path / "pia", server.url)
    done = who.main("login")
    assert done.code == 0, done.err
    assert f"as pia; the token is in {who.config()}" in done.out


def test_a_wrong_address_and_a_bad_token_are_clear_errors(server: Server, tmp_path: Path) -> None:
    who = Participant(tmp_path / "nobody", server.url)
    nowhere = who.cli("challenges", ARENA_URL="http://127.0.0.1:9")
    assert nowhere.code == 1 and "cannot reach http://127.0.0.1:9" in nowhere.err
    assert "Traceback" not in nowhere.err
    not_arena = who.cli("challenges", ARENA_URL=server.url + "/c")
    assert not_arena.code == 1 and "not Arena's JSON" in not_arena.err
    garbage = who.cli("challenges", ARENA_URL="arena.example.org")
    assert garbage.code == 1 and "is not a server address" in garbage.err
    expired = who.cli("quota", str(server.phase_id), ARENA_URL=server.url, ARENA_TOKEN="arena_revoked")
    assert expired.code == 1 and "run `arena-client login`" in expired.err
    missing = who.cli("quota", str(server.phase_id), ARENA_URL=server.url)
    assert missing.code == 1 and "not logged in" in missing.err


def test_challenges_and_phases_are_tables_or_json(server: Server, tmp_path: Path) -> None:
    who = Participant(tmp_path / "anon", server.url)
    table = who.cli("challenges", ARENA_URL=server.url)
    assert table.code == 0
    assert table.out.splitlines()[0].split() == ["SLUG", "TITLE", "SUMMARY"]
    assert "digits" in table.out and "Handwritten digits" in table.out
    chinese = who.cli("challenges", ARENA_URL=server.url, LANG="zh_CN.UTF-8")
    assert "手写数字识别" in chinese.out
    assert [c["slug"] for c in who.main("--json", "challenges", ARENA_URL=server.url).json()] == ["digits"]
    phases = who.main("phases", server.slug, ARENA_URL=server.url)
    assert server.phase_path in phases.out and " open " in phases.out


def test_download_is_verified_skips_what_is_there_and_resumes(server: Server, tmp_path: Path) -> None:
    who = Participant(tmp_path / "dl", server.url)
    dest = tmp_path / "data"
    first = who.cli("--json", "--progress", "download", server.slug, "--dest", str(dest), ARENA_URL=server.url)
    assert first.code == 0, first.err
    assert first.err.count("100.0%") >= 3
    files = {f["name"]: f for f in first.json()}
    assert set(files) == {"train.csv", "test.csv", "sample_submission.csv"}
    for entry in files.values():
        body = (dest / entry["name"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["size"]
    again = who.main("download", server.slug, "--dest", str(dest), ARENA_URL=server.url)
    assert again.out.count("up to date") == 3

    # An interrupted download leaves a part named after the file's version: the next run asks for the rest.
    train = dest / "train.csv"
    whole = train.read_bytes()
    train.unlink()
    half = len(whole) // 2
    part_path(train, files["train.csv"]["sha256"]).write_bytes(whole[:half])
    resumed = who.main(
        "--json", "download", server.slug, "--dest", str(dest), "--file", "train.csv", ARENA_URL=server.url
    )
    assert resumed.code == 0, resumed.err
    (entry,) = resumed.json()
    assert entry["resumed_from"] == half
    assert train.read_bytes() == whole
    assert not part_path(train, entry["sha256"]).exists()

    # A damaged part is noticed by its hash and the file is fetched whole again.
    train.unlink()
    part_path(train, entry["sha256"]).write_bytes(b"X" * half)
    repaired = who.main("download", server.slug, "--dest", str(dest), "--file", "train.csv", ARENA_URL=server.url)
    assert repaired.code == 0 and train.read_bytes() == whole

    unknown = who.main("download", server.slug, "--file", "labels.csv", ARENA_URL=server.url)
    assert unknown.code == 1 and "no public file named labels.csv" in unknown.err


def sample(server: Server, tmp_path: Path, who: Participant) -> Path:
    """The challenge's sample submission, downloaded with the client."""
    done = who.main("download", server.slug, "--dest", str(tmp_path / "data"), "--file", "sample_submission.csv")
    assert done.code == 0, done.err
    return tmp_path / "data" / "sample_submission.csv"


def test_submit_follows_the_run_to_its_score(server: Server, tmp_path: Path) -> None:
    who = logged_in(server, tmp_path, "quinn", team="Quails")
    predictions = sample(server, tmp_path, who)
    done = who.cli("--progress", "submit", server.phase_path, str(predictions), "--description", "sample")
    assert done.code == 0, done.err
    assert "sample_submission.csv [" in done.err and "100.0%" in done.err  # the upload's progress bar
    assert done.err.rstrip().endswith(": scored")  # each status change, the last one scored
    assert done.out.startswith("Submission ") and "scored: public " in done.out
    submission_id = done.out.split()[1]

    shown = who.main("--json", "status", submission_id).json()
    assert shown["status"] == "scored"
    assert shown["sha256"] == hashlib.sha256(predictions.read_bytes()).hexdigest()
    assert "public score" in who.main("status", submission_id).out
    listed = who.main("status")  # the phase last submitted to
    assert listed.code == 0 and submission_id in listed.out and "scored" in listed.out
    assert who.main("status", "--phase", str(server.phase_id)).out == listed.out

    board = who.main("leaderboard", server.phase_path)
    assert board.code == 0 and "Quails" in board.out and "public leaderboard" in board.out
    assert who.main("--json", "leaderboard", str(server.phase_id)).json()["rows"][0]["team"]["name"]

    quota = who.main("quota", server.phase_path)
    assert "1 used of 5, 4 left" in quota.out
    assert who.main("--json", "quota", server.phase_path).json()["remaining_today"] == 4


def test_a_failing_submission_exits_non_zero_with_the_error(server: Server, tmp_path: Path) -> None:
    who = logged_in(server, tmp_path, "rosa", team="Robins")
    bad = tmp_path / "bad.csv"
    bad.write_text("wrong,columns\n1,2\n")
    done = who.cli("submit", str(server.phase_id), str(bad))
    assert done.code != 0
    assert "Traceback" not in done.err
    said = done.out + done.err
    assert "failed" in said or "refused" in said
    assert "column" in said


def test_refusals_carry_the_servers_message(server: Server, tmp_path: Path) -> None:
    who = logged_in(server, tmp_path, "sami")
    predictions = sample(server, tmp_path, who)
    no_team = who.main("submit", server.phase_path, str(predictions))
    assert no_team.code == 1 and "create or join a team" in no_team.err
    assert who.main("join", server.slug, "--team", "Swifts").code == 0
    server.set_phase(daily_quota=1)
    try:
        assert who.main("submit", server.phase_path, str(predictions), "--no-wait").code == 0
        over = who.cli("submit", server.phase_path, str(predictions))
        assert over.code == 1
        assert "429 quota_exceeded" in over.err and "try again in " in over.err and "T00:00:00Z" in over.err
    finally:
        server.set_phase(daily_quota=5)
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,label\n" + b"1,1\n" * (6 * 1024 * 1024 // 4))
    too_big = who.cli("submit", server.phase_path, str(big))
    assert too_big.code == 1 and "413" in too_big.err and "limit of 5 MB" in too_big.err
    missing = who.main("submit", server.phase_path, str(tmp_path / "nope.csv"))
    assert missing.code == 1 and "no file" in missing.err
    wrong_phase = who.main("quota", "digits/classify/nope")
    assert wrong_phase.code == 1 and f"{server.phase_path} (id {server.phase_id})" in wrong_phase.err


def test_select_and_unselect(server: Server, tmp_path: Path) -> None:
    who = logged_in(server, tmp_path, "tara", team="Terns")
    predictions = sample(server, tmp_path, who)
    done = who.main("--json", "submit", server.phase_path, str(predictions))
    assert done.code == 0, done.err
    submission_id = str(done.json()["id"])
    refused = who.main("select", submission_id)
    assert refused.code == 1 and "no final selection" in refused.err
    server.set_phase(final_selection_max=2)
    try:
        chosen = who.main("select", submission_id)
        assert chosen.code == 0 and f"Submission {submission_id} selected" in chosen.out and "up to 2" in chosen.out
        assert who.main("--json", "unselect", submission_id).json()["selected"] is False
    finally:
        server.set_phase(final_selection_max=None)


def test_logout_forgets_the_token(server: Server, tmp_path: Path) -> None:
    who = logged_in(server, tmp_path, "uma")
    assert who.main("logout").code == 0
    assert who.main("whoami").code == 1


def test_the_progress_bar_reaches_the_total() -> None:
    out = io.StringIO()
    bar = Progress("train.csv", 2048, start=1024, stream=out, enabled=True)
    bar.advance(1024)
    bar.finish()
    assert "100.0%" in out.getvalue() and "2.0 KiB/2.0 KiB" in out.getvalue()
    quiet = io.StringIO()
    Progress("x", 10, stream=quiet).finish()
    assert quiet.getvalue() == ""
