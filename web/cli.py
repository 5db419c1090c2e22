"""The ``arena`` command: demo, serve, worker, database, users, challenges and the sandbox image."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from granian import Granian
from granian.constants import Interfaces
from redis.exceptions import RedisError

from arena import accounts, backups, evaluation, logconfig
from arena.challenges import import_bundle
from arena.db import session_scope
from arena.enums import ResourceClass
from arena.errors import ArenaError, BundleError
from arena.evaluation import run_worker
from arena.runtime import redis_connection, runtime_for
from arena.schema import upgrade
from arena.settings import Settings
from sandbox.builder import build_runner_image
from sandbox.spec import check_gpus
from web import demo
from web.app import MissingSecretKey, create_app, require_secret_key

REPO_CHALLENGES = Path(__file__).resolve().parent.parent / "challenges"


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Arena: innovation challenges with hidden-test leaderboards."""
    if ctx.obj is None:
        ctx.obj = Settings.from_env()


def serve_app(settings: Settings, host: str, port: int, workers: int, threads: int = 2) -> None:
    """Serve the app with granian (``workers`` > 0 processes of ``threads`` each) or Werkzeug's server (0)."""
    try:
        require_secret_key(settings)
    except MissingSecretKey as error:
        raise click.ClickException(str(error)) from None
    if workers > 0:
        # Each granian worker builds the app from web.wsgi, reading the same settings from the environment.
        os.environ.update(settings.to_env())
        Granian(
            "web.wsgi:app",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=threads,
            runtime_threads=1,
            log_access=True,
            log_dictconfig=logconfig.SERVER_JSON_CONFIG if settings.log_format == "json" else None,
        ).serve()
    else:
        create_app(settings).run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=0, show_default=True, type=int, help="granian worker processes; 0 = Werkzeug server")
