"""Running ``arena-client`` against the test server: as the installed console script, or through ``main()``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arena_client.cli import main

SCRIPT = Path(sys.executable).parent / "arena-client"


@dataclass(frozen=True)
class Run:
    """What one run of the client printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Parse what ``--json`` printed."""
        return json.loads(self.out)


@dataclass(frozen=True)
class Participant:
    """One user's client: its config folder and environment."""

    home: Path
    url: str

    def env(self, **extra: str) -> dict[str, str]:
        """The environment the client runs in: its own config folder, no inherited ARENA_* variables."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
        return {**base, "XDG_CONFIG_HOME": str(self.home), "LANG": "C.UTF-8", **extra}

    def cli(self, *args: str, stdin: str = "", **extra: str) -> Run:
        """Run the installed ``arena-client`` script in a subprocess."""
        done = subprocess.run(
            [str(SCRIPT), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(**extra),
            timeout=300,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def main(self, *args: str, **extra: str) -> Run:
        """Run the client in this process through ``main()``."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args), env=self.env(**extra))
        return Run(code, out.getvalue(), err.getvalue())

    def config(self) -> Path:
        """The stored config file."""
        return self.home / "arena-client" / "config.json"
