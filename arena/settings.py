"""Arena's settings, read from ``ARENA_*`` environment variables in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFAULT_TIMEZONE = "Asia/Shanghai"


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything Arena needs to know about its environment."""

    database_url: str = "sqlite:///var/arena.sqlite"
    redis_url: str = "redis://127.0.0.1:6379/0"
    data_dir: Path = Path("var")
    # Where blobs live: empty (the data directory), a folder path or file:///path (a local disk or a shared
    # mount), or s3://bucket/prefix?endpoint=http://host:port (credentials from the AWS_* variables).
    storage_url: str = ""
    # A worker-local copy of what an S3 store serves, checked by sha256 before use; empty: data_dir/cache.
    cache_dir: str = ""
    # The cache's bound: after a fetch, the least recently used entries no run holds go until it fits; 0: none.
    cache_max_bytes: int = 20 * 1024**3
    # A directory store refuses uploads (507) when fewer bytes than this would stay free.
    storage_min_free_bytes: int = 256 * 1024 * 1024
    # No built-in key: a known key lets anyone forge session cookies. `arena demo` keeps a random one.
    secret_key: str = ""
    default_timezone: str = DEFAULT_TIMEZONE
    default_locale: str = "zh_CN"
    max_upload_bytes: int = 50 * 1024 * 1024
    queue_name: str = "arena"
    job_timeout_seconds: int = 3600
    max_infra_retries: int = 3
    lease_seconds: int = 10
    sweep_seconds: int = 3
    reconcile_seconds: int = 60
    runner_image: str = "arena-runner:latest"
    sandbox_runtime: str = ""
    # The GPUs runs of gpu-class tracks get on this worker: "all", a count or device ids ("0,1"); empty: none.
    sandbox_gpus: str = ""
    testing: bool = False
    probing_min_submissions: int = 5
    probing_window_hours: int = 24
    probing_max_cases: int = 3
    probing_max_fraction: float = 0.01
    https: bool = False
    proxy_hops: int = 0
    session_lifetime_hours: int = 14 * 24
    session_idle_hours: int = 72
    limits_redis_url: str = ""
    login_limit_account: str = "10 per minute;60 per hour"
    login_limit_address: str = "30 per minute;300 per hour"
    register_limit_address: str = "30 per hour"
    # The resource classes this worker's host serves (comma-separated, e.g. "cpu,large-memory") and its name.
    worker_classes: str = "cpu"
    worker_name: str = ""
    # False: jobs run in the worker process itself (warm connections and caches, runs at the engine's pace);
    # True: each job in a forked work horse of its own, as rq does by default (isolation, a cold start per job).
    worker_fork: bool = False

    # smtp://user:password@host:port (smtps:// for TLS from the start, ?starttls=1 to upgrade); empty: inbox only.
    smtp_url: str = ""
    mail_from: str = "arena@localhost"
    # "text" (readable lines) or "json" (one JSON object per line: time, level, logger, message and ids).
    log_format: str = "text"

    @property
    def blob_storage_url(self) -> str:
        """Where blobs live: ARENA_STORAGE_URL, else the data directory."""
        return self.storage_url or str(Path(self.data_dir).absolute())

    @property
    def blob_cache_dir(self) -> Path:
        """Where this process caches fetched blobs: ARENA_CACHE_DIR, else data_dir/cache."""
        return Path(self.cache_dir) if self.cache_dir else Path(self.data_dir) / "cache"

    @property
    def limits_storage_url(self) -> str:
        """Where the rate limiter counts attempts: ARENA_LIMITS_REDIS_URL, else the queue's Redis."""
        return self.limits_redis_url or self.redis_url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``ARENA_*`` variables; keyword overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if "ARENA_DATA_DIR" in env:
            values["data_dir"] = Path(env["ARENA_DATA_DIR"])
        data_dir = Path(values.get("data_dir", overrides.get("data_dir", cls.data_dir)))
        values["database_url"] = env.get("ARENA_DATABASE_URL", f"sqlite:///{data_dir.absolute()}/arena.sqlite")
        for key, name in [
            ("redis_url", "ARENA_REDIS_URL"),
            ("secret_key", "ARENA_SECRET_KEY"),
            ("default_timezone", "ARENA_TIMEZONE"),
            ("default_locale", "ARENA_LOCALE"),
            ("queue_name", "ARENA_QUEUE"),
            ("runner_image", "ARENA_RUNNER_IMAGE"),
            ("sandbox_runtime", "ARENA_SANDBOX_RUNTIME"),
            ("sandbox_gpus", "ARENA_SANDBOX_GPUS"),
            ("limits_redis_url", "ARENA_LIMITS_REDIS_URL"),
            ("login_limit_account", "ARENA_LOGIN_LIMIT_ACCOUNT"),
            ("login_limit_address", "ARENA_LOGIN_LIMIT_ADDRESS"),
            ("register_limit_address", "ARENA_REGISTER_LIMIT_ADDRESS"),
            ("worker_classes", "ARENA_WORKER_CLASSES"),
            ("worker_name", "ARENA_WORKER_NAME"),
            ("smtp_url", "ARENA_SMTP_URL"),
            ("mail_from", "ARENA_MAIL_FROM"),
            ("storage_url", "ARENA_STORAGE_URL"),
            ("cache_dir", "ARENA_CACHE_DIR"),
            ("log_format", "ARENA_LOG_FORMAT"),
        ]:
            if name in env:
                values[key] = env[name]
        for key, name in [
            ("max_upload_bytes", "ARENA_MAX_UPLOAD_BYTES"),
            ("job_timeout_seconds", "ARENA_JOB_TIMEOUT"),
            ("max_infra_retries", "ARENA_MAX_INFRA_RETRIES"),
            ("lease_seconds", "ARENA_LEASE_SECONDS"),
            ("sweep_seconds", "ARENA_SWEEP_SECONDS"),
            ("reconcile_seconds", "ARENA_RECONCILE_SECONDS"),
            ("probing_min_submissions", "ARENA_PROBING_MIN_SUBMISSIONS"),
            ("probing_window_hours", "ARENA_PROBING_WINDOW_HOURS"),
            ("probing_max_cases", "ARENA_PROBING_MAX_CASES"),
            ("proxy_hops", "ARENA_PROXY_HOPS"),
            ("session_lifetime_hours", "ARENA_SESSION_LIFETIME_HOURS"),
            ("session_idle_hours", "ARENA_SESSION_IDLE_HOURS"),
            ("storage_min_free_bytes", "ARENA_STORAGE_MIN_FREE_BYTES"),
            ("cache_max_bytes", "ARENA_CACHE_MAX_BYTES"),
        ]:
            if name in env:
                values[key] = int(env[name])
        if "ARENA_PROBING_MAX_FRACTION" in env:
            values["probing_max_fraction"] = float(env["ARENA_PROBING_MAX_FRACTION"])
        if "ARENA_TESTING" in env:
            values["testing"] = _as_bool(env["ARENA_TESTING"])
        if "ARENA_WORKER_FORK" in env:
            values["worker_fork"] = _as_bool(env["ARENA_WORKER_FORK"])
        if "ARENA_HTTPS" in env:
            values["https"] = _as_bool(env["ARENA_HTTPS"])
        values.update(overrides)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with some fields replaced."""
        return replace(self, **overrides)

    def to_env(self) -> dict[str, str]:
        """Return the ``ARENA_*`` variables that reproduce these settings in another process."""
        return {
            "ARENA_DATABASE_URL": self.database_url,
            "ARENA_REDIS_URL": self.redis_url,
            "ARENA_DATA_DIR": str(Path(self.data_dir).absolute()),
            "ARENA_SECRET_KEY": self.secret_key,
            "ARENA_TIMEZONE": self.default_timezone,
            "ARENA_LOCALE": self.default_locale,
            "ARENA_QUEUE": self.queue_name,
            "ARENA_MAX_UPLOAD_BYTES": str(self.max_upload_bytes),
            "ARENA_JOB_TIMEOUT": str(self.job_timeout_seconds),
            "ARENA_MAX_INFRA_RETRIES": str(self.max_infra_retries),
            "ARENA_LEASE_SECONDS": str(self.lease_seconds),
            "ARENA_SWEEP_SECONDS": str(self.sweep_seconds),
            "ARENA_RECONCILE_SECONDS": str(self.reconcile_seconds),
            "ARENA_RUNNER_IMAGE": self.runner_image,
            "ARENA_SANDBOX_RUNTIME": self.sandbox_runtime,
            "ARENA_SANDBOX_GPUS": self.sandbox_gpus,
            "ARENA_TESTING": "1" if self.testing else "0",
            "ARENA_PROBING_MIN_SUBMISSIONS": str(self.probing_min_submissions),
            "ARENA_PROBING_WINDOW_HOURS": str(self.probing_window_hours),
            "ARENA_PROBING_MAX_CASES": str(self.probing_max_cases),
            "ARENA_PROBING_MAX_FRACTION": repr(self.probing_max_fraction),
            "ARENA_HTTPS": "1" if self.https else "0",
            "ARENA_WORKER_CLASSES": self.worker_classes,
            "ARENA_WORKER_NAME": self.worker_name,
            "ARENA_WORKER_FORK": "1" if self.worker_fork else "0",
            "ARENA_PROXY_HOPS": str(self.proxy_hops),
            "ARENA_SESSION_LIFETIME_HOURS": str(self.session_lifetime_hours),
            "ARENA_SESSION_IDLE_HOURS": str(self.session_idle_hours),
            "ARENA_LIMITS_REDIS_URL": self.limits_redis_url,
            "ARENA_LOGIN_LIMIT_ACCOUNT": self.login_limit_account,
            "ARENA_LOGIN_LIMIT_ADDRESS": self.login_limit_address,
            "ARENA_REGISTER_LIMIT_ADDRESS": self.register_limit_address,
            "ARENA_SMTP_URL": self.smtp_url,
            "ARENA_MAIL_FROM": self.mail_from,
            "ARENA_STORAGE_URL": self.storage_url,
            "ARENA_CACHE_DIR": self.cache_dir,
            "ARENA_CACHE_MAX_BYTES": str(self.cache_max_bytes),
            "ARENA_STORAGE_MIN_FREE_BYTES": str(self.storage_min_free_bytes),
            "ARENA_LOG_FORMAT": self.log_format,
        }
