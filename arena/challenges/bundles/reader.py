"""Reading ``challenge.yaml`` into a ChallengeSpec, reporting every problem with its field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import scorers
from arena.challenges.bundles.fields import Problems
from arena.challenges.bundles.final import check_sealed_not_public, read_final
from arena.challenges.bundles.phasefields import SETTING_KEYS, read_phase_settings
from arena.challenges.bundles.references import REFERENCE_KEYS, read_references
from arena.challenges.bundles.spec import ChallengeSpec, FileSpec, PhaseSpec, TrackSpec
from arena.challenges.bundles.stages import read_advancement
from arena.challenges.bundles.targets import read_targets
from arena.enums import ResourceClass
from arena.errors import BundleError
from arena.storage import sha256_file
from sandbox import Limits

TOP_KEYS = {
    "format",
    "slug",
    "title",
    "summary",
    "text",
    "team_size_max",
    "build",
    "public_files",
    "tracks",
    "entry_deadline",
    "merge_deadline",
    "person_daily_quota",
    "final",
}
TRACK_KEYS = {
    "slug",
    "kind",
    "title",
    "scorer",
    "scorer_options",
    "direction",
    "id_column",
    "target_columns",
    "precision",
    "max_upload_mb",
    "runner",
    "phases",
    "scoring_program",
    *REFERENCE_KEYS,
    "targets",
}
PHASE_KEYS = {"slug", "title", "labels", "inputs", "advancement", *SETTING_KEYS, *REFERENCE_KEYS}
PROGRAM_SCORER = "program"
RUNSC_MIN_PIDS = 64
RUNNER_KEYS = {"image", "runtime", "limits", "resource_class"}
TEXT_PAGES = ("description", "rules", "data")
MAX_TEXT_BYTES = 256 * 1024


def load_yaml(bundle_dir: Path) -> dict[str, Any]:
    """Parse ``challenge.yaml``; a syntax error becomes a BundleError naming the line."""
    path = bundle_dir / "challenge.yaml"
    if not path.is_file():
        raise BundleError([("challenge.yaml", "the bundle has no challenge.yaml at its top level")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BundleError([("challenge.yaml", "must be UTF-8 text")]) from None
    except yaml.YAMLError as exc:
        raise BundleError([("challenge.yaml", f"is not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise BundleError([("challenge.yaml", "must be a mapping of keys to values")])
    return data


def read_spec(data: dict[str, Any], bundle_dir: Path, data_root: Path, bundle_sha256: str) -> ChallengeSpec:
    """Validate the parsed YAML against the files and return the spec, or raise BundleError with every problem."""
    p = Problems()
    p.unknown_keys(data, TOP_KEYS, "")
    if data.get("format") != 1:
        p.add("format", f"must be 1 (the only bundle format so far), got {data.get('format')!r}")
    spec_kwargs: dict[str, Any] = {
        "slug": p.slug(data, "slug", ""),
        "title": p.translated(data, "title", ""),
        "summary": p.translated(data, "summary", "", required=False),
        "text": _read_text(p, data, bundle_dir),
        "team_size_max": p.integer(data, "team_size_max", "", low=1, high=100, default=1) or 1,
        "entry_deadline": p.timestamp(data, "entry_deadline", "", required=False),
        "merge_deadline": p.timestamp(data, "merge_deadline", "", required=False),
        "person_daily_quota": p.integer(data, "person_daily_quota", "", low=1, high=100_000, default=None),
    }
    files = _read_files(p, data, data_root)
    tracks = _read_tracks(p, data, data_root, bundle_dir)
    _check_secrets_not_public(p, files, tracks)
    final = read_final(p, data, tracks, data_root)
    check_sealed_not_public(p, files, final)
    if p:
        raise BundleError(p.items)
    return ChallengeSpec(public_files=files, tracks=tracks, bundle_sha256=bundle_sha256, final=final, **spec_kwargs)


def _read_text(p: Problems, data: dict[str, Any], bundle_dir: Path) -> dict[str, dict[str, str]]:
    text = p.mapping(data.get("text", {}), "text")
    p.unknown_keys(text, set(TEXT_PAGES), "text")
    pages: dict[str, dict[str, str]] = {}
    for page in TEXT_PAGES:
        if page not in text:
            if page != "data":
                p.add(f"text.{page}", "is required, with an 'en' and a 'zh' markdown file")
            continue
        langs = p.mapping(text[page], f"text.{page}")
        pages[page] = {}
        for lang in ("en", "zh"):
            path = p.relative_path(langs, lang, f"text.{page}", bundle_dir)
            if path is None:
                continue
            if path.stat().st_size > MAX_TEXT_BYTES:
                p.add(f"text.{page}.{lang}", f"is larger than {MAX_TEXT_BYTES // 1024} KB")
                continue
            try:
                pages[page][lang] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                p.add(f"text.{page}.{lang}", "must be UTF-8 text")
    return pages


def _read_files(p: Problems, data: dict[str, Any], data_root: Path) -> list[FileSpec]:
    raw = data.get("public_files", [])
    if not isinstance(raw, list):
        p.add("public_files", "must be a list of {path, title, available_from}")
        return []
    files: list[FileSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"public_files[{index}]"
        item = p.mapping(item, where)
        p.unknown_keys(item, {"path", "title", "available_from"}, where)
        path = p.relative_path(item, "path", where, data_root)
        if path is None:
            continue
        rel = path.relative_to(data_root).as_posix()
        if rel in seen:
            p.add(f"{where}.path", f"{rel!r} is listed twice")
        seen.add(rel)
        files.append(
            FileSpec(
                path=rel,
                source=path,
                title=p.translated(item, "title", where, required=False),
                available_from=p.timestamp(item, "available_from", where, required=False),
            )
        )
    if not any(Path(f.path).name == "sample_submission.csv" for f in files):
        p.add("public_files", "must include a sample_submission.csv showing participants the expected format")
    return files


def _read_tracks(p: Problems, data: dict[str, Any], data_root: Path, bundle_dir: Path) -> list[TrackSpec]:
    raw = data.get("tracks")
    if not isinstance(raw, list) or not raw:
        p.add("tracks", "must be a non-empty list of tracks")
        return []
    tracks: list[TrackSpec] = []
    slugs: set[str] = set()
    for index, item in enumerate(raw):
        where = f"tracks[{index}]"
        track = _read_track(p, p.mapping(item, where), where, data_root, bundle_dir)
        if track is None:
            continue
        if track.slug in slugs:
            p.add(f"{where}.slug", f"{track.slug!r} is used by another track")
        slugs.add(track.slug)
        tracks.append(track)
    return tracks


def _read_track(p: Problems, item: dict[str, Any], where: str, data_root: Path, bundle_dir: Path) -> TrackSpec | None:
    p.unknown_keys(item, TRACK_KEYS, where)
    kind = read_kind(p, item, where)
    scorer_name, options, direction = read_scoring(p, item, where)
    program = _read_program(p, item, where, bundle_dir, scorer_name)
    targets = read_target_columns(p, item, where)
    runner = _read_runner(p, item, where, kind)
    id_column = p.string(item, "id_column", where)
    phases = _read_phases(p, item, where, data_root, kind, id_column, targets)
    phases = read_references(p, item, item.get("phases"), phases, where, (data_root, bundle_dir), kind)
    max_mb = p.integer(item, "max_upload_mb", where, low=1, high=4096, default=20) or 20
    declared: dict[str, Any] = {}
    if id_column and targets and not p:
        keys = [phase.labels for phase in phases]
        declared = read_targets(p, item, where, data_root, id_column=id_column, target_columns=targets, keys=keys)
    return TrackSpec(
        slug=p.slug(item, "slug", where),
        kind=str(kind),
        title=p.translated(item, "title", where),
        scorer=scorer_name,
        scorer_options=dict(options),
        direction=str(direction),
        id_column=id_column,
        target_columns=list(targets),
        targets=declared,
        precision=p.integer(item, "precision", where, low=0, high=12, default=4) or 0,
        max_upload_bytes=max_mb * 1024 * 1024,
        runner=runner,
        phases=phases,
        scoring_program=program,
    )


def read_kind(p: Problems, item: dict[str, Any], where: str) -> Any:
    """Check a track entry's kind: 'result' (the default) or 'code'."""
    kind = item.get("kind", "result")
    if kind not in ("result", "code"):
        p.add(f"{where}.kind", f"must be 'result' or 'code', got {kind!r}")
    return kind


