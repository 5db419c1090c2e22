"""The compose files: every service configured with settings Arena reads, the store on S3, the Docker socket
only in workers, workers scalable and health-checked, images built from the Debian base (no registry)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
import yaml

from arena.enums import ResourceClass
from arena.localredis import free_port
from arena.settings import Settings
from tests.s3server import CREDENTIALS
from web.cli import main

REPO = Path(__file__).resolve().parent.parent
MAIN = REPO / "docker-compose.yml"
WORKER_HOST = REPO / "deploy" / "worker-host.yml"
SOCKET = "/var/run/docker.sock"
# What the boto3 client of an S3 store reads besides the storage URL.
AWS_NAMES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"}
# Values for the variables the compose files ask of their .env file.
COMPOSE_VARIABLES = {
    "ARENA_SECRET_KEY": "secret",
    "PG_PASSWORD": "pg-pass",
    "REDIS_PASSWORD": "redis-pass",
    "S3_ACCESS_KEY": "key",
    "S3_SECRET_KEY": "secret-key",
    "DATABASE_URL": "postgresql+psycopg://arena:pg-pass@10.0.0.10:5432/arena",
    "REDIS_URL": "redis://:redis-pass@10.0.0.10:6379/0",
    "STORAGE_URL": "s3://arena/store?endpoint=http://10.0.0.10:5000",
}
VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def _interpolate(value: str) -> str:
    """Replace ${NAME}, ${NAME:-default} and ${NAME:?message} as compose does, with the test's values."""

    def one(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        if name in COMPOSE_VARIABLES:
            return COMPOSE_VARIABLES[name]
        assert kind == "-", f"${{{name}}} has no value in the test and no default"
        return rest

    return VARIABLE.sub(one, value).replace("$$", "$")


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text())
    assert isinstance(loaded, dict) and isinstance(loaded.get("services"), dict)
    return loaded


def _services(path: Path) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _load(path)["services"]
    return services


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {name: _interpolate(str(value)) for name, value in (service.get("environment") or {}).items()}


def _runs_arena(service: dict[str, Any]) -> bool:
    return service.get("image") == "arena:latest"


def _settings_names() -> set[str]:
    """Every ARENA_* variable arena/settings.py reads."""
    return set(re.findall(r'"(ARENA_[A-Z0-9_]+)"', (REPO / "arena" / "settings.py").read_text()))


def _is_worker(service: dict[str, Any]) -> bool:
    return service.get("command") == ["arena", "worker"]


@pytest.mark.parametrize("path", [MAIN, WORKER_HOST], ids=["docker-compose.yml", "worker-host.yml"])
def test_arena_services_use_only_settings_arena_reads_and_keep_blobs_on_s3(path: Path) -> None:
    known = _settings_names()
    arena_services = {name: s for name, s in _services(path).items() if _runs_arena(s)}
    assert arena_services
    for name, service in arena_services.items():
        env = _env(service)
        unknown = {n for n in env if n not in known and n not in AWS_NAMES}
        assert not unknown, f"{path.name}: {name} sets {sorted(unknown)}, which Arena does not read"
        settings = Settings.from_env(env)  # every value parses (numbers, flags)
        assert settings.storage_url.startswith("s3://arena/store?endpoint=http://"), (name, settings.storage_url)
        assert settings.database_url.startswith("postgresql+psycopg://") and settings.redis_url.startswith("redis://")
        assert settings.log_format == "json" and {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(env)


def test_the_other_services_set_only_what_their_images_read() -> None:
    services = _services(MAIN)
    images = REPO / "deploy" / "images"
    readers = {
        "postgres": (images / "postgres-start.sh").read_text(),
        "s3": (images / "s3server.py").read_text(),
        "redis": str(services["redis"]["healthcheck"]["test"]),
    }
    assert set(services) == {"postgres", "redis", "s3", "web", "worker"}
    for name, text in readers.items():
        for variable in _env(services[name]):
            assert variable in text or variable in AWS_NAMES, f"{name} sets {variable}, which its image never reads"
    assert _env(services["postgres"])["POSTGRES_PASSWORD"] == COMPOSE_VARIABLES["PG_PASSWORD"]
    assert "redis-pass" in _env(services["web"])["ARENA_REDIS_URL"]
    assert "--requirepass" in services["redis"]["command"]


@pytest.mark.parametrize("path", [MAIN, WORKER_HOST], ids=["docker-compose.yml", "worker-host.yml"])
def test_only_workers_see_the_docker_socket(path: Path) -> None:
    for name, service in _services(path).items():
        mounts = [str(volume) for volume in service.get("volumes") or []]
        has_socket = any(SOCKET in mount for mount in mounts)
        assert has_socket == _is_worker(service), f"{path.name}: {name} {'has' if has_socket else 'lacks'} the socket"
    if path == MAIN:
        web = _services(path)["web"]
        assert not any("docker" in str(v) for v in web.get("volumes") or []) and web.get("user") is None


def test_the_workers_are_scalable_health_checked_and_serve_known_classes() -> None:
    classes = {c.value for c in ResourceClass}
    worker = _services(MAIN)["worker"]
    assert "container_name" not in worker and "ports" not in worker and "hostname" not in worker
    for service in (worker, _services(WORKER_HOST)["worker"]):
        assert service["healthcheck"]["test"] == ["CMD", "arena", "worker-health"]
        served = _env(service)["ARENA_WORKER_CLASSES"].split(",")
        assert served and set(served) <= classes
        assert any("/var/lib/arena:/var/lib/arena" == str(v) for v in service["volumes"])
    assert "worker-health" in main.commands and "worker" in main.commands
    web = _services(MAIN)["web"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"]) and "arena serve" in " ".join(web["command"])


def test_the_worker_host_needs_only_the_three_urls_and_its_classes() -> None:
    services = _services(WORKER_HOST)
    assert list(services) == ["worker"]
    env = _env(services["worker"])
    arena_names = {n for n in env if n.startswith("ARENA_")}
    assert arena_names == {
        "ARENA_DATABASE_URL",
        "ARENA_REDIS_URL",
        "ARENA_STORAGE_URL",
        "ARENA_WORKER_CLASSES",
        "ARENA_LOG_FORMAT",
    }
    assert "gpu" in env["ARENA_WORKER_CLASSES"].split(",")
    assert "10.0.0.10" in env["ARENA_DATABASE_URL"] and "10.0.0.10" in env["ARENA_STORAGE_URL"]
    assert "depends_on" not in services["worker"] and "build" not in services["worker"]


def test_every_image_is_built_from_the_debian_base_and_no_registry() -> None:
    contexts = {REPO / "deploy" / "images" / "arena.Dockerfile": REPO}
    for name, service in _services(MAIN).items():
        build = service.get("build")
        assert build, f"{name} would be pulled from a registry"
        dockerfile = REPO / build["context"] / build["dockerfile"]
        assert dockerfile.is_file(), dockerfile
        contexts[dockerfile] = REPO / build["context"]
        for argument in (build.get("args") or {}).values():
            assert _interpolate(str(argument)) in {"arena-debian:bookworm", "arena:latest"}
    for dockerfile, context in contexts.items():
        text = dockerfile.read_text()
        stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$", text, re.MULTILINE)
        # The first stage starts from the Debian base; every later one from a stage named before it.
        assert stages[0][0] == "${BASE_IMAGE}", (dockerfile.name, stages)
        for index, (base, _) in enumerate(stages[1:], start=1):
            assert base in {named for _, named in stages[:index] if named}, (dockerfile.name, base)
        assert re.search(r"^ARG BASE_IMAGE=arena-debian:bookworm$", text, re.MULTILINE)
        for copied in re.findall(r"^COPY\s+(?!--from=)(\S+)\s", text, re.MULTILINE):
            assert (context / copied).exists(), (dockerfile.name, copied)
    assert "docker import" in (REPO / "deploy" / "build-base-image.sh").read_text()
    assert '"moto[server]' in (REPO / "deploy" / "images" / "s3.Dockerfile").read_text()


def test_compose_itself_accepts_both_files_when_it_is_installed(tmp_path: Path) -> None:
    """Run `config -q` with whichever compose is installed; the checks above hold either way."""
    commands = []
    if shutil.which("docker-compose"):
        commands.append(["docker-compose"])
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            commands.append(["docker", "compose"])
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in COMPOSE_VARIABLES.items()))
    for command in commands:
        for path in (MAIN, WORKER_HOST):
            done = subprocess.run(
                [*command, "--env-file", str(env_file), "-f", str(path), "config", "-q"],
                capture_output=True,
                text=True,
                check=False,
                cwd=REPO,
            )
            assert done.returncode == 0, (command, path.name, done.stderr)
    assert all(_load(path)["services"] for path in (MAIN, WORKER_HOST))


