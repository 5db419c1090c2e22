"""Validating a participant's predictions file against the key, for every kind of value."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorers.errors import BadRow, PredictionFileError
from scorers.table import check_bytes, clipped, parse_csv, shown, shown_list

WHAT = "predictions file"
MAX_BAD_ROWS = 5


class ValueKind(enum.Enum):
    """What a predictions column must hold."""

    LABEL = "label"
    NUMBER = "number"
    PROBABILITY = "probability"
    RANKED = "ranked"


@dataclass(frozen=True)
class ColumnSpec:
    """One expected predictions column; ``max_items`` bounds the length of a ranked list."""

    name: str
    kind: ValueKind
    max_items: int | None = None


def expected_header(id_column: str, columns: Sequence[ColumnSpec]) -> str:
    """Return the header line a predictions file must have."""
    return ",".join([id_column, *(spec.name for spec in columns)])


def read_prediction_table(
    data: bytes,
    key: pd.DataFrame,
    *,
    id_column: str,
    columns: Sequence[ColumnSpec],
    max_bytes: int,
) -> pd.DataFrame:
    """Validate a predictions CSV and return its columns indexed by id, in key order."""
    data = check_bytes(data, what=WHAT, error=PredictionFileError, max_bytes=max_bytes)
    header, table = parse_csv(data, what=WHAT, error=PredictionFileError)
    positions = _check_header(header, id_column, columns)
    key_index = pd.Index(key.index.astype("str"))
    if len(table) == 0:
        raise PredictionFileError(
            "The predictions file has a header but no rows; it needs one row for each of the %(count)s ids.",
            code="no_rows",
            count=f"{len(key_index):,}",
        )
    ids = table[positions[id_column]].str.strip()
    row_ids = pd.Index(ids.astype("str"))
    empty = np.flatnonzero((ids == "").to_numpy(dtype=bool))
    if empty.size:
        raise PredictionFileError(
            "Row %(row)s of the predictions file has an empty '%(column)s'.",
            code="empty_id",
            offending=bad_rows(empty, row_ids, id_column),
            row=int(empty[0]) + 1,
            column=id_column,
        )
    order = _alignment(row_ids, key_index, id_column)
    out: dict[str, pd.Series | np.ndarray] = {}
    for spec in columns:
        raw = table[positions[spec.name]]
        out[spec.name] = _convert(raw.str.strip(), spec, row_ids)
    frame = pd.DataFrame({name: _values(v) for name, v in out.items()}, copy=False)
    if order is not None:
        frame = frame.take(order)
    frame.index = key_index.copy()
    frame.index.name = id_column
    return frame


def _values(values: pd.Series | np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    return values.array if isinstance(values, pd.Series) else values


def _check_header(header: list[str], id_column: str, columns: Sequence[ColumnSpec]) -> dict[str, int]:
    """Check the header names the id and expected columns exactly; return their positions."""
    expected = expected_header(id_column, columns)
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise PredictionFileError(
                "Column %(name)s appears more than once in the header. Expected header: %(expected)s",
                code="duplicate_columns",
                name=shown(name),
                expected=expected,
            )
        seen[name] = i
    wanted = [id_column, *(spec.name for spec in columns)]
    if id_column not in seen:
        raise PredictionFileError(
            "The predictions file has no id column '%(column)s' in its header. Expected header: %(expected)s",
            code="missing_columns",
            column=id_column,
            expected=expected,
        )
    missing = [name for name in wanted if name not in seen]
    extra = [name for name in header if name not in wanted]
    if missing and extra:
        raise PredictionFileError(
            "The header has missing column(s) %(missing)s and unexpected column(s) %(extra)s. "
            "Expected header: %(expected)s",
            code="missing_columns",
            missing=shown_list(missing),
            extra=shown_list(extra),
            expected=expected,
        )
    if missing:
        raise PredictionFileError(
            "The header has missing column(s) %(missing)s. Expected header: %(expected)s",
            code="missing_columns",
            missing=shown_list(missing),
            expected=expected,
        )
    if extra:
        raise PredictionFileError(
            "The header has unexpected column(s) %(extra)s. Expected header: %(expected)s",
            code="unexpected_columns",
            extra=shown_list(extra),
            expected=expected,
        )
    return seen


def _alignment(row_ids: pd.Index, key_index: pd.Index, id_column: str) -> np.ndarray | None:
    """Return row positions that put the file in key order (None if it already is)."""
    if len(row_ids) == len(key_index) and row_ids.equals(key_index):
        return None
    positions = key_index.get_indexer(row_ids)
    known = positions >= 0
    counts = np.bincount(positions[known], minlength=len(key_index))
    if (counts > 1).any():
        dup_mask = counts[positions[known]] > 1
        dups = list(dict.fromkeys(row_ids[known][dup_mask]))
        raise PredictionFileError(
            "%(count)s id(s) appear more than once in '%(column)s', e.g. %(examples)s. Give each id exactly one row.",
            code="duplicate_ids",
            offending=bad_rows(np.flatnonzero(known)[dup_mask], row_ids, id_column),
            count=f"{len(dups):,}",
            column=id_column,
            examples=shown_list(dups),
        )
    if not known.all():
        unknown = list(dict.fromkeys(row_ids[~known]))
        raise PredictionFileError(
            "%(count)s id(s) in '%(column)s' are not part of this test set, e.g. %(examples)s. "
            "Remove those rows; use the ids from the sample submission.",
            code="unknown_ids",
            offending=bad_rows(np.flatnonzero(~known), row_ids, id_column),
            count=f"{len(unknown):,}",
            column=id_column,
            examples=shown_list(unknown),
        )
    missing = len(key_index) - int(known.sum())
    if missing:
        raise PredictionFileError(
            "%(count)s id(s) of the test set have no row in the predictions file. "
            "Include one row for every id in the sample submission.",
            code="missing_ids",
            count=f"{missing:,}",
        )
    order = np.empty(len(key_index), dtype=np.intp)
    order[positions] = np.arange(len(row_ids))
    return order


def bad_rows(
    positions: np.ndarray, row_ids: pd.Index, column: str, values: pd.Series | None = None
) -> tuple[BadRow, ...]:
    """Describe the first few offending rows (0-based file positions) for an error's ``offending`` list."""
    head = [int(i) for i in positions[:MAX_BAD_ROWS]]
    return tuple(
        BadRow(
            row=i + 1,
            id=clipped(row_ids[i]),
            column=column,
            value=None if values is None else clipped(values.iloc[i]),
        )
        for i in head
    )


