"""The ``arena`` command: demo, serve, worker, database, users, challenges and the sandbox image."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from arena import localredis
from arena.bundles import import_bundle
from arena.db import session_scope
from arena.errors import ArenaError, BundleError
from arena.runtime import runtime_for
from arena.schema import upgrade
from arena.services import accounts, rescoring
from arena.settings import Settings
from arena.worker import run_worker
from sandbox.builder import build_runner_image
from web import demo
from web.app import create_app

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


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn serving an app object built in this process."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's config."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Return the app to serve."""
        return self.application


def serve_app(app: Flask, host: str, port: int, workers: int) -> None:
    """Serve ``app`` with gunicorn (``workers`` > 0) or Werkzeug's threaded server."""
    if workers > 0:
        GunicornServer(app, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-"}).run()
    else:
        app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=0, show_default=True, type=int, help="gunicorn workers; 0 = Werkzeug server")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the web app."""
    serve_app(create_app(_settings(ctx)), host, port, workers)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.pass_context
def worker(ctx: click.Context, burst: bool) -> None:
    """Run an evaluation worker."""
    run_worker(_settings(ctx), burst=burst)


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
            runs = rescoring.rescore_imported(
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


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--data-dir", default="var/demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--challenges-dir", default=None, type=click.Path(path_type=Path), help="Where the bundles are.")
def demo_command(host: str, port: int, data_dir: Path, challenges_dir: Path | None) -> None:
    """Run everything for a demo: Redis, database, demo challenges and accounts, a worker and the web app."""
    settings = Settings.from_env(data_dir=data_dir.absolute())
    data_dir.mkdir(parents=True, exist_ok=True)
    demo.exit_on_sigterm()
    with demo.redis_for(settings.redis_url, data_dir / "redis"):
        upgrade(settings.database_url)
        runtime = runtime_for(settings)
        folder = challenges_dir or (Path("challenges") if Path("challenges").is_dir() else REPO_CHALLENGES)
        with runtime.sessions() as session:
            ids = [cid for path in demo.demo_bundles(folder) if (cid := demo.import_demo_bundle(
                session, runtime.store, path)) is not None]
            demo.seed_demo_accounts(session, ids)
        worker_process = subprocess.Popen(  # noqa: S603 (this interpreter running our own CLI)
            [sys.executable, "-m", "web.cli", "worker"], env={**os.environ, **settings.to_env()}
        )
        try:
            demo.print_logins(f"http://{host}:{port}/")
            serve_app(create_app(settings), host, port, workers=0)
        finally:
            localredis.stop(worker_process)


if __name__ == "__main__":
    main()
