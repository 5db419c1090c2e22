"""Reading an organizer's hidden key file."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorers.errors import ScorerConfigError
from scorers.table import check_bytes, parse_csv, shown_list

WHAT = "key file"


def read_key(data: bytes, *, id_column: str, target_columns: Sequence[str]) -> pd.DataFrame:
    """Parse a hidden key CSV into a frame indexed by id (as str), keeping every column."""
    data = check_bytes(data, what=WHAT, error=ScorerConfigError)
    header, table = parse_csv(data, what=WHAT, error=ScorerConfigError)
    if len(set(header)) != len(header):
        dups = sorted({name for name in header if header.count(name) > 1})
        raise ScorerConfigError(f"The {WHAT} repeats column(s) {shown_list(dups)} in its header.")
    missing = [name for name in [id_column, *target_columns] if name not in header]
    if missing:
        raise ScorerConfigError(f"The {WHAT} lacks column(s) {shown_list(missing)}; its header is {','.join(header)}.")
    if len(table) == 0:
        raise ScorerConfigError(f"The {WHAT} has a header but no rows.")
    table.columns = pd.Index(header)
    table = table.apply(lambda column: column.str.strip())
    ids = table.pop(id_column)
    empty = np.flatnonzero((ids == "").to_numpy(dtype=bool))
    if empty.size:
        raise ScorerConfigError(f"Row {empty[0] + 1} of the {WHAT} has an empty '{id_column}'.")
    index = pd.Index(ids.astype("str"), name=id_column)
    if not index.is_unique:
        dups = list(dict.fromkeys(index[index.duplicated()]))
        raise ScorerConfigError(f"The {WHAT} repeats id(s) {shown_list(dups)} in '{id_column}'.")
    for column in target_columns:
        blank = np.flatnonzero((table[column] == "").to_numpy(dtype=bool))
        if blank.size:
            raise ScorerConfigError(f"Row {blank[0] + 1} of the {WHAT} has an empty value in target column '{column}'.")
    key: pd.DataFrame = table.astype("str")
    key.index = index
    return key
