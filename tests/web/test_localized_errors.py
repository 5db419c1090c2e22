"""Domain errors reach pages in the viewer's language, while the API keeps the message's own words."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from arena.enums import RequestStatus, SubmissionStatus, TeamStatus
from arena.errors import Conflict, Forbidden, QuotaExceeded
from web.i18n import localized


def test_templates_are_translated_with_their_parameters(app: Flask) -> None:
    error = Conflict("the team is full (at most %(size)s members)", params={"size": 3})
    assert error.message == "the team is full (at most 3 members)"
    with app.test_request_context("/?lang=zh_CN"):
        assert localized(error) == "队伍已满（最多 3 人）"
    with app.test_request_context("/?lang=en"):
        assert localized(error) == error.message


def test_untranslated_messages_fall_back_to_english(app: Flask) -> None:
    error = QuotaExceeded("something new %(n)s", retry_at=None, params={"n": 1})
    with app.test_request_context("/?lang=zh_CN"):
        assert localized(error) == "something new 1"


def test_status_words_inside_messages_are_translated(app: Flask) -> None:
    error = Forbidden("your team cannot submit: it is %(status)s", params={"status": str(TeamStatus.DISQUALIFIED)})
    with app.test_request_context("/?lang=zh_CN"):
        assert localized(error) == "你的队伍不能提交：其状态为 已取消资格"
    with app.test_request_context("/?lang=en"):
        assert localized(error) == "your team cannot submit: it is disqualified"


def test_every_status_word_has_a_translation(app: Flask) -> None:
    with app.test_request_context("/?lang=zh_CN"):
        for kind in (TeamStatus, RequestStatus, SubmissionStatus):
            for member in kind:
                assert str(gettext(str(member))) != str(member), member
