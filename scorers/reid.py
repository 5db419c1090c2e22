"""Re-identification scorer: ranked gallery lists scored with CMC and mAP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from scorers.base import BaseScorer, truth_column
from scorers.errors import PredictionFileError, ScorerConfigError
from scorers.options import Options
from scorers.result import ScoreResult
from scorers.retrieval import CHUNK_BYTES, RetrievalStats, retrieval_stats
from scorers.table import check_bytes, parse_csv, shown, shown_list
from scorers.targets import RANKED, Target
from scorers.validation import ColumnSpec, ValueKind, list_items, list_lengths, read_prediction_table

PRIMARY_CHOICES = ("mAP", "cmc@1", "cmc@5", "cmc@10")


def _gallery_frame(value: object, id_column: str) -> pd.DataFrame:
    """Turn the ``gallery`` option (CSV bytes/text, DataFrame or mapping of columns) into a frame."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes):
        data = check_bytes(value, what="gallery table", error=ScorerConfigError)
        header, table = parse_csv(data, what="gallery table", error=ScorerConfigError)
        table.columns = pd.Index(header)
        return table
    if isinstance(value, pd.DataFrame):
        return value.reset_index() if id_column not in value.columns else value
    if isinstance(value, Mapping):
        return pd.DataFrame(dict(value))
    raise ScorerConfigError(
        "Scorer 'reid_cmc_map' needs option 'gallery': CSV text with columns for gallery id, identity and station."
    )


class ReidScorer(BaseScorer):
    """CMC@1/5/10 and mAP for ranked gallery lists, one list per query image."""

    name = "reid_cmc_map"

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        gallery_id = options.text("gallery_id_column", "gallery_id")
        self.identity_column = options.text("identity_column", "identity")
        self.station_column = options.text("station_column", "station")
        self.ranking_column = options.text("ranking_column", "ranking")
        self.max_rank = options.integer("max_rank", 50, 10, 1000)
        self.primary_metric = options.text("primary", "mAP")
        if self.primary_metric not in PRIMARY_CHOICES:
            raise ScorerConfigError(f"Option 'primary' of 'reid_cmc_map' must be one of {', '.join(PRIMARY_CHOICES)}.")
        frame = _gallery_frame(options.value("gallery"), gallery_id)
        needed = [gallery_id, self.identity_column, self.station_column]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ScorerConfigError(f"The gallery table lacks column(s) {shown_list(missing)}.")
        ids = frame[gallery_id].astype(str).str.strip()
        self.gallery_index = pd.Index(ids.astype("str"))
        if len(self.gallery_index) == 0 or not self.gallery_index.is_unique:
            raise ScorerConfigError("The gallery table must list each gallery id exactly once.")
        self.gallery_identity = frame[self.identity_column].astype(str).str.strip().to_numpy(dtype=object)
        self.gallery_station = frame[self.station_column].astype(str).str.strip().to_numpy(dtype=object)

    def read_predictions(
        self,
        data: bytes,
        key: pd.DataFrame,
        *,
        id_column: str,
        target_columns: Sequence[str],
        max_bytes: int,
    ) -> pd.DataFrame:
        """Validate a CSV of query ids and whitespace-separated gallery ids, best match first."""
        spec = ColumnSpec(self.ranking_column, ValueKind.RANKED, max_items=len(self.gallery_index))
        frame = read_prediction_table(data, key, id_column=id_column, columns=[spec], max_bytes=max_bytes)
        lists = frame[self.ranking_column]
        lengths = list_lengths(lists)
        codes = self.gallery_index.get_indexer(pd.Index(list_items(lists).astype("str")))
        rows = np.repeat(np.arange(len(frame)), lengths)
        unknown = np.flatnonzero(codes < 0)
        if unknown.size:
            items = list_items(lists)
            names = list(dict.fromkeys(str(items.iloc[i]) for i in unknown[:50]))
            raise PredictionFileError(
                "Row for query %(query)s lists unknown gallery id(s) %(ids)s; use ids from the gallery list.",
                code="unknown_items",
                query=shown(frame.index[rows[unknown[0]]]),
                ids=shown_list(names),
            )
        pair = rows.astype(np.int64) * len(self.gallery_index) + codes
        order = np.sort(pair)
        repeated = order[1:][order[1:] == order[:-1]]
        if repeated.size:
            row = int(repeated[0] // len(self.gallery_index))
            raise PredictionFileError(
                "The ranking for query %(query)s lists gallery id %(gallery_id)s more than once.",
                code="repeated_items",
                query=shown(frame.index[row]),
                gallery_id=shown(self.gallery_index[int(repeated[0] % len(self.gallery_index))]),
            )
        return frame

    def prediction_targets(self, target_columns: Sequence[str]) -> dict[str, Target]:
        """A ranked list of gallery ids per query (the scorer refuses ids not in its gallery itself)."""
        return {self.ranking_column: Target(RANKED, max_items=len(self.gallery_index))}

    def stats(self, key: pd.DataFrame, predictions: pd.DataFrame) -> RetrievalStats:
        """Per-query first-match ranks and APs; unlisted gallery items tie after the listed ones."""
        query_identity = truth_column(key, self.identity_column, self.name).astype(str).to_numpy(dtype=object)
        query_station = truth_column(key, self.station_column, self.name).astype(str).to_numpy(dtype=object)
        lists = predictions[self.ranking_column]
        lengths = list_lengths(lists)
        codes = self.gallery_index.get_indexer(pd.Index(list_items(lists).astype("str")))
        starts = np.cumsum(lengths) - lengths
        n_gallery = len(self.gallery_index)
        step = max(1, CHUNK_BYTES // (n_gallery * 8))
        first_rank, ap = np.zeros(len(key), dtype=np.int64), np.full(len(key), np.nan)
        for lo in range(0, len(key), step):
            hi = min(lo + step, len(key))
            # Integer positions are ranked exactly (a float32 position would tie with its neighbour from 2**23).
            block = np.repeat(lengths[lo:hi, None].astype(np.int32), n_gallery, axis=1)
            rows = np.repeat(np.arange(hi - lo), lengths[lo:hi])
            sl = slice(starts[lo], starts[hi - 1] + lengths[hi - 1])
            block[rows, codes[sl]] = np.arange(sl.stop - sl.start) - np.repeat(
                starts[lo:hi] - starts[lo], lengths[lo:hi]
            )
            part = retrieval_stats(
                block, query_identity[lo:hi], self.gallery_identity, query_station[lo:hi], self.gallery_station
            )
            first_rank[lo:hi], ap[lo:hi] = part.first_rank, part.ap
        return RetrievalStats(first_rank=first_rank, ap=ap)

    def score(self, key: pd.DataFrame, predictions: pd.DataFrame) -> ScoreResult:
        """Score rankings; queries with no valid gallery match are left out of every mean."""
        stats = self.stats(key, predictions)
        valid = stats.valid
        if not valid.any():
            raise ScorerConfigError("No query in this split has a matching gallery item from another station.")
        cmc = stats.cmc(self.max_rank)
        metrics = {"mAP": stats.mean_ap(), "cmc@1": float(cmc[0]), "cmc@5": float(cmc[4]), "cmc@10": float(cmc[9])}
        metrics["valid_queries"] = float(valid.sum())
        return ScoreResult(
            primary=metrics[self.primary_metric],
            metrics=metrics,
            per_case=tuple(stats.ap[valid].tolist()),
            clusters=self.clusters(key, valid),
        )
