"""What each command asks the server and how its answer reads: a JSON-safe value and a text for people."""

from __future__ import annotations

import getpass
import socket
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena_client import config as config_store
from arena_client.api import LOGIN_HINT, Api, ClientError
from arena_client.phases import phase_rows, resolve_phase
from arena_client.progress import Progress, human_bytes
from arena_client.tables import pairs, table
from arena_client.transfer import MultipartBody, download_all

FINAL = ("scored", "failed", "cancelled")
EXIT_FAILED = 3


@dataclass(frozen=True)
class Result:
    """A command's answer: ``data`` for ``--json``, ``text`` for people, and the exit code."""

    data: Any
    text: str
    exit_code: int = 0


def ask_user(prompt: str) -> str:
    """Ask for a line on the terminal."""
    return input(prompt)


def ask_secret(prompt: str) -> str:
    """Ask for a password without echoing it."""
    return getpass.getpass(prompt)


@dataclass(frozen=True)
class Context:
    """What every command works with: the environment, the config and how to talk to the user."""

    env: Mapping[str, str]
    config: config_store.Config
    ask: Callable[[str], str] = ask_user
    secret: Callable[[str], str] = ask_secret
    progress: bool | None = None
    poll_seconds: float = 1.0

    def api(self, *, auth: bool = True) -> Api:
        """Return a client of the configured server; with ``auth``, one carrying the token."""
        if not self.config.url:
            raise ClientError(f"no server address: {LOGIN_HINT}, or set ARENA_URL")
        if auth and not self.config.token:
            raise ClientError(f"not logged in: {LOGIN_HINT}")
        return Api(self.config.url, self.config.token)

    def lang(self) -> str:
        """Return ``zh`` when the user's locale is Chinese, else ``en``."""
        locale = self.env.get("LC_ALL") or self.env.get("LC_MESSAGES") or self.env.get("LANG") or ""
        return "zh" if locale.lower().startswith("zh") else "en"

    def text(self, value: Any) -> str:
        """Return a bilingual text ({"en", "zh"}) in the user's language, or the value as it is."""
        if isinstance(value, dict):
            return str(value.get(self.lang()) or value.get("en") or next(iter(value.values()), ""))
        return "" if value is None else str(value)


def login(ctx: Context, url: str | None, username: str | None, token: str | None, password_stdin: bool) -> Result:
    """Exchange a username and password (or check a given token) and store the token for this user only."""
    server = url or ctx.config.url or ctx.ask("Server URL (e.g. https://arena.example.org): ").strip()
    if token:
        api = Api(server, token)
        me = api.get("/me")
        name = str(me["username"])
    else:
        name = username or ctx.ask("Username: ").strip()
        password = sys.stdin.readline().rstrip("\n") if password_stdin else ctx.secret("Password: ")
        api = Api(server)
        label = f"arena-client on {socket.gethostname()}"[:100]
        response = api.send("POST", "/tokens", json={"username": name, "password": password, "name": label}, ok=(401,))
        answer = api.json(response)
        if response.status_code == 401:
            raise ClientError(f"login refused: {answer.get('error', {}).get('message', 'wrong username or password')}")
        token, name = str(answer["token"]), str(answer["username"])
    config_store.update(ctx.env, url=api.base, token=token, username=name)
    path = config_store.config_path(ctx.env)
    data = {"url": api.base, "username": name, "config": str(path)}
    return Result(data, f"Logged in to {api.base} as {name}; the token is in {path} (readable only by you).")


def logout(ctx: Context) -> Result:
    """Forget the stored token (it stays valid on the server until revoked on the API tokens page)."""
    path = config_store.config_path(ctx.env)
    config_store.update(ctx.env, token="")
    return Result({"config": str(path)}, f"Token removed from {path}. Revoke it on the server's API tokens page.")


def whoami(ctx: Context) -> Result:
    """Show the account the token belongs to."""
    me = ctx.api().get("/me")
    return Result(me, f"{me['username']} on {ctx.api().base}")


def challenges(ctx: Context) -> Result:
    """List the challenges the caller may see."""
    rows = ctx.api(auth=False).get("/challenges")["challenges"]
    lines = [(c["slug"], ctx.text(c.get("title")), ctx.text(c.get("summary"))) for c in rows]
    return Result(rows, table(["SLUG", "TITLE", "SUMMARY"], lines) if lines else "No challenges.")


def phases(ctx: Context, slug: str) -> Result:
    """List a challenge's phases with the path and id to name them by, their state, window and quotas."""
    challenge = ctx.api(auth=False).get(f"/challenges/{slug}")
    rows = phase_rows(challenge)
    lines = [
        (path, p["id"], p["state"], p["opens_at"], p["closes_at"], p["daily_quota"], t["kind"]) for path, t, p in rows
    ]
    headers = ["PHASE", "ID", "STATE", "OPENS (UTC)", "CLOSES (UTC)", "PER DAY", "KIND"]
    data = [{"path": path, "track": t["slug"], **p} for path, t, p in rows]
    return Result(data, table(headers, lines) if lines else f"{slug} has no phases.")


