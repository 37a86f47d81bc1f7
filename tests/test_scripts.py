"""The README's commands, run the way a person runs them: from another directory, twice."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

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
    result = run_script(
        "test", "-p", "no:cacheprovider", "-k", "matches_no_test_at_all", str(tmp_path), cwd=tmp_path
    )
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
