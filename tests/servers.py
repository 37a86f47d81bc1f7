"""Throwaway servers for the tests: PostgreSQL and Redis on loopback, from Debian's binaries.

Nothing is set up by hand: each server lives in a temporary directory, listens on a
free port on 127.0.0.1 and is stopped (and its directory removed) at the end.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def postgres_bin() -> Path | None:
    """The directory of initdb/pg_ctl, or None when PostgreSQL's server is not installed."""
    for candidate in [*PG_BIN_DIRS]:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def redis_bin() -> Path | None:
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    return Path(found) if found else None


def _as_service_user() -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, so use the `postgres` account.
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return []
    return ["runuser", "-u", "postgres", "--"]


class PostgresServer:
    """A private PostgreSQL cluster on a free loopback port."""

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL server binaries are not installed")
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="flowdeck-pg-"))
        self.port = free_port()
        self.prefix = _as_service_user()
        if self.prefix:
            shutil.chown(self.root, user="postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        data = self.root / "data"
        self._run(
            str(self.bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--locale=C.UTF-8", "-E", "UTF8",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run(str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """A private redis-server on a free loopback port, no persistence."""

    def __init__(self) -> None:
        binary = redis_bin()
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()


@contextlib.contextmanager
def running(server: PostgresServer | RedisServer) -> Iterator[PostgresServer | RedisServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
