"""After a request committed, ring the mailer for the notifications it created (when SMTP is configured)."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request
from redis.exceptions import RedisError

from arena import notifications
from web import state
from web.extensions import db

log = logging.getLogger(__name__)


def ring_mail(response: Response) -> Response:
    """Enqueue mail for the notifications this request's session created; the inbox holds them either way."""
    if not db.session.registry.has():
        return response
    ids = notifications.taken_for_mail(db.session())
    if ids and response.status_code < 400:
        directories = str(current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", ""))
        try:
            notifications.enqueue_mail(
                state.settings(), ids, localedir=directories.split(";")[0], base_url=request.host_url
            )
        except RedisError as error:
            log.warning("mail for notifications %s not queued: %s", ids, error)
    return response


def install_mail_bell(app: Flask) -> None:
    """Ring the mailer after each request."""
    app.after_request(ring_mail)