def join(ctx: Context, slug: str, team: str | None, code: str | None) -> Result:
    """Create a team in a challenge, or join one with its invite code."""
    api = ctx.api()
    if code:
        answer = api.post("/teams/join", json={"invite_code": code})
    elif team:
        answer = api.post(f"/challenges/{slug}/teams", json={"name": team})
    else:
        raise ClientError("give --team NAME to create a team or --code CODE to join one")
    invite = f"; invite code {answer['invite_code']}" if answer.get("invite_code") else ""
    return Result(answer, f"You are in team {answer['name']} (id {answer['id']}){invite}.")


def download(ctx: Context, slug: str, dest: Path, only: list[str] | None) -> Result:
    """Download a challenge's public files, resuming unfinished ones, and check each file's sha256."""
    api = ctx.api(auth=bool(ctx.config.token))
    fetched = download_all(api, slug, dest, only, progress=ctx.progress)
    lines = []
    for f in fetched:
        how = "up to date" if f.skipped else (f"resumed at {human_bytes(f.resumed_from)}" if f.resumed_from else "new")
        lines.append((f.name, human_bytes(f.size), how, str(f.path)))
    text = table(["FILE", "SIZE", "STATUS", "SAVED AS"], lines) if lines else f"{slug} has no public files for you now."
    return Result([f.to_dict() for f in fetched], text)


def shown(score: Any) -> str:
    """Return a score with six significant digits (the leaderboard rounds to the track's precision)."""
    return format(score, ".6g") if isinstance(score, float) else ("" if score is None else str(score))


def score_text(submission: dict[str, Any]) -> str:
    """Return a submission's outcome in a line: its scores, or its failure."""
    status = submission["status"]
    if status == "scored":
        scores = submission.get("scores") or {}
        parts = [f"{split} {shown(scores[split]['score'])}" for split in ("public", "private") if split in scores]
        return "scored: " + (", ".join(parts) if parts else "the score is not shown during this phase")
    if status == "failed":
        why = submission.get("error") or "no details are shown in this phase"
        return f"failed ({submission.get('failure_class') or 'error'}): {why}"
    return str(status)


def follow(ctx: Context, api: Api, submission_id: int, timeout: float) -> dict[str, Any]:
    """Poll a submission until it is scored, failed or cancelled (backing off to 10 s), printing each change."""
    deadline, wait, last = time.monotonic() + timeout, ctx.poll_seconds, ""
    while True:
        current = api.get(f"/submissions/{submission_id}")
        if current["status"] != last:
            last = current["status"]
            print(f"submission {submission_id}: {last}", file=sys.stderr, flush=True)
        if last in FINAL:
            return current
        if time.monotonic() + wait > deadline:
            raise ClientError(
                f"submission {submission_id} is still {last} after {timeout:.0f} s; "
                f"check later with `arena-client status {submission_id}`"
            )
        time.sleep(wait)
        wait = min(wait * 1.5, 10.0)


def submit(ctx: Context, phase: str, file: Path, description: str, wait: bool, timeout: float) -> Result:
    """Upload a file to a phase with a progress bar, then follow its evaluation to the score or the error."""
    if not file.is_file():
        raise ClientError(f"no file {file}: give the path of the predictions or code archive to submit")
    api = ctx.api()
    phase_id = resolve_phase(api, phase)
    bar = Progress(file.name, file.stat().st_size, enabled=ctx.progress)
    body = MultipartBody(file, {"description": description} if description else {}, bar)
    try:
        answer = api.post(f"/phases/{phase_id}/submissions", data=body, headers={"Content-Type": body.content_type})
    except ClientError as exc:
        if bar.enabled and bar.done:
            print(file=sys.stderr)
        reason = _broken_upload(api, phase_id, file) if exc.network and bar.done else exc.message
        raise ClientError(f"{file.name} was not accepted: {reason}") from None
    config_store.update(ctx.env, last_phase=str(phase_id))
    submission_id = int(answer["id"])
    if not wait:
        return Result(answer, f"Submission {submission_id} is {answer['status']}: {answer['url']}")
    final = follow(ctx, api, submission_id, timeout)
    code = 0 if final["status"] == "scored" else EXIT_FAILED
    return Result(final, f"Submission {submission_id} {score_text(final)}", code)


