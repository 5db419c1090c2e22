"""Where the client keeps its server address and token: $XDG_CONFIG_HOME/arena-client/config.json, mode 0600."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

FILE_NAME = "config.json"


@dataclass(frozen=True)
class Config:
    """The server address, the API token and the phase last submitted to."""

    url: str = ""
    token: str = ""
    username: str = ""
    last_phase: str = ""


def config_dir(env: Mapping[str, str]) -> Path:
    """Return the client's folder in the user's config directory (XDG_CONFIG_HOME, else ~/.config)."""
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "arena-client"


def config_path(env: Mapping[str, str]) -> Path:
    """Return the path of the config file."""
    return config_dir(env) / FILE_NAME


def stored(env: Mapping[str, str]) -> Config:
    """Read the config file as stored (an unreadable or damaged file counts as empty)."""
    path = config_path(env)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Config()
    if not isinstance(data, dict):
        return Config()
    return Config(**{k: str(v) for k, v in data.items() if k in Config.__dataclass_fields__})


def load(env: Mapping[str, str]) -> Config:
    """Read the stored config; ARENA_URL and ARENA_TOKEN override what is stored."""
    stored_config = stored(env)
    return replace(
        stored_config,
        url=env.get("ARENA_URL") or stored_config.url,
        token=env.get("ARENA_TOKEN") or stored_config.token,
    )


def save(env: Mapping[str, str], config: Config) -> Path:
    """Write the config readable by its owner only (0600, in a 0700 folder), replacing it atomically."""
    folder = config_dir(env)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / FILE_NAME
    scratch = folder / (FILE_NAME + ".tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(config), out, indent=2)
    os.chmod(scratch, 0o600)
    os.replace(scratch, path)
    return path


def update(env: Mapping[str, str], **changes: str) -> Config:
    """Change some fields of the stored config (not the environment's overrides) and save it."""
    changed = replace(stored(env), **changes)
    save(env, changed)
    return changed