def test_the_s3_image_serves_moto_with_the_bucket_made_and_stops_on_sigterm() -> None:
    port = free_port()
    env = {**os.environ, **CREDENTIALS, "S3_PORT": str(port), "S3_BUCKET": "arena"}
    server = subprocess.Popen(
        [sys.executable, str(REPO / "deploy" / "images" / "s3server.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        said = [server.stdout.readline() for _ in range(2)]  # moto's own line, then the script's
        assert any("with bucket arena" in line for line in said), said
        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["arena"]
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
    assert code == 0


def _start_postgres_image_script(data: Path, port: int) -> subprocess.Popen[bytes]:
    """Run the PostgreSQL image's start script on this host's PostgreSQL 15, as the ``postgres`` account."""
    env = {
        "PATH": "/usr/lib/postgresql/15/bin:/usr/bin:/bin",
        "PGDATA": str(data),
        "PGPORT": str(port),
        "POSTGRES_USER": "arena",
        "POSTGRES_PASSWORD": "pg-pass",
        "POSTGRES_DB": "arena",
    }
    command = ["env", *(f"{k}={v}" for k, v in env.items()), "sh", str(REPO / "deploy/images/postgres-start.sh")]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _connect(port: int, seconds: float = 60) -> psycopg.Connection[Any]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return psycopg.connect(host="127.0.0.1", port=port, user="arena", password="pg-pass", dbname="arena")
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_postgres_image_makes_its_cluster_once_and_keeps_it_across_restarts() -> None:
    # Not under pytest's folder, which the postgres account may not enter.
    folder = Path(tempfile.mkdtemp(prefix="arena-pg-image-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        _start_twice(folder, free_port())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _start_twice(folder: Path, port: int) -> None:
    for attempt in range(2):
        server = _start_postgres_image_script(folder / "data", port)
        try:
            with _connect(port) as connection:
                if attempt == 0:
                    connection.execute("CREATE TABLE kept (n integer)")
                    connection.execute("INSERT INTO kept VALUES (42)")
                row = connection.execute("SELECT current_user, current_database(), (SELECT n FROM kept)").fetchone()
                assert row == ("arena", "arena", 42)
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(host="127.0.0.1", port=port, user="arena", password="wrong", dbname="arena")
        finally:
            # A fast shutdown (SIGINT) of the postmaster the script became; it removes its pid file when clean.
            pid_file = folder / "data" / "postmaster.pid"
            if pid_file.exists():
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
            else:
                server.terminate()
            server.wait(timeout=60)
        assert not (folder / "data" / "postmaster.pid").exists()
