"""A pandas column of ranked label lists stored as one string column per rank position."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, take


class RankedDtype(ExtensionDtype):
    """The dtype of a :class:`RankedLists` column."""

    name = "ranked_lists"
    type = list
    na_value = None

    @classmethod
    def construct_array_type(cls) -> builtins.type[RankedLists]:
        """Return the array type of this dtype."""
        return RankedLists


class RankedLists(ExtensionArray):
    """Ranked lists: ``ranks[j][rows[i]]`` is the (j+1)-th label of list i, ``""`` when the list is shorter.

    ``rows`` maps each list to its row in the rank columns (None: the identity, -1: a missing list), so
    reordering and selecting lists never copies the strings.
    """

    def __init__(self, ranks: Sequence[Any], rows: np.ndarray | None = None) -> None:
        self.ranks = tuple(ranks)
        self.rows = rows
        self._size = len(self.ranks[0]) if self.ranks else 0

    @property
    def dtype(self) -> RankedDtype:
        """Return the column dtype."""
        return RankedDtype()

    def positions(self) -> np.ndarray:
        """Return each list's row in the rank columns (-1 for a missing list)."""
        return np.arange(self._size) if self.rows is None else self.rows

    def __len__(self) -> int:
        return self._size if self.rows is None else len(self.rows)

    def _item(self, row: int) -> list[str] | None:
        if row < 0:
            return None
        labels = (str(rank[row]) for rank in self.ranks)
        return [label for label in labels if label]

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, int | np.integer):
            return self._item(int(self.positions()[item]))
        if isinstance(item, tuple) and len(item) == 1:
            item = item[0]
        indexer = pd.api.indexers.check_array_indexer(self, item) if not isinstance(item, slice) else item
        return RankedLists(self.ranks, self.positions()[indexer])

    def __eq__(self, other: object) -> Any:
        theirs: list[Any] = list(other) if isinstance(other, RankedLists) else [other] * len(self)
        return np.array([a == b for a, b in zip(self, theirs, strict=True)], dtype=bool)

    @property
    def nbytes(self) -> int:
        """Return the size of the row map (the rank columns may be shared)."""
        return 0 if self.rows is None else int(self.rows.nbytes)

    def isna(self) -> np.ndarray:
        """Return True for missing lists."""
        return np.zeros(len(self), dtype=bool) if self.rows is None else self.rows < 0

    def take(self, indices: Any, *, allow_fill: bool = False, fill_value: Any = None) -> RankedLists:
        """Select lists by position; with ``allow_fill``, -1 gives a missing list."""
        rows = take(self.positions(), np.asarray(indices, dtype=np.intp), allow_fill=allow_fill, fill_value=-1)
        return RankedLists(self.ranks, np.asarray(rows, dtype=np.intp))

    def copy(self) -> RankedLists:
        """Return a copy (the rank columns are immutable and shared)."""
        return RankedLists(self.ranks, None if self.rows is None else self.rows.copy())

    @classmethod
    def _from_sequence(cls, scalars: Any, *, dtype: Any = None, copy: bool = False) -> RankedLists:
        lists = [[] if v is None else [str(label) for label in v] for v in scalars]
        width = max((len(v) for v in lists), default=0)
        ranks = [pd.array([v[j] if j < len(v) else "" for v in lists], dtype="str") for j in range(width)]
        if not ranks:
            ranks = [pd.array([""] * len(lists), dtype="str")]
        missing = np.array([v is None for v in scalars], dtype=bool)
        rows = np.where(missing, -1, np.arange(len(lists))) if missing.any() else None
        return cls(ranks, rows)

    @classmethod
    def _from_factorized(cls, values: Any, original: Any) -> RankedLists:
        return cls._from_sequence(values)

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[RankedLists]) -> RankedLists:
        return cls._from_sequence([item for array in to_concat for item in array])
