"""The Debian mirror this host's apt already uses, read from /etc/apt/sources.list(.d)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

APT_DIR = Path("/etc/apt")


def debian_mirror(suite: str = "bookworm", apt_dir: Path = APT_DIR) -> str:
    """Return the first http(s) mirror serving `suite` with component main, as configured for apt."""
    for uri, suites, components in _sources(apt_dir):
        if suite in suites and "main" in components and uri.startswith(("http://", "https://")):
            return uri.rstrip("/")
    raise LookupError(f"no apt source for Debian {suite} main found under {apt_dir}; pass the mirror URL explicitly")


def _sources(apt_dir: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    legacy = [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*.list"))]
    deb822 = sorted((apt_dir / "sources.list.d").glob("*.sources"))
    for path in legacy:
        if path.is_file():
            yield from parse_one_line(path.read_text(errors="replace").splitlines())
    for path in deb822:
        yield from parse_deb822(path.read_text(errors="replace"))


def parse_one_line(lines: Iterable[str]) -> Iterator[tuple[str, list[str], list[str]]]:
    """Yield (uri, [suite], components) for each `deb` line of a classic sources.list."""
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        words = line.split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        if words and words[0].startswith("["):
            # Options such as [arch=amd64 signed-by=...] come before the URI.
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 2:
            yield words[0], [words[1]], words[2:]


def parse_deb822(text: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """Yield (uri, suites, components) for each enabled `deb` stanza of a .sources file."""
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for raw in stanza.splitlines():
            if raw.startswith("#") or not raw.strip():
                continue
            if raw[0] in " \t" and key:
                fields[key] += " " + raw.strip()
                continue
            key, _, value = raw.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            yield uri, fields.get("suites", "").split(), fields.get("components", "").split()
