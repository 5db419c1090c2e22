"""E-mail for notifications: an rq job renders one in the recipient's language and sends it through smtplib."""

from __future__ import annotations

import gettext
import logging
import smtplib
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from rq import Queue, Retry
from rq.serializers import JSONSerializer
from sqlalchemy.orm import Session

from arena.db import utcnow
from arena.errors import InvalidInput
from arena.models import Notification, User
from arena.notifications.inbox import localized
from arena.runtime import redis_connection
from arena.settings import Settings

log = logging.getLogger(__name__)

MAIL_JOB = "arena.notifications.jobs.send_mail"
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class MailRequest:
    """Mail one notification: where the compiled catalogues are, and the site's address for the link."""

    notification_id: int
    localedir: str = ""
    base_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form rq carries."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MailRequest:
        """Rebuild a request from its JSON form."""
        return cls(int(data["notification_id"]), str(data.get("localedir", "")), str(data.get("base_url", "")))


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to hand mail over, parsed from ARENA_SMTP_URL."""

    host: str
    port: int
    tls: bool
    starttls: bool
    username: str
    password: str


def smtp_target(url: str) -> SmtpTarget:
    """Parse ``smtp://user:password@host:port`` (``smtps://`` for TLS, ``?starttls=1`` to upgrade)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidInput("ARENA_SMTP_URL must look like smtp://user:password@host:port", field="smtp_url")
    tls = parts.scheme == "smtps"
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        tls=tls,
        starttls=starttls,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def enqueue_mail(settings: Settings, ids: list[int], *, localedir: str = "", base_url: str = "") -> list[str]:
    """Ring the mailer for committed notifications when SMTP is configured (else nothing: inbox only)."""
    if not settings.smtp_url or not ids:
        return []
    queue = Queue(settings.queue_name, connection=redis_connection(settings.redis_url), serializer=JSONSerializer)
    jobs = []
    for notification_id in ids:
        request = MailRequest(notification_id, localedir, base_url)
        job = queue.enqueue(
            MAIL_JOB,
            request.to_dict(),
            job_id=f"mail-{notification_id}",
            result_ttl=3600,
            retry=Retry(max=MAX_ATTEMPTS - 1),
        )
        jobs.append(job.id)
    return jobs


def _language(user: User, settings: Settings) -> str:
    locale = (user.locale or settings.default_locale or "en").replace("-", "_")
    return "zh_CN" if locale.lower().startswith("zh") else "en"


def render(notification: Notification, language: str, localedir: str) -> tuple[str, str]:
    """The notification's subject and body in ``language`` (English when no catalogue has it)."""
    catalog = gettext.translation("messages", localedir or None, languages=[language], fallback=True)
    params = localized(notification.params or {}, language)
    subject = catalog.gettext(notification.subject) % params
    body = catalog.gettext(notification.body) % params if notification.body else ""
    return subject, body


def deliver(session: Session, settings: Settings, request: MailRequest) -> str:
    """Send one notification's mail; return sent, failed, retry (failed, worth another try), none or missing."""
    notification = session.get(Notification, request.notification_id)
    if notification is None:
        return "missing"
    if notification.mail_status == "sent" or not settings.smtp_url:
        return notification.mail_status
    user = session.get(User, notification.recipient_id)
    if user is None or not user.email:
        return notification.mail_status
    subject, body = render(notification, _language(user, settings), request.localedir)
    if notification.link:
        body = f"{body}\n\n{request.base_url.rstrip('/')}{notification.link}".strip()
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.mail_from, user.email, subject
    message.set_content(body or subject)
    notification.mail_attempts += 1
    try:
        _send(smtp_target(settings.smtp_url), message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail for notification %s failed: %s", notification.id, error)
        notification.mail_status = "failed"
        return "retry" if notification.mail_attempts < MAX_ATTEMPTS else "failed"
    notification.mail_status, notification.mailed_at = "sent", utcnow()
    return notification.mail_status


def _send(target: SmtpTarget, message: EmailMessage) -> None:
    smtp_class = smtplib.SMTP_SSL if target.tls else smtplib.SMTP
    with smtp_class(target.host, target.port, timeout=30) as smtp:
        if target.starttls:
            smtp.starttls()
        if target.username:
            smtp.login(target.username, target.password)
        smtp.send_message(message)