def read_scoring(p: Problems, item: dict[str, Any], where: str) -> tuple[str, dict[str, Any], str]:
    """Check a track entry's scorer, its options and the direction (the scorer's own unless given)."""
    scorer_name = p.string(item, "scorer", where)
    options = item.get("scorer_options") or {}
    if not isinstance(options, dict):
        p.add(f"{where}.scorer_options", "must be a mapping")
        options = {}
    default_direction = "max"
    if scorer_name == PROGRAM_SCORER:
        if "direction" not in item:
            p.add(f"{where}.direction", "is required with a scoring program: say whether 'max' or 'min' wins")
    elif scorer_name:
        try:
            scorer = scorers.get_scorer(scorer_name, options)
            default_direction = "max" if scorer.higher_is_better else "min"
        except scorers.ScorerConfigError as exc:
            p.add(f"{where}.scorer", exc.message)
    direction = item.get("direction", default_direction)
    if direction not in ("max", "min"):
        p.add(f"{where}.direction", f"must be 'max' or 'min', got {direction!r}")
    return scorer_name, options, str(direction)


def read_target_columns(p: Problems, item: dict[str, Any], where: str) -> list[str]:
    """Check a track entry's ``target_columns``: a non-empty list of column names."""
    targets = item.get("target_columns")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) and t for t in targets):
        p.add(f"{where}.target_columns", "must be a non-empty list of column names")
        return []
    return list(targets)


