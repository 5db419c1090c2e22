"""Challenge bundles: a folder or zip with challenge.yaml, validated and installed."""

from arena.challenges.bundles.install import ImportReport, import_bundle, validate_bundle
from arena.challenges.bundles.spec import ChallengeSpec, FileSpec, PhaseSpec, TrackSpec

__all__ = ["ChallengeSpec", "FileSpec", "ImportReport", "PhaseSpec", "TrackSpec", "import_bundle", "validate_bundle"]
