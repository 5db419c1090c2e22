"""Password rules: common passwords, trivial patterns and the account's own name are refused with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from arena.accounts import users as accounts
from arena.accounts.password_rules import check_password, common_passwords
from arena.errors import InvalidInput


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("12345678", "consecutive"),
        ("87654321", "consecutive"),
        ("abcdefghij", "consecutive"),
        ("aaaaaaaaaa", "repeats one character"),
        ("password", "most common"),
        ("Password123", "most common"),
        ("woaini1314", "most common"),
        ("qwertyuiop", "most common"),
        ("1q2w3e4r", "most common"),
        ("short", "at least 8"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as caught:
        check_password(password, username="someone")
    assert caught.value.field == "password"


def test_the_account_name_and_email_may_not_be_the_password() -> None:
    for password, username, email in [
        ("zhangwei88", "zhangwei88", None),
        ("Zhangwei88-is-me", "zhangwei88", None),
        ("my-mail-is-lihua.cn", "someone", "lihua.cn@example.org"),
    ]:
        with pytest.raises(InvalidInput, match="username or email"):
            check_password(password, username=username, email=email)
    check_password("bo-is-a-good-name", username="bo")  # a name this short inside a password is a coincidence


def test_good_passwords_pass() -> None:
    for password in ("correct-horse-battery", "雪豹-识别-2026", "tianjin-demo-1"):
        check_password(password, username="alice", email="alice@example.org")


def test_the_shipped_list_is_a_few_thousand_lower_case_entries() -> None:
    entries = common_passwords()
    assert 3000 < len(entries) < 20000
    assert all(entry == entry.lower() and len(entry) >= 8 for entry in entries)


def test_registration_and_password_change_apply_the_rules(session: Session) -> None:
    with pytest.raises(InvalidInput, match="username or email"):
        accounts.create_user(session, "yusuf-ali", "yusuf-ali")
    with pytest.raises(InvalidInput, match="username or email"):
        accounts.create_user(session, "yusuf", "yusufyusuf")
    with pytest.raises(InvalidInput, match="consecutive"):
        accounts.create_user(session, "yusuf", "12345678")
    user = accounts.create_user(session, "yusuf", "long enough pw")
    with pytest.raises(InvalidInput, match="most common"):
        accounts.set_password(session, user, "iloveyou123")
