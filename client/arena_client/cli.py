"""The ``arena-client`` command: parse the arguments, run one command, print its table or JSON, set the exit code."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from arena_client import __version__, commands
from arena_client import config as config_store
from arena_client.api import ClientError
from arena_client.commands import Context, Result

EXIT_USAGE = 2
EPILOG = (
    "Phases are named by id (3) or path (digits/classify/open). The server and token come from `login`, "
    "or from ARENA_URL and ARENA_TOKEN. Exit codes: 0 done, 1 refused or unreachable, 2 bad usage, "
    "3 the submission failed."
)


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    top = argparse.ArgumentParser(prog="arena-client", description="Take part in Arena challenges.", epilog=EPILOG)
    top.add_argument("--version", action="version", version=f"arena-client {__version__}")
    top.add_argument("--json", action="store_true", help="print JSON for scripts instead of tables")
    top.add_argument("--url", help="the server (overrides ARENA_URL and the stored address)")
    top.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw progress bars on standard error (default: when it is a terminal)",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = sub.add_parser("login", help="log in and store a token (asks for what is missing)")
    login.add_argument("--username")
    login.add_argument("--token", help="store this API token instead of logging in with a password")
    login.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("logout", help="forget the stored token")
    sub.add_parser("whoami", help="show the logged-in account")
    sub.add_parser("challenges", help="list challenges")
    phases = sub.add_parser("phases", help="list a challenge's phases with their ids and paths")
    phases.add_argument("slug")
    join = sub.add_parser("join", help="create a team in a challenge (--team) or join one (--code)")
    join.add_argument("slug")
    join.add_argument("--team", help="name of a new team")
    join.add_argument("--code", help="invite code of an existing team")

    download = sub.add_parser("download", help="download a challenge's public files (resumable)")
    download.add_argument("slug")
    download.add_argument("--dest", type=Path, default=None, help="folder (default: ./SLUG)")
    download.add_argument("--file", action="append", dest="files", metavar="NAME", help="only this file (repeatable)")

    submit = sub.add_parser("submit", help="upload a submission and follow it to its score")
    submit.add_argument("phase")
    submit.add_argument("file", type=Path)
    submit.add_argument("--description", default="", help="a note shown with the submission")
    submit.add_argument("--no-wait", action="store_true", help="return once the upload is accepted")
    submit.add_argument("--timeout", type=float, default=3600.0, help="seconds to follow the status (default 3600)")

    status = sub.add_parser("status", help="one submission, or your team's submissions in a phase")
    status.add_argument("submission", nargs="?", type=int)
    status.add_argument("--phase", help="list this phase's submissions (default: the phase last submitted to)")

    board = sub.add_parser("leaderboard", help="a phase's leaderboard")
    board.add_argument("phase")
    board.add_argument("--private", action="store_true", help="the private board (once it is public)")
    board.add_argument("--page", type=int, default=1)
    board.add_argument("--per-page", type=int, default=50)

    quota = sub.add_parser("quota", help="your team's submission quota in a phase")
    quota.add_argument("phase")
    for name, what in (("select", "select a submission for the private leaderboard"), ("unselect", "unselect it")):
        choice = sub.add_parser(name, help=what)
        choice.add_argument("submission", type=int)
    return top


def run(args: argparse.Namespace, ctx: Context) -> Result:
    """Run the parsed command."""
    match args.command:
        case "login":
            return commands.login(ctx, args.url, args.username, args.token, args.password_stdin)
        case "logout":
            return commands.logout(ctx)
        case "whoami":
            return commands.whoami(ctx)
        case "challenges":
            return commands.challenges(ctx)
        case "phases":
            return commands.phases(ctx, args.slug)
        case "join":
            return commands.join(ctx, args.slug, args.team, args.code)
        case "download":
            return commands.download(ctx, args.slug, args.dest or Path(args.slug), args.files)
        case "submit":
            return commands.submit(ctx, args.phase, args.file, args.description, not args.no_wait, args.timeout)
        case "status":
            return commands.status(ctx, args.submission, args.phase)
        case "leaderboard":
            return commands.leaderboard(ctx, args.phase, args.private, args.page, args.per_page)
        case "quota":
            return commands.quota(ctx, args.phase)
        case "select" | "unselect":
            return commands.selection(ctx, args.submission, args.command == "select")
    raise ClientError(f"unknown command {args.command}", EXIT_USAGE)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run ``arena-client`` with ``argv`` (default: the process's) and return the exit code."""
    args = parser().parse_args(argv)
    environment = os.environ if env is None else env
    config = config_store.load(environment)
    if args.url:
        config = config_store.Config(url=args.url, token=config.token, username=config.username)
    ctx = Context(env=environment, config=config, progress=args.progress)
    try:
        result = run(args, ctx)
    except ClientError as exc:
        print(f"arena-client: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("arena-client: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(result.data, indent=2, ensure_ascii=False))
    else:
        print(result.text)
    return result.exit_code
