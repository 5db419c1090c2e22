"""A creation form as a bundle: its fields, the ``challenge.yaml`` they stand for and the folder written from it.

``FORM_FIELDS`` maps each bundle field to the form input where it is typed, so the importer's problems are shown
under the right input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

import scorers

PHASE = "tracks[0].phases[0]"
LABELS_FIELD = f"{PHASE}.labels"
SAMPLE_PATH = "public/sample_submission.csv"
BASELINE_PATH = "baseline/predictions.csv"
# Where each bundle field is typed in the form (problems of other fields are shown above the form).
FORM_FIELDS = {
    "slug": "slug",
    "title.en": "title_en",
    "title.zh": "title_zh",
    "title": "title_en",
    "tracks[0].slug": "track_slug",
    "tracks[0].title.en": "track_title_en",
    "tracks[0].title.zh": "track_title_zh",
    "tracks[0].title": "track_title_en",
    "tracks[0].scorer": "scorer",
    "tracks[0].scorer_options": "scorer_options",
    "tracks[0].targets": "scorer_options",
    "tracks[0].id_column": "id_column",
    "tracks[0].target_columns": "target_columns",
    f"{PHASE}.slug": "phase_slug",
    f"{PHASE}.title.en": "phase_title_en",
    f"{PHASE}.title.zh": "phase_title_zh",
    f"{PHASE}.title": "phase_title_en",
    f"{PHASE}.opens": "opens",
    f"{PHASE}.closes": "closes",
    f"{PHASE}.daily_quota": "daily_quota",
    f"{PHASE}.public_fraction": "public_fraction",
    LABELS_FIELD: "labels",
    "public_files": "sample",
    "tracks[0].sample_submission": "sample",
    "tracks[0].baseline": "baseline",
}
TEXTS = {
    "description": {
        "en": "The organizers are writing this challenge's description.",
        "zh": "主办方正在撰写本赛题的说明。",
    },
    "rules": {
        "en": "The organizers publish the rules before the challenge opens.",
        "zh": "主办方将在赛题开放前公布规则。",
    },
}


@dataclass(frozen=True)
class DraftForm:
    """What the creation form (or the API) gives: texts as typed, times without a zone read in ``zone``."""

    slug: str = ""
    title_en: str = ""
    title_zh: str = ""
    track_slug: str = ""
    track_title_en: str = ""
    track_title_zh: str = ""
    scorer: str = ""
    scorer_options: Any = ""
    id_column: str = "id"
    target_columns: Any = "label"
    phase_slug: str = ""
    phase_title_en: str = ""
    phase_title_zh: str = ""
    opens: str = ""
    closes: str = ""
    daily_quota: Any = "5"
    public_fraction: Any = "0.3"
    zone: str = "UTC"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], zone: str = "UTC") -> DraftForm:
        """Read the fields from a form or a JSON object, ignoring anything else."""
        known = set(cls.__dataclass_fields__) - {"zone"}
        values = {name: data[name] for name in known if data.get(name) is not None}
        return cls(**values, zone=zone)


@dataclass(frozen=True)
class DraftFiles:
    """The uploaded files of the creation form (None: not uploaded)."""

    labels: bytes | None = None
    sample: bytes | None = None
    baseline: bytes | None = None


def scorer_choices() -> list[str]:
    """The built-in scorers a form may offer (a scoring program needs a bundle)."""
    return scorers.scorer_names()


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any, kind: type) -> Any:
    """A typed number as the form gave it; text that is no number is passed on for the reader to name."""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    try:
        return kind(value.strip())
    except ValueError:
        return value.strip()


def _moment(value: Any, zone: str) -> Any:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value.strip()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.isoformat()


def _options(form: DraftForm) -> tuple[Any, list[tuple[str, str]]]:
    raw = form.scorer_options
    if not isinstance(raw, str):
        return raw if raw is not None else {}, []
    if not raw.strip():
        return {}, []
    try:
        return yaml.safe_load(raw), []
    except yaml.YAMLError as exc:
        return {}, [("tracks[0].scorer_options", f"is not valid YAML: {exc}")]


def _columns(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def bundle_data(form: DraftForm, files: DraftFiles) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The ``challenge.yaml`` the form stands for, and the problems found before the reader (options' YAML)."""
    options, problems = _options(form)
    phase: dict[str, Any] = {
        "slug": _text(form.phase_slug),
        "title": {"en": _text(form.phase_title_en), "zh": _text(form.phase_title_zh)},
        "opens": _moment(form.opens, form.zone),
        "closes": _moment(form.closes, form.zone),
        "daily_quota": _number(form.daily_quota, int),
        "public_fraction": _number(form.public_fraction, float),
    }
    if files.labels is not None:
        phase["labels"] = "hidden/labels.csv"
    track: dict[str, Any] = {
        "slug": _text(form.track_slug),
        "kind": "result",
        "title": {"en": _text(form.track_title_en), "zh": _text(form.track_title_zh)},
        "scorer": _text(form.scorer),
        "scorer_options": options,
        "id_column": _text(form.id_column),
        "target_columns": _columns(form.target_columns),
        "phases": [phase],
    }
    if files.sample is not None:
        track["sample_submission"] = SAMPLE_PATH
    if files.baseline is not None:
        track["baseline"] = BASELINE_PATH
    data: dict[str, Any] = {
        "format": 1,
        "slug": _text(form.slug),
        "title": {"en": _text(form.title_en), "zh": _text(form.title_zh)},
        "text": {page: {lang: f"pages/{page}.{lang}.md" for lang in ("en", "zh")} for page in TEXTS},
        "public_files": [{"path": SAMPLE_PATH}] if files.sample is not None else [],
        "tracks": [track],
    }
    return data, problems


def write_draft(root: Path, data: dict[str, Any], files: DraftFiles) -> None:
    """Write the bundle folder: challenge.yaml, placeholder pages and the uploaded files."""
    (root / "pages").mkdir(parents=True)
    for page, langs in TEXTS.items():
        for lang, text in langs.items():
            (root / "pages" / f"{page}.{lang}.md").write_text(text + "\n", encoding="utf-8")
    for rel, content in (("hidden/labels.csv", files.labels), (SAMPLE_PATH, files.sample),
                         (BASELINE_PATH, files.baseline)):  # fmt: skip
        if content is not None:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(content)
    (root / "challenge.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