def _read_program(p: Problems, item: dict[str, Any], where: str, bundle_dir: Path, scorer: str) -> Path | None:
    if scorer != PROGRAM_SCORER:
        if "scoring_program" in item:
            p.add(f"{where}.scoring_program", f"needs 'scorer: {PROGRAM_SCORER}'")
        return None
    program = p.relative_path(item, "scoring_program", where, bundle_dir, kind="dir")
    if program is not None and not any((program / name).is_file() for name in ("main.py", "arena.yaml", "arena.json")):
        p.add(f"{where}.scoring_program", "the folder must hold main.py or an arena.yaml manifest with a command")
    return program


def _read_runner(p: Problems, item: dict[str, Any], where: str, kind: Any) -> dict[str, Any]:
    if kind != "code":
        if "runner" in item:
            p.add(f"{where}.runner", "is only for tracks of kind 'code'")
        return {}
    runner = p.mapping(item.get("runner", {}), f"{where}.runner")
    p.unknown_keys(runner, RUNNER_KEYS, f"{where}.runner")
    classes = [c.value for c in ResourceClass]
    if runner.get("resource_class") not in (None, *classes):
        p.add(f"{where}.runner.resource_class", f"must be one of {', '.join(classes)}")
    if runner.get("runtime") not in (None, "runc", "runsc"):
        p.add(f"{where}.runner.runtime", "must be 'runc' or 'runsc' (gVisor)")
    limits = runner.get("limits") or {}
    if not isinstance(limits, dict):
        p.add(f"{where}.runner.limits", "must be a mapping")
        limits = {}
    try:
        unknown = set(limits) - set(Limits.__dataclass_fields__)
        if unknown:
            p.add(f"{where}.runner.limits", f"unknown limits: {', '.join(sorted(unknown))}")
        checked = Limits.from_dict(limits)
        if runner.get("runtime") == "runsc" and checked.pids < RUNSC_MIN_PIDS:
            # gVisor counts its own threads against the container's process limit.
            p.add(f"{where}.runner.limits.pids", f"must be at least {RUNSC_MIN_PIDS} with runtime runsc")
    except (TypeError, ValueError) as exc:
        p.add(f"{where}.runner.limits", str(exc))
    declared = {"image": runner.get("image") or "", "runtime": runner.get("runtime") or "", "limits": dict(limits)}
    if runner.get("resource_class"):
        declared["resource_class"] = runner["resource_class"]
    return declared


