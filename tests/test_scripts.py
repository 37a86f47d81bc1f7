"""The README's commands, run the way a person runs them: from another directory, twice."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import httpx

from tests.servers import free_port, reap_spawned, spawn, spawned_count

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"


def run_script(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPTS / name), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_scripts_test_fails_when_no_test_runs(tmp_path: Path) -> None:
    result = run_script("test", "-p", "no:cacheprovider", "-k", "matches_no_test_at_all", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 5, result.stdout + result.stderr
    assert "pytest collected no tests: that is a failure" in result.stderr


def test_scripts_test_passes_through_a_passing_run_and_installs_nothing_the_second_time(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    first = run_script("test", "-p", "no:cacheprovider", str(tmp_path), cwd=tmp_path)
    second = run_script("test", "-p", "no:cacheprovider", str(tmp_path), cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    assert "1 passed" in second.stdout
    # pyproject.toml did not change between the two runs, so nothing is reinstalled.
    assert "installing flowdeck" not in second.stderr


def test_scripts_test_reports_a_failing_test(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text("def test_broken():\n    assert 1 + 1 == 3\n")
    result = run_script("test", "-p", "no:cacheprovider", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "1 failed" in result.stdout


def test_a_process_a_test_spawned_is_ended_with_its_children_when_the_test_ends() -> None:
    since = spawned_count()
    # a shell that ignores SIGTERM, with a child of its own: both must be gone
    leader = spawn(["bash", "-c", "trap '' TERM; sleep 600 & wait"])
    deadline = time.monotonic() + 10
    while not [stat for stat in Path("/proc").glob("[0-9]*/stat") if _process_group(stat) == leader.pid][1:]:
        assert time.monotonic() < deadline, "the shell never started its child"
        time.sleep(0.05)
    assert reap_spawned(since, grace=0.5) == [leader.pid]
    assert leader.poll() is not None
    # the orphaned child is killed too; a SIGKILL is delivered asynchronously, and a zombie is not running
    deadline = time.monotonic() + 10
    while group := [stat.parent.name for stat in _live_stats() if _process_group(stat) == leader.pid]:
        assert time.monotonic() < deadline, f"left running: {group}"
        time.sleep(0.05)


def _live_stats() -> list[Path]:
    stats = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            stats.append(stat)
    return stats


def test_scripts_test_ends_processes_a_test_left_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "leaked.pid"
    # A daemon in its own session, as pg_ctl starts PostgreSQL: not in the test's process group.
    (tmp_path / "test_leak.py").write_text(
        textwrap.dedent(
            f"""
            import subprocess

            def test_leaves_a_daemon_behind():
                daemon = subprocess.Popen(["sleep", "600"], start_new_session=True)
                open({str(pid_file)!r}, "w").write(str(daemon.pid))
            """
        )
    )
    result = run_script("test", "-p", "no:cacheprovider", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    pid = int(pid_file.read_text())
    assert "stopping processes the run left behind" in result.stderr
    assert not Path(f"/proc/{pid}").exists(), f"process {pid} is still running"


def test_ci_run_and_scripts_are_executable_bash() -> None:
    for path in (SCRIPTS / "serve", SCRIPTS / "test", REPO / ".ci" / "run"):
        assert os.access(path, os.X_OK), f"{path} is not executable"
        assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0


def _serve(tmp_path: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """Start `scripts/serve` from another directory; return it once /healthz answers, with its output."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("FLOWDECK_")}
    env["FLOWDECK_DATABASE_URL"] = f"sqlite://{tmp_path / 'demo.db'}"
    env["FLOWDECK_EXPORT_DIR"] = str(tmp_path / "exports")
    log = tmp_path / f"serve-{port}.log"
    with log.open("w") as output:
        process = spawn(
            [str(SCRIPTS / "serve"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"scripts/serve exited with {process.returncode}:\n{log.read_text()}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process, log.read_text()
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"scripts/serve did not answer /healthz:\n{log.read_text()}")


def _stop(process: subprocess.Popen[str]) -> None:
    # Ctrl-C, as a person stops it; the script exec'd flowdeck, so the signal reaches the server.
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(timeout=30) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    leftovers = [stat.parent.name for stat in Path("/proc").glob("[0-9]*/stat") if _process_group(stat) == process.pid]
    assert leftovers == [], f"processes left running after scripts/serve stopped: {leftovers}"


def _process_group(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def test_scripts_serve_prints_a_working_key_the_dashboard_and_graphiql_urls_twice(tmp_path: Path) -> None:
    for attempt in (1, 2):  # the second run finds the demo already loaded
        port = free_port()
        process, output = _serve(tmp_path, port)
        try:
            assert f"GraphiQL at http://127.0.0.1:{port}/graphql" in output
            match = re.search(r'"Authorization": "Bearer ([^"]+)"', output)
            assert match, output
            # UI.md: the demo prints the dashboard's sign-in URL, the same key in its fragment
            assert f"the dashboard at http://127.0.0.1:{port}/#key={match.group(1)}" in output
            dashboard = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
            assert dashboard.status_code == 200 and '<div id="app">' in dashboard.text
            answer = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": "{ me { role } workflows(first: 10) { edges { node { key } } } }"},
                headers={"Authorization": f"Bearer {match.group(1)}"},
                timeout=10,
            ).json()
            assert answer.get("errors") is None, (attempt, answer)
            assert answer["data"]["me"]["role"] == "SUPERADMIN"
            assert len(answer["data"]["workflows"]["edges"]) == 4
            page = httpx.get(f"http://127.0.0.1:{port}/graphql", headers={"Accept": "text/html"}, timeout=10)
            assert "graphiql" in page.text.lower()
        finally:
            _stop(process)
