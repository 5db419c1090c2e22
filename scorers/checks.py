"""Checking predictions and hidden keys against a track's declared targets (label sets, ranges, ranked items).

The same functions serve the upload (before a submission exists), the worker (defence in depth, and code
tracks' output) and the bundle importer (the key). Everything is vectorised: on a good file the check costs
one parse of the file plus a set lookup per column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from scorers.errors import BadRow, PredictionFileError, ScorerConfigError
from scorers.keys import read_key
from scorers.protocol import Scorer
from scorers.ranked_lists import RankedLists
from scorers.table import check_bytes, clipped, parse_csv, shown, shown_list
from scorers.targets import INT, LABEL, RANKED, Target
from scorers.validation import MAX_BAD_ROWS, WHAT, list_items, list_lengths

AT = "row %(row)s (id %(id)s), column '%(column)s'"
# A key whose labels are few and each frequent shows the task's classes, not anything about single rows.
MAX_DERIVED_LABELS = 50
ROWS_PER_DERIVED_LABEL = 10


def check_predictions(
    scorer: Scorer,
    data: bytes,
    key: pd.DataFrame,
    *,
    id_column: str,
    target_columns: Sequence[str],
    targets: Mapping[str, Target],
    max_bytes: int,
) -> pd.DataFrame:
    """Read a predictions file with the scorer's own checks, then check its values against ``targets``."""
    frame = scorer.read_predictions(data, key, id_column=id_column, target_columns=target_columns, max_bytes=max_bytes)
    check_values(frame, targets, data=data, id_column=id_column)
    return frame


def check_values(frame: pd.DataFrame, targets: Mapping[str, Target], *, data: bytes, id_column: str) -> None:
    """Raise PredictionFileError for the first column whose values break its declaration.

    ``frame`` is the scorer's reading of ``data`` (in key order); ``data`` is only parsed again to find the
    file's row numbers when something is wrong.
    """
    for column, target in targets.items():
        if column not in frame.columns:
            continue
        if target.type == RANKED and target.max_items is not None:
            _check_lengths(frame, column, target.max_items, data=data, id_column=id_column)
        bad, values = _offending(frame[column], target)
        if bad.size:
            rows = _file_rows(data, id_column, frame.index[bad[:MAX_BAD_ROWS]])
            offending = tuple(
                BadRow(row=row, id=clipped(frame.index[i]), column=column, value=clipped(value))
                for i, row, value in zip(bad[:MAX_BAD_ROWS], rows, values, strict=False)
            )
            raise _refusal(target, column, offending, int(bad.size))


def _check_lengths(frame: pd.DataFrame, column: str, limit: int, *, data: bytes, id_column: str) -> None:
    """Refuse ranked lists longer than a declared limit (narrower than the scorer's own)."""
    array = frame[column].array
    if isinstance(array, RankedLists):
        counts = np.sum([np.asarray(pd.Series(rank) != "", dtype=np.int64) for rank in array.ranks], axis=0)
        lengths = np.asarray(counts, dtype=np.int64).reshape(-1)[array.positions()]
    else:
        lengths = list_lengths(frame[column])
    bad = np.flatnonzero(lengths > limit)
    if not bad.size:
        return
    rows = _file_rows(data, id_column, frame.index[bad[:MAX_BAD_ROWS]])
    offending = tuple(
        BadRow(row=row, id=clipped(frame.index[i]), column=column, value=str(int(lengths[i])))
        for i, row in zip(bad[:MAX_BAD_ROWS], rows, strict=False)
    )
    raise PredictionFileError(
        "Row %(row)s (id %(id)s), column '%(column)s' lists %(count)s predictions; "
        "at most %(limit)s are allowed (%(rows)s row(s) are too long).",
        code="too_many_items",
        offending=offending,
        row=offending[0].row if offending[0].row is not None else "?",
        id=shown(offending[0].id),
        column=column,
        count=int(lengths[bad[0]]),
        limit=limit,
        rows=f"{bad.size:,}",
    )