@click.option("--threads", default=2, show_default=True, type=int, help="request threads per granian worker")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app (production: ``--workers`` = cores; more threads lengthen the latency tail)."""
    serve_app(_settings(ctx), host, port, workers, threads)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.pass_context
def worker(ctx: click.Context, burst: bool) -> None:
    """Run an evaluation worker (it rides out Redis outages, reconnecting with back-off)."""
    settings = _settings(ctx)
    heartbeat = evaluation.identity(settings, datetime.now(UTC))
    try:
        check_gpus(settings.sandbox_gpus)
    except ValueError as exc:
        raise click.UsageError(f"ARENA_SANDBOX_GPUS: {exc}") from None
    if ResourceClass.GPU.value in heartbeat.classes and not settings.sandbox_gpus:
        raise click.UsageError(
            "this worker serves the gpu class (ARENA_WORKER_CLASSES) but ARENA_SANDBOX_GPUS is not set: "
            "set it to all, a count of GPUs or device=<indexes or UUIDs> (device=0,1)"
        )
    logconfig.configure(settings.log_format, worker=heartbeat.name)
    run_worker(settings, burst=burst)


@main.command("worker-health")
@click.pass_context
def worker_health(ctx: click.Context) -> None:
    """Exit 0 when this host's worker (ARENA_WORKER_NAME, else any on this host) has a live heartbeat, else 1."""
    settings = _settings(ctx)
    try:
        found = evaluation.own_heartbeats(redis_connection(settings.redis_url), settings)
    except (RedisError, OSError) as error:
        click.echo(json.dumps({"status": "unavailable", "redis": f"error: {type(error).__name__}"}))
        sys.exit(1)
    workers = [
        {"name": h.name, "host": h.host, "pid": h.pid, "classes": list(h.classes), "seen_at": h.seen_at.isoformat()}
        for h in found
    ]
    click.echo(json.dumps({"status": "ok" if workers else "unavailable", "workers": workers}))
    sys.exit(0 if workers else 1)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the database schema to the latest version."""
    upgrade(_settings(ctx).database_url)
    click.echo("database is up to date")


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default=None)
@click.option("--admin", is_flag=True, help="Make the user a site admin.")
@click.pass_context
def users_create(ctx: click.Context, name: str, password: str, email: str | None, admin: bool) -> None:
    """Create an account."""
    runtime = runtime_for(_settings(ctx))
    try:
        with session_scope(runtime.sessions) as session:
            user = accounts.create_user(session, name, password, email=email, is_admin=admin)
            click.echo(f"created user {user.username}{' (admin)' if admin else ''}")
    except ArenaError as error:
        raise click.ClickException(demo.explain(error)) from None


@users.command("sign-out")
@click.argument("name")
@click.pass_context
def users_sign_out(ctx: click.Context, name: str) -> None:
    """Sign a user out everywhere: every session cookie of the account stops working."""
    runtime = runtime_for(_settings(ctx))
    try:
        with session_scope(runtime.sessions) as session:
            accounts.end_sessions(session, accounts.get_user_by_name(session, name))
    except ArenaError as error:
        raise click.ClickException(demo.explain(error)) from None
    click.echo(f"signed out {name} everywhere")


@main.group()
def challenges() -> None:
    """Challenge bundles."""


@challenges.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--organizer", default=None, help="Username to make an organizer of the challenge.")
@click.pass_context
def challenges_import(ctx: click.Context, path: Path, organizer: str | None) -> None:
    """Import (or update) a challenge from a bundle folder or zip."""
    settings = _settings(ctx)
    runtime = runtime_for(settings)
    try:
        with session_scope(runtime.sessions) as session:
            user = accounts.get_user_by_name(session, organizer) if organizer else None
            report = import_bundle(session, runtime.store, path, organizer=user)
            session.commit()
            runs = evaluation.rescore_imported(
                session,
                settings,
                report.rescore_submission_ids,
                reason=f"hidden key or scorer changed by importing {path.name}",
                requested_by_id=None,
            )
    except BundleError as error:
        click.echo(f"{path}: the bundle has {len(error.problems)} problem(s):", err=True)
        for field, message in error.problems:
            click.echo(f"  {field}: {message}", err=True)
        sys.exit(1)
    except ArenaError as error:
        raise click.ClickException(demo.explain(error)) from None
    click.echo(f"{'created' if report.created else 'updated'} challenge {report.slug} (id {report.challenge_id})")
    for change in report.changes:
        click.echo(f"  {change}")
    for warning in report.warnings:
        click.echo(f"  warning: {warning}", err=True)
    for run in runs:
        click.echo(f"  rescoring {run.total} submission(s) of phase {run.phase_id} under score version {run.version}")


@main.group()
def sandbox() -> None:
    """The sandbox for code submissions."""


@sandbox.command("build-image")
@click.option("--method", type=click.Choice(["auto", "dockerfile", "debootstrap"]), default="auto", show_default=True)
@click.option("--force", is_flag=True, help="Rebuild even if the image exists.")
@click.pass_context
def sandbox_build_image(ctx: click.Context, method: Any, force: bool) -> None:
    """Build the runner image that code submissions run in."""
    info = build_runner_image(_settings(ctx).runner_image, method=method, force=force, log=click.echo)
    click.echo(f"{info.tag} {info.digest}{' (built)' if info.built else ' (already present)'}")


@main.group()
def backup() -> None:
    """Back up and restore the database and the stored files."""


@backup.command("create")
@click.argument("folder", type=click.Path(path_type=Path))
@click.pass_context
def backup_create(ctx: click.Context, folder: Path) -> None:
    """Write a backup of the database and the store into FOLDER (new or empty)."""
    settings = _settings(ctx)
    try:
        summary = backups.create_backup(settings.database_url, runtime_for(settings).store, folder)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"backed up {sum(summary.tables.values())} rows of {len(summary.tables)} tables and "
        f"{summary.files} stored files into {folder}"
    )


@backup.command("restore")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.pass_context
def backup_restore(ctx: click.Context, folder: Path) -> None:
    """Restore FOLDER into an empty database and data folder, and check both against the backup."""
    settings = _settings(ctx)
    try:
        summary = backups.restore_backup(settings.database_url, runtime_for(settings).store, folder)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"restored {sum(summary.tables.values())} rows of {len(summary.tables)} tables and "
        f"{summary.files} stored files; both match the backup"
    )


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--data-dir", default="var/demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--challenges-dir", default=None, type=click.Path(path_type=Path), help="Where the bundles are.")
def demo_command(host: str, port: int, data_dir: Path, challenges_dir: Path | None) -> None:
    """Run everything for a demo: Redis, database, demo challenges and accounts, a worker and the web app."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(data_dir=data_dir.absolute())
    if not settings.secret_key:
        settings = settings.with_overrides(secret_key=demo.demo_secret_key(data_dir))
    demo.exit_on_sigterm()
    with demo.redis_for(settings.redis_url, data_dir / "redis"):
        upgrade(settings.database_url)
        runtime = runtime_for(settings)
        folder = challenges_dir or (Path("challenges") if Path("challenges").is_dir() else REPO_CHALLENGES)
        with runtime.sessions() as session:
            ids = [
                cid
                for path in demo.demo_bundles(folder)
                if (cid := demo.import_demo_bundle(session, runtime.store, path)) is not None
            ]
            demo.seed_demo_accounts(session, ids)
        supervisor = demo.WorkerSupervisor(
            [sys.executable, "-m", "web.cli", "worker"], {**os.environ, **settings.to_env()}
        )
        supervisor.start()
        try:
            demo.print_logins(f"http://{host}:{port}/")
            serve_app(settings, host, port, workers=0)
        finally:
            supervisor.stop()


if __name__ == "__main__":
    main()
