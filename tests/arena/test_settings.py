"""Settings read from ARENA_* variables and written back for worker processes."""

from __future__ import annotations

from arena.settings import Settings


def test_lease_sweep_and_reconcile_settings_round_trip() -> None:
    defaults = Settings()
    assert (defaults.lease_seconds, defaults.sweep_seconds, defaults.reconcile_seconds) == (10, 3, 60)
    env = {"ARENA_LEASE_SECONDS": "20", "ARENA_SWEEP_SECONDS": "5", "ARENA_RECONCILE_SECONDS": "120"}
    read = Settings.from_env({**env, "ARENA_DATA_DIR": "/srv/arena"})
    assert (read.lease_seconds, read.sweep_seconds, read.reconcile_seconds) == (20, 5, 120)
    assert Settings.from_env(read.to_env()) == read


def test_workers_run_jobs_in_process_unless_told_to_fork() -> None:
    assert Settings().worker_fork is False
    forking = Settings.from_env({"ARENA_WORKER_FORK": "1", "ARENA_DATA_DIR": "/srv/arena"})
    assert forking.worker_fork is True
    assert Settings.from_env(forking.to_env()) == forking
