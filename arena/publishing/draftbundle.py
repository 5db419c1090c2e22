"""A creation form as a bundle: its fields, the ``challenge.yaml`` they stand for and the folder written from it.

``FORM_FIELDS`` maps each bundle field to the form input where it is typed, so the importer's problems are shown
under the right input. A result track names its sample submission and baseline (predictions files) on the
track; a code track names its sample and baseline programs (zip or tar.gz archives) on its phase, and its
hidden inputs archive is unpacked, with the checks a zipped bundle gets, into the folder the phase mounts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

import scorers
from arena.challenges import MAX_BUNDLE_BYTES, MAX_BUNDLE_FILES
from arena.enums import ResourceClass
from arena.submissions import check_code_archive
from sandbox import Limits
from sandbox.archives import ArchiveError, detect_format, extract_archive

PHASE = "tracks[0].phases[0]"
LABELS_FIELD = f"{PHASE}.labels"
SAMPLE_PATH = "public/sample_submission.csv"
BASELINE_PATH = "baseline/predictions.csv"
INPUTS_PATH = "hidden/inputs"
INPUTS_FIELD = f"{PHASE}.inputs"
PROGRAMS = {"sample_program": f"{PHASE}.sample_submission", "baseline_program": f"{PHASE}.baseline"}
# The runner limits the form offers, with the sandbox's defaults (the importer's when a bundle names none).
LIMIT_NAMES = ("wall_seconds", "memory_mb", "cpus", "pids", "output_mb")
LIMIT_DEFAULTS = {name: f"{getattr(Limits(), name):g}" for name in LIMIT_NAMES}
RESOURCE_CLASS_FIELD = "tracks[0].runner.resource_class"
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
    "tracks[0].kind": "kind",
    "tracks[0].runner": "resource_class",
    RESOURCE_CLASS_FIELD: "resource_class",
    "tracks[0].runner.limits": "wall_seconds",
    **{f"tracks[0].runner.limits.{name}": name for name in LIMIT_NAMES},
    INPUTS_FIELD: "inputs",
    **{field: name for name, field in PROGRAMS.items()},
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
    kind: str = "result"
    resource_class: str = "cpu"
    wall_seconds: Any = LIMIT_DEFAULTS["wall_seconds"]
    memory_mb: Any = LIMIT_DEFAULTS["memory_mb"]
    cpus: Any = LIMIT_DEFAULTS["cpus"]
    pids: Any = LIMIT_DEFAULTS["pids"]
    output_mb: Any = LIMIT_DEFAULTS["output_mb"]
    zone: str = "UTC"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], zone: str = "UTC") -> DraftForm:
        """Read the fields from a form or a JSON object, ignoring anything else."""
        known = set(cls.__dataclass_fields__) - {"zone"}
        values = {name: data[name] for name in known if data.get(name) is not None}
        return cls(**values, zone=zone)


@dataclass(frozen=True)
class DraftFiles:
    """The uploaded files of the creation form (None: not uploaded).

    ``inputs`` (a code track's hidden inputs) and the programs are zip or tar.gz archives.
    """

    labels: bytes | None = None
    sample: bytes | None = None
    baseline: bytes | None = None
    inputs: bytes | None = None
    sample_program: bytes | None = None
    baseline_program: bytes | None = None


def scorer_choices() -> list[str]:
    """The built-in scorers a form may offer (a scoring program needs a bundle)."""
    return scorers.scorer_names()


def resource_classes() -> list[str]:
    """The resource classes a code track's runs may need (``runner.resource_class``)."""
    return [c.value for c in ResourceClass]


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


def _limit(value: Any) -> Any:
    """A typed limit as a number (whole numbers as int), text that is no number as typed, blank as None."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = float(value.strip())
        except ValueError:
            return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _runner(form: DraftForm) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The code track's runner section; a limit the sandbox refuses is named under its own field and left out."""
    limits: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in LIMIT_NAMES:
        value = _limit(getattr(form, name))
        if value is None:
            continue
        try:
            Limits.from_dict({name: value})
        except (TypeError, ValueError) as exc:
            problems.append((f"tracks[0].runner.limits.{name}", str(exc)))
            continue
        limits[name] = value
    runner: dict[str, Any] = {"limits": limits}
    if _text(form.resource_class):
        runner["resource_class"] = _text(form.resource_class)
    return runner, problems


def _columns(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def bundle_data(form: DraftForm, files: DraftFiles) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The ``challenge.yaml`` the form stands for, and the problems found before the reader (options' YAML,
    runner limits, programs given to a result track)."""
    options, problems = _options(form)
    kind = _text(form.kind) or "result"
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
    if files.inputs is not None:
        phase["inputs"] = INPUTS_PATH
    for name, field in PROGRAMS.items():
        if getattr(files, name) is None:
            continue
        if kind == "code":
            phase[field.rsplit(".", 1)[1]] = _program_path(name, getattr(files, name))
        else:
            problems.append((field, "is a program, for tracks of kind 'code'; a result track's is a predictions CSV"))
    track: dict[str, Any] = {
        "slug": _text(form.track_slug),
        "kind": kind,
        "title": {"en": _text(form.track_title_en), "zh": _text(form.track_title_zh)},
        "scorer": _text(form.scorer),
        "scorer_options": options,
        "id_column": _text(form.id_column),
        "target_columns": _columns(form.target_columns),
        "phases": [phase],
    }
    if kind == "code":
        track["runner"], limit_problems = _runner(form)
        problems += limit_problems
    if files.sample is not None and kind != "code":
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


def _program_path(name: str, content: bytes) -> str:
    """Where a program archive is written in the bundle, named by its format (the importer reads the suffix)."""
    kind = _format_of(content)
    suffix = {"zip": ".zip", "tar.gz": ".tar.gz"}.get(kind or "", ".archive")
    return f"programs/{name.removesuffix('_program')}{suffix}"


def _format_of(content: bytes) -> str | None:
    """'zip', 'tar.gz' or 'tar' judged by the archive's first bytes (as the sandbox judges them), or None."""
    with tempfile.TemporaryDirectory(prefix="arena-format-") as scratch:
        path = Path(scratch) / "upload"
        path.write_bytes(content[:1024])
        return detect_format(path)


def _unpack_inputs(root: Path, content: bytes, scratch: Path) -> list[tuple[str, str]]:
    archive = scratch / "inputs-upload"
    archive.write_bytes(content)
    try:
        extract_archive(
            archive,
            root / INPUTS_PATH,
            max_files=MAX_BUNDLE_FILES,
            max_total_bytes=MAX_BUNDLE_BYTES,
            max_file_bytes=MAX_BUNDLE_BYTES,
        )
    except ArchiveError as exc:
        return [(INPUTS_FIELD, exc.message)]
    return []


def _check_program(root: Path, rel: str, field: str, scratch: Path) -> list[tuple[str, str]]:
    """The checks a run makes of a code archive (format, safe paths, caps, main.py or a manifest)."""
    if not rel.endswith((".zip", ".tar.gz")):
        return [(field, "must be a .zip or .tar.gz archive of the program, with main.py or an arena.yaml manifest")]
    try:
        check_code_archive(root / rel, scratch)
    except ArchiveError as exc:
        return [(field, exc.message)]
    return []


def write_draft(root: Path, data: dict[str, Any], files: DraftFiles) -> list[tuple[str, str]]:
    """Write the bundle folder: challenge.yaml, placeholder pages and the uploaded files.

    Returns the problems of the uploaded archives (hidden inputs that cannot be unpacked, programs a run
    would refuse); the folder is then written without what they would have given.
    """
    (root / "pages").mkdir(parents=True)
    for page, langs in TEXTS.items():
        for lang, text in langs.items():
            (root / "pages" / f"{page}.{lang}.md").write_text(text + "\n", encoding="utf-8")
    for rel, content in (("hidden/labels.csv", files.labels), (SAMPLE_PATH, files.sample),
                         (BASELINE_PATH, files.baseline)):  # fmt: skip
        if content is not None:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(content)
    problems: list[tuple[str, str]] = []
    phase = data["tracks"][0]["phases"][0]
    with tempfile.TemporaryDirectory(prefix="arena-draft-files-") as folder:
        scratch = Path(folder)
        if files.inputs is not None and phase.get("inputs") == INPUTS_PATH:
            problems += _unpack_inputs(root, files.inputs, scratch)
        for name, field in PROGRAMS.items():
            key, content = field.rsplit(".", 1)[1], getattr(files, name)
            rel = phase.get(key)
            if content is None or not isinstance(rel, str):
                continue
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(content)
            problems += _check_program(root, rel, field, scratch)
    (root / "challenge.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return problems
