"""Throwaway servers for the tests: PostgreSQL and Redis on loopback, from Debian's binaries.

Nothing is set up by hand: each server lives in a temporary directory, listens on a
free port on 127.0.0.1 and is stopped (and its directory removed) at the end.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx

from tests import secret_sweep

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_spawned: list[subprocess.Popen] = []


def spawn(args: Sequence[str], **options) -> subprocess.Popen:
    """`subprocess.Popen` in a session of its own, remembered so that `reap_spawned` ends it
    (and anything it started) after the test, however the test ended: a process the tests
    leave running would go on working on the session's database under every later test."""
    secret_sweep.register_environment(options.get("env") or {})
    process = subprocess.Popen(list(args), start_new_session=True, **options)
    _spawned.append(process)
    return process


def spawned_count() -> int:
    return len(_spawned)


def reap_spawned(since: int, grace: float = 5.0) -> list[int]:
    """SIGTERM, then SIGKILL after `grace` seconds, the process group of every process spawned
    since `spawned_count()` was `since` that is still running; returns their pids."""
    started, _spawned[since:] = _spawned[since:], []
    running = [process for process in started if process.poll() is None]
    for process in running:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in started:
        # the group too: workers or children that outlived their leader
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    return [process.pid for process in running]


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
    debian = Path("/usr/bin/redis-server")
    found = shutil.which("redis-server") or (str(debian) if debian.exists() else None)
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

    def initdb(self, data: Path) -> None:
        """A new cluster in `data`: user postgres, trust auth, UTF-8."""
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--locale=C.UTF-8",
            "-E",
            "UTF8",
        )

    def start(self) -> PostgresServer:
        self.initdb(self.root / "data")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self.options = options
        self.resume()
        return self

    def halt(self) -> None:
        """Stop the server, ending every connection, keeping its data for resume(). A fast
        shutdown, not an immediate one: with synchronous_commit=off an immediate one could drop
        the last commits the clients were told of, a loss of this test set-up, not of flowdeck."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server (again) on its data directory and port."""
        log = str(self.root / "log")
        data = str(self.root / "data")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", data, "-o", self.options, "-l", log, "-w", "start")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        self._run(
            str(self.bin_dir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        )

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


def flowdeck_command() -> list[str]:
    """How to run the `flowdeck` console script of the interpreter running the tests."""
    script = Path(sys.executable).with_name("flowdeck")
    if script.exists():
        return [str(script)]
    # Not installed as a script (e.g. a bare interpreter with the repo on sys.path).
    return [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())"]


class FlowdeckServer:
    """A real `flowdeck serve` process on a free loopback port.

    `env` is laid over the tests' environment, from which every other FLOWDECK_* variable
    is removed so a developer's own settings cannot leak in. The process runs in its own
    working directory (no `.env` is read from the repository) and its own process group, so
    `stop()` and `kill()` also end any uvicorn worker processes it started.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        engine: bool = True,
        demo: bool = False,
        workers: int | None = None,
        extra_args: Sequence[str] = (),
        key: str | None = None,
    ) -> None:
        self.port = free_port()
        self.key = key if key is not None else env.get("FLOWDECK_BOOTSTRAP_KEY")
        self.root = Path(tempfile.mkdtemp(prefix="flowdeck-server-"))
        self.log_path = self.root / "output.log"
        self.env = {name: value for name, value in os.environ.items() if not name.startswith("FLOWDECK_")}
        self.env.update(env)
        self.env.setdefault("FLOWDECK_EXPORT_DIR", str(self.root / "exports"))
        self.args = [*flowdeck_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if not engine:
            self.args.append("--no-engine")
        if demo:
            self.args.append("--demo")
        if workers is not None:
            self.args += ["--workers", str(workers)]
        self.args += list(extra_args)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header for the bootstrap key."""
        if self.key is None:
            raise RuntimeError("this server was started without FLOWDECK_BOOTSTRAP_KEY")
        return {"Authorization": f"Bearer {self.key}"}

    def output(self) -> str:
        """Everything the process printed so far (stdout and stderr)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self, timeout: float = 60.0) -> FlowdeckServer:
        """Start the process and wait until `GET /healthz` answers 200."""
        with self.log_path.open("wb") as log:
            self.process = spawn(
                self.args, env=self.env, cwd=self.root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.output()
                status = self.stop()
                raise RuntimeError(f"flowdeck serve exited with {status} before /healthz answered:\n{output}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return self
            time.sleep(0.1)
        output = self.output()
        self.stop()
        raise TimeoutError(f"flowdeck serve did not answer /healthz within {timeout}s:\n{output}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM (a clean shutdown), SIGKILL after `timeout`; returns the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.process.wait(timeout=10)
        self._kill_group()  # workers that outlived their manager
        secret_sweep.scan_text(f"the output of flowdeck serve on port {self.port}", self.output())
        secret_sweep.scan_tree(self.root / "exports")
        shutil.rmtree(self.root, ignore_errors=True)
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL the whole server at once, as a crash would; `stop()` may still be called."""
        if self.process is None:
            return
        self._kill_group()
        self.process.wait(timeout=10)

    def _kill_group(self) -> None:
        assert self.process is not None
        # The process group id is the server's own pid (start_new_session above).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self) -> FlowdeckServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
