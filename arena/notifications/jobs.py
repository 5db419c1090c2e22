"""rq entry point for notification mail: a thin adapter that opens a session and calls ``deliver``."""

from __future__ import annotations

from typing import Any

from arena.db import session_scope
from arena.notifications.mail import MailRequest, deliver
from arena.runtime import runtime_for
from arena.settings import Settings


def send_mail(payload: dict[str, Any]) -> str:
    """Mail one notification; return its mail status."""
    request = MailRequest.from_dict(payload)
    settings = Settings.from_env()
    with session_scope(runtime_for(settings).sessions) as session:
        status = deliver(session, settings, request)
    if status == "retry":
        # Committed first, so the attempt counts; rq's Retry runs the job again.
        raise MailNotSent(f"mail for notification {request.notification_id} was not accepted; retrying")
    return status


class MailNotSent(RuntimeError):
    """The SMTP server did not take the mail this time."""
