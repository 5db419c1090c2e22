"""Which passwords Arena refuses: too short or long, common, trivial patterns, or built from the account's name."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from arena.errors import InvalidInput

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
# A name shorter than this inside a password is a coincidence more often than a weakness.
MIN_CONTAINED_NAME = 4
DIGITS = "0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of the most common passwords, lower case."""
    text = files("arena.accounts").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _is_run(text: str) -> bool:
    """Whether ``text`` is consecutive characters of the digits or the alphabet, up or down (``12345678``)."""
    for alphabet in (DIGITS, LETTERS):
        for sequence in (alphabet * 2, alphabet[::-1] * 2):
            if text in sequence:
                return True
    return False


def check_password(password: str, *, username: str = "", email: str | None = None) -> None:
    """Raise InvalidInput saying what to change if ``password`` is not allowed for this account."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "the password must have at least %(count)s characters", field="password", params={"count": MIN_PASSWORD}
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("the password is too long (at most 1024 characters)", field="password")
    lowered = password.lower()
    if len(set(lowered)) == 1:
        raise InvalidInput("the password repeats one character; choose a longer mix of words", field="password")
    if _is_run(lowered):
        raise InvalidInput(
            "the password is a run of consecutive digits or letters; choose a longer mix of words", field="password"
        )
    if lowered in common_passwords():
        raise InvalidInput(
            "this password is one of the most common passwords and is guessed first; choose another", field="password"
        )
    names = [username.strip().lower()]
    if email:
        names.append(email.strip().lower().split("@")[0])
    for name in names:
        if name and (lowered == name or (len(name) >= MIN_CONTAINED_NAME and name in lowered)):
            raise InvalidInput("the password must not contain your username or email address", field="password")
