"""Pieces of ``arena demo``: a local Redis when none answers, a supervised worker, bundle imports and accounts."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena import accounts, finals, teams
from arena.challenges import import_bundle
from arena.enums import ChallengeRoleKind, FinalStatus
from arena.errors import ArenaError, BundleError, NotFound
from arena.localredis import RedisStartError, redis_answers, start_redis, stop
from arena.models import Challenge, Final, User
from arena.storage import BlobStore, sha256_tree
from web.demo_demands import seed_demo_demands

DEMO_BUNDLES = ("digits", "snow-leopard")
# The demo final: alice's team, from the same institution as judge1, is a finalist, so the conflict shows.
FINAL_SLUG = "snow-leopard"
DEMO_INSTITUTION = "Tianjin University"
DEMO_TEAM = "Snow Lions"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name, not a key)

STEADY_SECONDS = 60.0
MAX_RESTART_DELAY = 30.0


@dataclass(frozen=True)
class DemoAccount:
    """A demo login printed for the person trying Arena."""

    username: str
    password: str
    role: str
    is_admin: bool = False
    email: str | None = None
    institution: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("admin", "tianjin-demo-1", "site admin", is_admin=True),
    DemoAccount("organizer", "tianjin-demo-2", "organizer of every demo challenge"),
    DemoAccount("alice", "tianjin-demo-3", "participant"),
    DemoAccount("bob", "tianjin-demo-4", "participant"),
    DemoAccount("judge1", "tianjin-demo-5", "judge of the snow-leopard final", institution=DEMO_INSTITUTION),
    DemoAccount("judge2", "tianjin-demo-6", "judge of the snow-leopard final", institution="Snow Leopard Trust"),
    DemoAccount("sponsor", "tianjin-demo-7", "sponsor: files technical demands"),
    DemoAccount("reviewer", "tianjin-demo-8", "reviewer of demands"),
    DemoAccount("lab", "tianjin-demo-9", "respondent: university labs"),
    DemoAccount("broker", "tianjin-demo-10", "technology broker"),
)


def demo_secret_key(data_dir: Path) -> str:
    """Return the demo's session key, kept in ``data_dir`` (readable by its owner only); made once at random."""
    path = data_dir / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def exit_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so the processes the demo started are stopped too."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))


@contextmanager
def redis_for(url: str, data_dir: Path) -> Iterator[subprocess.Popen[bytes] | None]:
    """Make sure Redis answers at ``url`` for the duration; stop it afterwards if we started it."""
    try:
        process = None if redis_answers(url) else start_redis(url, data_dir)
    except RedisStartError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield process
    finally:
        stop(process)


class WorkerSupervisor:
    """Keep one worker process running: start it, and start it again with back-off whenever it exits."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str], *, first_delay: float = 1.0) -> None:
        self.command = list(command)
        self.env = dict(env)
        self.first_delay = first_delay
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="worker-supervisor")

    def start(self) -> None:
        """Start the worker and the thread that watches it."""
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            if not self._stop.is_set():
                self.process = subprocess.Popen(self.command, env=self.env)  # noqa: S603 (our own CLI)

    def _watch(self) -> None:
        delay = self.first_delay
        while not self._stop.is_set():
            process = self.process
            assert process is not None
            started = time.monotonic()
            while process.poll() is None and not self._stop.wait(0.2):
                pass
            if self._stop.is_set():
                return
            # A worker that ran for a while gets restarted quickly; one that keeps dying, ever more slowly.
            delay = self.first_delay if time.monotonic() - started > STEADY_SECONDS else delay
            click.echo(f"the worker exited with status {process.returncode}; restarting it in {delay:g} s", err=True)
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, MAX_RESTART_DELAY)
            self._spawn()
            self.restarts += 1  # counted once the new process exists

    def stop(self) -> None:
        """Stop watching and stop the worker."""
        with self._lock:
            self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        stop(self.process)


def demo_bundles(challenges_dir: Path) -> list[Path]:
    """Return the demo bundle folders present under ``challenges_dir``."""
    return [challenges_dir / name for name in DEMO_BUNDLES if (challenges_dir / name / "challenge.yaml").is_file()]


def import_demo_bundle(session: Session, store: BlobStore, path: Path) -> int | None:
    """Import one bundle unless this exact version is installed; print its problems and return None if invalid."""
    installed = session.scalar(select(Challenge.id).where(Challenge.bundle_sha256 == sha256_tree(path)))
    if installed is not None:
        click.echo(f"{path.name} is already imported")
        return installed
    click.echo(f"importing {path.name} (building its data can take a while)…")
    try:
        report = import_bundle(session, store, path)
        session.commit()
    except BundleError as error:
        session.rollback()
        click.echo(f"skipped {path.name}: the bundle has problems", err=True)
        for field, message in error.problems:
            click.echo(f"  {field}: {message}", err=True)
        return None
    click.echo(f"imported {report.slug} ({'new' if report.created else 'updated'})")
    return report.challenge_id


def ensure_account(session: Session, account: DemoAccount) -> User:
    """Return the demo user, creating it if needed (an existing password is left alone)."""
    try:
        return accounts.get_user_by_name(session, account.username)
    except NotFound:
        return accounts.create_user(
            session,
            account.username,
            account.password,
            is_admin=account.is_admin,
            email=account.email,
            institution=account.institution,
        )


def seed_demo_accounts(session: Session, challenge_ids: list[int]) -> None:
    """Create the demo accounts and make ``organizer`` an organizer of every demo challenge (idempotent)."""
    for account in DEMO_ACCOUNTS:
        user = ensure_account(session, account)
        if account.username == "organizer":
            for challenge_id in challenge_ids:
                accounts.grant_role(session, challenge_id, user, ChallengeRoleKind.ORGANIZER)
    session.commit()
    seed_demo_final(session)
    names = ["admin", "sponsor", "reviewer", "lab", "broker"]
    seed_demo_demands(session, {name: accounts.get_user_by_name(session, name) for name in names})


def seed_demo_final(session: Session) -> None:
    """Invite the demo judges to the snow-leopard final and name alice's team by hand (idempotent)."""
    challenge = session.scalar(select(Challenge).where(Challenge.slug == FINAL_SLUG))
    final = session.scalar(select(Final).where(Final.challenge_id == challenge.id)) if challenge else None
    if challenge is None or final is None:
        return
    organizer = accounts.get_user_by_name(session, "organizer")
    alice = accounts.get_user_by_name(session, "alice")
    team = teams.team_of(session, alice.id, challenge.id) or teams.create_team(
        session, alice, challenge, DEMO_TEAM, institution=DEMO_INSTITUTION
    )
    for name in ("judge1", "judge2"):
        finals.invite_judge(session, organizer, final.id, name)
    if final.status in (FinalStatus.ANNOUNCED, FinalStatus.FINALISTS_NAMED) and not any(
        f.team_id == team.id for f in finals.taking_part(session, final.id)
    ):
        finals.add_finalist(session, organizer, final.id, team.id, "demo finalist, to show the final's pages")
    session.commit()


def print_logins(url: str) -> None:
    """Print where the demo runs and how to log in."""
    click.echo("")
    click.echo(f"Arena demo: {url}   (English: {url}?lang=en, 中文: {url}?lang=zh_CN)")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.username:<10} password {account.password:<20} {account.role}")
    click.echo("Register your own account too. Press Ctrl+C to stop.")


def explain(error: ArenaError) -> str:
    """Return a domain error as one line for the terminal."""
    return f"{error.code}: {error.message}"