def _where(row: int, row_ids: pd.Index, column: str) -> dict[str, object]:
    """The parameters that name a cell in messages: ``row``, ``id`` and ``column``."""
    return {"row": row + 1, "id": shown(row_ids[row]), "column": column}


AT = "row %(row)s (id %(id)s), column '%(column)s'"


def _convert(values: pd.Series, spec: ColumnSpec, row_ids: pd.Index) -> pd.Series | np.ndarray:
    """Check and convert one column according to its kind."""
    if spec.kind is ValueKind.RANKED:
        return _ranked(values, spec, row_ids)
    empty = np.flatnonzero((values == "").to_numpy(dtype=bool))
    if empty.size:
        raise PredictionFileError(
            "Empty value at " + AT + "; every row needs a value.",
            code="empty_value",
            offending=bad_rows(empty, row_ids, spec.name, values),
            **_where(int(empty[0]), row_ids, spec.name),
        )
    if spec.kind is ValueKind.LABEL:
        return values.astype("str")
    return _numbers(values, spec, row_ids)


def _numbers(values: pd.Series, spec: ColumnSpec, row_ids: pd.Index) -> np.ndarray:
    """Convert a column to floats, naming the first bad cell."""
    numbers = pd.to_numeric(values.astype(object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(numbers))
    if bad.size:
        row = int(bad[0])
        text = str(values.iloc[row])
        offending = bad_rows(bad, row_ids, spec.name, values)
        if text.lower().lstrip("+-") == "nan":
            raise PredictionFileError(
                "NaN at " + AT + "; give a number.", code="nan", offending=offending, **_where(row, row_ids, spec.name)
            )
        raise PredictionFileError(
            "%(value)s at " + AT + " is not a number.",
            code="not_a_number",
            offending=offending,
            value=shown(text),
            **_where(row, row_ids, spec.name),
        )
    infinite = np.flatnonzero(np.isinf(numbers))
    if infinite.size:
        raise PredictionFileError(
            "Infinite value at " + AT + "; give a finite number.",
            code="infinite",
            offending=bad_rows(infinite, row_ids, spec.name, values),
            **_where(int(infinite[0]), row_ids, spec.name),
        )
    if spec.kind is ValueKind.PROBABILITY:
        outside = np.flatnonzero((numbers < 0) | (numbers > 1))
        if outside.size:
            row = int(outside[0])
            raise PredictionFileError(
                "%(value)s at " + AT + " is not a probability between 0 and 1.",
                code="out_of_range",
                offending=bad_rows(outside, row_ids, spec.name, values),
                value=shown(values.iloc[row]),
                **_where(row, row_ids, spec.name),
            )
    return numbers


def list_lengths(lists: pd.Series) -> np.ndarray:
    """Return the length of every list in a column of lists."""
    if hasattr(lists, "list"):
        return np.asarray(lists.list.len().to_numpy(dtype=np.int64, na_value=0), dtype=np.int64)
    return np.fromiter((len(v) for v in lists), dtype=np.int64, count=len(lists))


def list_items(lists: pd.Series) -> pd.Series:
    """Return all list items of a column of lists, concatenated in row order."""
    if hasattr(lists, "list"):
        flat: pd.Series = lists.list.flatten().reset_index(drop=True)
        return flat
    return pd.Series([item for items in lists for item in items], dtype="str")


def _ranked(values: pd.Series, spec: ColumnSpec, row_ids: pd.Index) -> pd.Series:
    """Split whitespace-separated ranked lists and enforce the length limit."""
    lists = values.str.split()
    blank = values == ""
    if bool(blank.any()):
        # Splitting an empty string yields [""]; an empty cell means an empty list.
        lists = lists.where(~blank, pd.Series([[]] * len(lists), dtype=lists.dtype, index=lists.index))
    if spec.max_items is not None:
        lengths = list_lengths(lists)
        too_long = np.flatnonzero(lengths > spec.max_items)
        if too_long.size:
            row = int(too_long[0])
            raise PredictionFileError(
                "Row %(row)s (id %(id)s), column '%(column)s' lists %(count)s predictions; "
                "at most %(limit)s are allowed (%(rows)s row(s) are too long).",
                code="too_many_items",
                offending=bad_rows(too_long, row_ids, spec.name, values),
                count=int(lengths[row]),
                limit=spec.max_items,
                rows=f"{too_long.size:,}",
                **_where(row, row_ids, spec.name),
            )
    return lists
