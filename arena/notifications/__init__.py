"""Telling users things: the in-app inbox (each reader sees their language) and e-mail where SMTP is configured."""

from arena.notifications.inbox import inbox, localized, mark_read, notify, taken_for_mail, unread_count
from arena.notifications.mail import MailRequest, deliver, enqueue_mail, render, smtp_target

__all__ = [
    "MailRequest",
    "deliver",
    "enqueue_mail",
    "inbox",
    "localized",
    "mark_read",
    "notify",
    "render",
    "smtp_target",
    "taken_for_mail",
    "unread_count",
]