def _read_phases(
    p: Problems, item: dict[str, Any], where: str, data_root: Path, kind: Any, id_column: str, targets: list[str]
) -> list[PhaseSpec]:
    raw = item.get("phases")
    if not isinstance(raw, list) or not raw:
        p.add(f"{where}.phases", "must be a non-empty list of phases")
        return []
    phases: list[PhaseSpec] = []
    slugs: set[str] = set()
    for index, entry in enumerate(raw):
        at = f"{where}.phases[{index}]"
        entry = p.mapping(entry, at)
        p.unknown_keys(entry, PHASE_KEYS, at)
        slug = p.slug(entry, "slug", at)
        if slug in slugs:
            p.add(f"{at}.slug", f"{slug!r} is used by another phase of this track")
        slugs.add(slug)
        settings = read_phase_settings(p, entry, at)
        labels = p.relative_path(entry, "labels", at, data_root)
        if labels is not None and id_column and targets:
            _check_labels(p, labels, f"{at}.labels", id_column, targets)
        inputs = None
        if kind == "code":
            inputs = p.relative_path(entry, "inputs", at, data_root, kind="dir")
        elif "inputs" in entry:
            p.add(f"{at}.inputs", "is only for tracks of kind 'code'")
        title = p.translated(entry, "title", at)
        advancement = read_advancement(p, entry, at, [s for s in slugs if s != slug])
        if settings is None or labels is None:
            continue
        phases.append(
            PhaseSpec(
                slug=slug,
                title=title,
                opens=settings.opens,
                closes=settings.closes,
                daily_quota=settings.daily_quota,
                total_quota=settings.total_quota,
                public_fraction=settings.public_fraction,
                labels=labels,
                inputs=inputs,
                hide_logs=settings.hide_logs,
                concurrent_quota=settings.concurrent_quota,
                split_seed=settings.split_seed,
                count_participant_failures=settings.count_participant_failures,
                advancement=advancement,
                freeze_at=settings.freeze_at,
                final_selection_max=settings.final_selection_max,
                use_ladder=settings.use_ladder,
            )
        )
    return phases


def _check_labels(p: Problems, labels: Path, where: str, id_column: str, targets: list[str]) -> None:
    try:
        key = scorers.read_key(labels.read_bytes(), id_column=id_column, target_columns=targets)
    except scorers.ScorerConfigError as exc:
        p.add(where, exc.message)
        return
    if len(key) < 2:
        p.add(where, "must hold at least two rows so that it can be split into public and private parts")


def _check_secrets_not_public(p: Problems, files: list[FileSpec], tracks: list[TrackSpec]) -> None:
    hidden: dict[Path, str] = {}
    for t_index, track in enumerate(tracks):
        for ph_index, phase in enumerate(track.phases):
            hidden[phase.labels.resolve()] = f"tracks[{t_index}].phases[{ph_index}].labels"
            if phase.inputs is not None:
                hidden[phase.inputs.resolve()] = f"tracks[{t_index}].phases[{ph_index}].inputs"
    hidden_hashes = {sha256_file(path) for path in hidden if path.is_file()}
    for index, spec in enumerate(files):
        source = spec.source.resolve()
        where = f"public_files[{index}].path"
        for secret, field in hidden.items():
            if source == secret or source.is_relative_to(secret):
                p.add(where, f"{spec.path!r} is hidden data ({field}); it can never be public")
        if sha256_file(source) in hidden_hashes:
            p.add(where, f"{spec.path!r} has the same content as a hidden key")
