"""Notifications on a real database: the inbox, and mail through a real rq worker to a local SMTP server."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from arena import notifications
from arena.accounts import users as accounts
from arena.evaluation.worker import run_worker
from arena.models import Notification
from arena.settings import Settings
from tests.factories import PASSWORD
from tests.smtp_server import smtp_server
from web.i18n import TRANSLATIONS_DIR, compile_catalogs

SUBJECT = "Your team %(team)s is a finalist of %(final)s"
PARAMS = {"team": "Snow Lions", "final": {"en": "Grand final", "zh": "总决赛"}}


def _people(session: Session) -> tuple:
    zh = accounts.create_user(session, "lin", PASSWORD, email="lin@tju.edu.cn")
    zh.locale = "zh_CN"
    en = accounts.create_user(session, "ann", PASSWORD, email="ann@example.org")
    en.locale = "en"
    quiet = accounts.create_user(session, "nomail", PASSWORD)
    session.commit()
    return zh, en, quiet


def test_the_inbox_counts_unread_and_marks_only_the_readers_own(session: Session) -> None:
    zh, en, quiet = _people(session)
    rows = notifications.notify(session, [zh, zh, en, None], "final.finalist_named", SUBJECT, params=PARAMS)
    notifications.notify(session, [zh], "final.appeal_answered", "Your appeal to the final %(final)s has an answer")
    session.commit()
    assert len(rows) == 2  # zh once, en once, nobody for None
    assert notifications.unread_count(session, zh) == 2 and notifications.unread_count(session, quiet) == 0
    assert [n.kind for n in notifications.inbox(session, zh)] == ["final.appeal_answered", "final.finalist_named"]
    en_row = next(r for r in rows if r.recipient_id == en.id)
    assert notifications.mark_read(session, zh, [en_row.id]) == 0  # someone else's: untouched
    assert notifications.unread_count(session, en) == 1
    assert notifications.mark_read(session, zh) == 2
    session.commit()
    assert notifications.unread_count(session, zh) == 0
    assert notifications.localized(PARAMS, "zh_CN")["final"] == "总决赛"


def test_without_smtp_nothing_is_queued(session: Session, settings: Settings) -> None:
    zh, _en, _quiet = _people(session)
    notifications.notify(session, [zh], "x", SUBJECT, params=PARAMS)
    session.commit()
    assert notifications.enqueue_mail(settings, notifications.taken_for_mail(session)) == []
    assert notifications.taken_for_mail(session) == []


def test_mail_goes_out_in_each_readers_language_through_the_worker(
    session: Session, settings: Settings, worker_env: Settings
) -> None:
    compile_catalogs(TRANSLATIONS_DIR)
    zh, en, quiet = _people(session)
    notifications.notify(
        session, [zh, en, quiet], "final.finalist_named", SUBJECT, params=PARAMS, link="/c/snow/final/me"
    )
    session.commit()
    with smtp_server() as mailbox:
        mailing = settings.with_overrides(smtp_url=mailbox.url, mail_from="arena@sponsor.example")
        ids = notifications.taken_for_mail(session)
        jobs = notifications.enqueue_mail(
            mailing, ids, localedir=str(TRANSLATIONS_DIR), base_url="https://arena.example/"
        )
        assert len(jobs) == 3
        run_worker(mailing, burst=True, simple=True)
        received = {m["To"]: m for m in mailbox.messages}
    assert set(received) == {"lin@tju.edu.cn", "ann@example.org"}  # nomail has no address
    assert received["lin@tju.edu.cn"]["Subject"] == "你的队伍 Snow Lions 入围决赛“总决赛”"
    assert received["ann@example.org"]["Subject"] == "Your team Snow Lions is a finalist of Grand final"
    assert "https://arena.example/c/snow/final/me" in received["ann@example.org"].get_content()
    assert received["ann@example.org"]["From"] == "arena@sponsor.example"
    session.expire_all()
    statuses = {n.recipient_id: n.mail_status for n in session.query(Notification)}
    assert statuses == {zh.id: "sent", en.id: "sent", quiet.id: "none"}


def test_a_refusing_server_is_retried_and_the_failure_recorded(
    session: Session, settings: Settings, worker_env: Settings
) -> None:
    _zh, en, _quiet = _people(session)
    notifications.notify(session, [en], "x", SUBJECT, params=PARAMS)
    session.commit()
    with smtp_server() as mailbox:
        mailbox.refuse = True
        mailing = settings.with_overrides(smtp_url=mailbox.url)
        notifications.enqueue_mail(mailing, notifications.taken_for_mail(session))
        run_worker(mailing, burst=True, simple=True)
        assert mailbox.messages == []
    session.expire_all()
    row = session.query(Notification).one()
    assert (row.mail_status, row.mail_attempts, row.read_at) == ("failed", 3, None)
    assert notifications.unread_count(session, en) == 1  # the inbox still has it


def test_a_bad_smtp_url_says_what_it_should_look_like() -> None:
    with pytest.raises(Exception, match="smtp://user:password@host:port"):
        notifications.smtp_target("mail.example.org:25")
    target = notifications.smtp_target("smtps://me%40x:p%3Ass@mail.example.org")
    assert (target.host, target.port, target.tls, target.username, target.password) == (
        "mail.example.org",
        465,
        True,
        "me@x",
        "p:ss",
    )
