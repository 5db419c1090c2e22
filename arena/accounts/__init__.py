"""Accounts: users, passwords, API tokens, profiles and challenge roles."""

from arena.accounts.users import (
    LOCALES,
    authenticate,
    change_password,
    create_user,
    end_sessions,
    get_user_by_name,
    grant_role,
    issue_token,
    list_tokens,
    revoke_tokens,
    update_profile,
    user_for_token,
)

__all__ = [
    "LOCALES",
    "authenticate",
    "change_password",
    "create_user",
    "end_sessions",
    "get_user_by_name",
    "grant_role",
    "issue_token",
    "list_tokens",
    "revoke_tokens",
    "update_profile",
    "user_for_token",
]