def _offending(values: pd.Series, target: Target) -> tuple[np.ndarray, list[str]]:
    """Return key-order positions of offending rows and the first offending values as text."""
    if target.type == RANKED:
        return _offending_items(values, target)
    if target.type == LABEL:
        allowed = target.allowed()
        if allowed is None:
            return np.empty(0, dtype=np.intp), []
        bad = np.flatnonzero(~np.asarray(values.isin(allowed), dtype=bool))
        return bad, [str(values.iloc[i]) for i in bad[:MAX_BAD_ROWS]]
    numbers = values.to_numpy(dtype=float)
    wrong = np.zeros(len(numbers), dtype=bool)
    if target.type == INT:
        wrong |= np.floor(numbers) != numbers
    if target.minimum is not None:
        wrong |= numbers < target.minimum
    if target.maximum is not None:
        wrong |= numbers > target.maximum
    bad = np.flatnonzero(wrong)
    return bad, [repr(float(numbers[i])) for i in bad[:MAX_BAD_ROWS]]


def _offending_items(values: pd.Series, target: Target) -> tuple[np.ndarray, list[str]]:
    """Ranked lists: rows that list an item outside the declared labels, and the first such item of each."""
    allowed = target.allowed()
    if allowed is None:
        return np.empty(0, dtype=np.intp), []
    vocabulary = [*allowed, ""]
    array = values.array
    if isinstance(array, RankedLists):
        # Rank columns are in file order; ``positions`` maps each key row to its file row.
        ranks = [pd.Series(rank) for rank in array.ranks]
        wrong = [~np.asarray(rank.isin(vocabulary), dtype=bool) for rank in ranks]
        positions = array.positions()
        row_bad = np.logical_or.reduce(wrong)[positions]
        bad = np.flatnonzero(row_bad)
        shown_values = []
        for i in bad[:MAX_BAD_ROWS]:
            j = next(j for j, w in enumerate(wrong) if w[positions[i]])
            shown_values.append(str(ranks[j].iloc[positions[i]]))
        return bad, shown_values
    lengths = list_lengths(values)
    items = list_items(values).astype("str")
    wrong_items = ~np.asarray(items.isin(vocabulary), dtype=bool)
    owners = np.repeat(np.arange(len(lengths)), lengths)
    bad = np.unique(owners[wrong_items])
    first_item: dict[int, str] = {}
    for position in np.flatnonzero(wrong_items):
        first_item.setdefault(int(owners[position]), str(items.iloc[position]))
        if len(first_item) >= MAX_BAD_ROWS:
            break
    return bad, [first_item[int(i)] for i in bad[:MAX_BAD_ROWS]]


def _file_rows(data: bytes, id_column: str, ids: pd.Index) -> list[int | None]:
    """Return the 1-based data row of each id in the file (error path only: parses the file again)."""
    header, table = parse_csv(
        check_bytes(data, what=WHAT, error=PredictionFileError), what=WHAT, error=PredictionFileError
    )
    file_ids = pd.Index(table[header.index(id_column)].str.strip().astype("str"))
    found = file_ids.get_indexer(pd.Index([str(i) for i in ids]))
    return [int(p) + 1 if p >= 0 else None for p in found]


def allowed_text(target: Target) -> str:
    """Quote a target's allowed labels for a message (the first ten)."""
    return shown_list(list(target.labels or ()), limit=10)


def range_text(target: Target) -> str:
    """Write a target's range in interval notation, which reads the same in every language."""
    low = "-∞" if target.minimum is None else f"{target.minimum:g}"
    high = "∞" if target.maximum is None else f"{target.maximum:g}"
    return (
        ("[" if target.minimum is not None else "(") + f"{low}, {high}" + ("]" if target.maximum is not None else ")")
    )


