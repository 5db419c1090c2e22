"""Leaderboards: ranking, materialized standings, page cache, statistics, the Ladder, exports, charts."""

from arena.boards.board import Board, is_frozen, viewer_board
from arena.boards.cache import (
    BoardCache,
    BoardFacts,
    RenderedPage,
    board_facts,
    cache_for,
    cached_facts,
    cached_page,
    rendered_page,
)
from arena.boards.charts import Histogram, PhaseChart, Point, TeamSeries, challenge_charts, phase_chart, team_chart
from arena.boards.exports import (
    MEDIA_TYPES,
    export_format,
    leaderboard_export,
    submissions_export,
    to_csv_bytes,
    to_parquet_bytes,
)
from arena.boards.intervals import line_interval
from arena.boards.pages import MAX_PER_PAGE, board_page
from arena.boards.ranking import LeaderboardRow, higher_is_better, leaderboard, per_case_values
from arena.boards.ranks import TeamRank, team_rank
from arena.boards.splits import public_mask
from arena.boards.standings import (
    rebuild_phases,
    record_score,
    settle_statistics,
    stale_phases,
    team_boards,
    update_team,
)
from arena.boards.statistics import Floats

__all__ = [
    "Board",
    "BoardCache",
    "BoardFacts",
    "Floats",
    "Histogram",
    "LeaderboardRow",
    "MAX_PER_PAGE",
    "MEDIA_TYPES",
    "PhaseChart",
    "Point",
    "RenderedPage",
    "TeamRank",
    "TeamSeries",
    "board_facts",
    "board_page",
    "cache_for",
    "cached_facts",
    "cached_page",
    "challenge_charts",
    "export_format",
    "higher_is_better",
    "is_frozen",
    "leaderboard",
    "leaderboard_export",
    "line_interval",
    "per_case_values",
    "phase_chart",
    "team_rank",
    "public_mask",
    "rebuild_phases",
    "record_score",
    "rendered_page",
    "settle_statistics",
    "stale_phases",
    "submissions_export",
    "to_csv_bytes",
    "to_parquet_bytes",
    "team_boards",
    "team_chart",
    "update_team",
    "viewer_board",
]