def _broken_upload(api: Api, phase_id: int, file: Path) -> str:
    """Explain an upload the server cut off: ask again without a body, which meets the same early checks."""
    # A server refuses an upload (team, window, quota, size by Content-Length) before reading its body and may
    # close the connection while the file is still being sent; a request without a file gets that refusal.
    try:
        api.send("POST", f"/phases/{phase_id}/submissions", data=b"", ok=(400,))
    except ClientError as probe:
        if not probe.network:
            return probe.message
    size = human_bytes(file.stat().st_size)
    return (
        f"the server closed the connection during the upload of {size}; the file may exceed the track's size "
        "limit, or the network failed (try again; `arena-client status` shows whether it arrived)"
    )


def _score(submission: dict[str, Any], split: str) -> str | None:
    value = ((submission.get("scores") or {}).get(split) or {}).get("score")
    return None if value is None else shown(value)


def status(ctx: Context, submission: int | None, phase: str | None) -> Result:
    """Show one submission, or the team's submissions in a phase (by default the phase last submitted to)."""
    api = ctx.api()
    if submission is not None:
        one = api.get(f"/submissions/{submission}")
        facts = [
            ("id", one["id"]),
            ("phase", one.get("phase_id")),
            ("team", (one.get("team") or {}).get("name")),
            ("file", one.get("file_name")),
            ("status", one["status"]),
            ("submitted (UTC)", one.get("created_at")),
            ("finished (UTC)", one.get("finished_at")),
            ("public score", _score(one, "public")),
            ("private score", _score(one, "private")),
            ("failure", one.get("failure_class")),
            ("error", one.get("error")),
        ]
        code = EXIT_FAILED if one["status"] in ("failed", "cancelled") else 0
        return Result(one, pairs([(k, v) for k, v in facts if v is not None]), code)
    named = phase or ctx.config.last_phase
    if not named:
        raise ClientError("give a submission id, or --phase PHASE to list your team's submissions there")
    phase_id = resolve_phase(api, named)
    rows = api.get(f"/phases/{phase_id}/submissions")["submissions"]
    lines = [
        (s["id"], s["created_at"], s["status"], _score(s, "public"), _score(s, "private"), s.get("file_name"))
        for s in rows
    ]
    headers = ["ID", "SUBMITTED (UTC)", "STATUS", "PUBLIC", "PRIVATE", "FILE"]
    return Result(rows, table(headers, lines) if lines else f"No submissions of your team in phase {phase_id}.")


def leaderboard(ctx: Context, phase: str, private: bool, page: int, per_page: int) -> Result:
    """Show one page of a phase's public (or private) leaderboard."""
    api = ctx.api(auth=bool(ctx.config.token))
    phase_id = resolve_phase(api, phase)
    split = "private" if private else "public"
    board = api.get(f"/phases/{phase_id}/leaderboard", params={"split": split, "page": page, "per_page": per_page})
    lines = [
        (
            r["rank"],
            ctx.text((r.get("team") or {}).get("name")),
            r["score"],
            r.get("entries"),
            r.get("last_submitted_at"),
        )
        for r in board["rows"]
    ]
    notes = [f"{split} leaderboard of phase {phase_id}, page {board['page']} of {max(board['pages'], 1)}"]
    if board.get("frozen"):
        notes.append(f"frozen since {board.get('frozen_at')}")
    head = "; ".join(notes)
    body = table(["RANK", "TEAM", "SCORE", "ENTRIES", "LAST (UTC)"], lines) if lines else "No ranked teams yet."
    return Result(board, f"{head}\n{body}")


def quota(ctx: Context, phase: str) -> Result:
    """Show the team's submission quota in a phase: used, remaining, reset and the next allowed time."""
    api = ctx.api()
    phase_id = resolve_phase(api, phase)
    q = api.get(f"/phases/{phase_id}/quota")
    facts: list[tuple[str, object]] = [
        ("allowed now", q["allowed_now"]),
        ("today", f"{q.get('used_today')} used of {q.get('daily_limit')}, {q.get('remaining_today')} left"),
        ("in total", f"{q.get('used_total')} used of {q.get('total_limit') or 'unlimited'}"),
        ("resets at (UTC)", q.get("resets_at")),
    ]
    if q.get("blocked_by"):
        facts.append(("blocked by", q["blocked_by"]))
        facts.append(("next allowed (UTC)", q.get("next_allowed_at") or "no further submission in this phase"))
    if q.get("person_daily_limit"):
        facts.append(("you today", f"{q.get('person_used_today')} used of {q.get('person_daily_limit')}"))
    return Result(q, pairs(facts))


def selection(ctx: Context, submission: int, selected: bool) -> Result:
    """Select a scored submission for the private leaderboard, or unselect it."""
    api = ctx.api()
    path = f"/submissions/{submission}/selection"
    answer = api.post(path) if selected else api.delete(path)
    chosen = answer["selection"]
    ids = ", ".join(str(i) for i in chosen.get("selected") or []) or "none (your best submissions count)"
    limit = chosen.get("limit")
    verb = "selected" if selected else "unselected"
    return Result(answer, f"Submission {submission} {verb}. Your final selection (up to {limit}): {ids}.")