def _refusal(target: Target, column: str, offending: tuple[BadRow, ...], count: int) -> PredictionFileError:
    first = offending[0]
    params: dict[str, object] = {
        "row": first.row if first.row is not None else "?",
        "id": shown(first.id),
        "column": column,
        "value": shown(first.value),
        "count": f"{count:,}",
    }
    if target.type == RANKED:
        return PredictionFileError(
            "Row %(row)s (id %(id)s), column '%(column)s' lists %(value)s, which is not an allowed label "
            "(%(count)s row(s) list such labels). Allowed labels: %(allowed)s.",
            code="label_not_allowed",
            offending=offending,
            allowed=allowed_text(target),
            **params,
        )
    if target.type == LABEL:
        return PredictionFileError(
            "%(value)s at " + AT + " is not an allowed label (%(count)s row(s) have such labels). "
            "Allowed labels: %(allowed)s.",
            code="label_not_allowed",
            offending=offending,
            allowed=allowed_text(target),
            **params,
        )
    value = float(first.value or "nan")
    if target.type == INT and np.floor(value) != value:
        return PredictionFileError(
            "%(value)s at " + AT + " is not a whole number (%(count)s row(s) are not).",
            code="not_an_integer",
            offending=offending,
            **params,
        )
    return PredictionFileError(
        "%(value)s at " + AT + " is outside the allowed range %(range)s (%(count)s row(s) are outside it).",
        code="out_of_range",
        offending=offending,
        range=range_text(target),
        **params,
    )


def check_key(
    data: bytes, *, id_column: str, target_columns: Sequence[str], targets: Mapping[str, Target]
) -> pd.DataFrame:
    """Read a hidden key (ids present and unique) and check its truth columns against the declared targets.

    Raises ScorerConfigError naming the first offending row; the message is for organizers only.
    """
    key = read_key(data, id_column=id_column, target_columns=target_columns)
    for column, target in targets.items():
        if not target.truth or column not in key.columns:
            continue
        values = key[column]
        if target.type in (LABEL, RANKED):
            allowed = target.allowed()
            if allowed is None:
                continue
            bad = np.flatnonzero(~np.asarray(values.isin(allowed), dtype=bool))
            if bad.size:
                at = f"Row {bad[0] + 1} of the key file (id {shown(key.index[bad[0]])})"
                raise ScorerConfigError(
                    f"{at} has {shown(values.iloc[bad[0]])} "
                    f"in '{column}', which is not among the declared labels {allowed_text(target)} "
                    f"({bad.size:,} row(s) are not).",
                    code="key_label_not_declared",
                )
            continue
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        frame = pd.DataFrame({column: numbers}, index=key.index)
        bad, _ = _offending(frame[column], target)
        bad = np.union1d(bad, np.flatnonzero(~np.isfinite(numbers)))
        if bad.size:
            raise ScorerConfigError(
                f"Row {bad[0] + 1} of the key file (id {shown(key.index[bad[0]])}) has {shown(values.iloc[bad[0]])} "
                f"in '{column}', which is not a {target.type} in {range_text(target)} ({bad.size:,} row(s) are not).",
                code="key_value_not_declared",
            )
    return key


def derive_labels(targets: Mapping[str, Target], keys: Sequence[pd.DataFrame]) -> dict[str, Target]:
    """Fill undeclared label sets of truth columns from the keys where that only shows the task's classes.

    A set is derived when the keys together hold at most 50 distinct labels and at least ten rows per label;
    otherwise (identities, free text) the column stays open and the scorer's own checks apply.
    """
    out = dict(targets)
    for column, target in targets.items():
        if target.type != LABEL or not target.truth or target.labels is not None:
            continue
        if not keys or any(column not in key.columns for key in keys):
            continue
        values = pd.concat([key[column] for key in keys], ignore_index=True)
        distinct = [str(v) for v in pd.unique(values.astype("str"))]
        if len(distinct) <= MAX_DERIVED_LABELS and len(values) >= ROWS_PER_DERIVED_LABEL * len(distinct):
            out[column] = Target(LABEL, labels=_natural_order(distinct), truth=True)
    return out


def _natural_order(labels: Sequence[str]) -> tuple[str, ...]:
    """Sort labels numerically when they are all integers, else as text."""
    texts = [str(v) for v in labels]
    if all(t.lstrip("-").isdigit() for t in texts):
        return tuple(sorted(texts, key=int))
    return tuple(sorted(texts))
