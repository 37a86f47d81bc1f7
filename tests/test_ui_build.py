"""The dashboard's committed build (app/ui/static) is what its sources (ui/) build to, and its
frontend unit tests (Vitest) pass. Both run in a clean copy of ui/ with `npm ci`, so a stale
build, a missing lock-file entry or a failing unit test fails here. Needs Node and npm
(collected only where npm is installed, and always under CI)."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "app" / "ui" / "static"

pytestmark = pytest.mark.timeout(600)


def _differences(built: Path, committed: Path) -> list[str]:
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"only in the clean build: {prefix}{name}" for name in comparison.left_only)
        found.extend(f"only committed: {prefix}{name}" for name in comparison.right_only)
        found.extend(f"differs: {prefix}{name}" for name in comparison.diff_files)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(built, committed, ignore=[]), "")
    # dircmp compares by stat signature first; compare the bytes of same-named files too
    for path in built.rglob("*"):
        twin = committed / path.relative_to(built)
        if path.is_file() and twin.is_file() and path.read_bytes() != twin.read_bytes():
            found.append(f"differs: {path.relative_to(built)}")
    return sorted(set(found))


@pytest.fixture(scope="module")
def ui_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clean copy of ui/ (sources and lock file, no node_modules) with `npm ci` done."""
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed: the dashboard's build and unit tests need Node and npm")
    work = tmp_path_factory.mktemp("ui-build")
    subprocess.run([str(ROOT / "scripts" / "build-ui"), "--prepare", str(work)], check=True, timeout=500)
    yield work / "ui"


def test_committed_dashboard_build_matches_a_clean_build_of_its_sources(ui_copy: Path) -> None:
    out = ui_copy.parent / "out"
    env = {**os.environ, "FLOWDECK_UI_OUT": str(out)}
    result = subprocess.run(["npm", "run", "build"], cwd=ui_copy, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "index.html").is_file()
    differences = _differences(out, STATIC)
    assert differences == [], "app/ui/static is stale against ui/ (run scripts/build-ui and commit):\n" + "\n".join(
        differences
    )


def test_dashboard_unit_tests_pass(ui_copy: Path) -> None:
    result = subprocess.run(
        ["npx", "vitest", "run", "--reporter=verbose"], cwd=ui_copy, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # the pieces with logic: URL state, live list merging, DAG layout input, filter text, batching
    for suite in ("urlstate.test.ts", "livelist.test.ts", "dag.test.ts", "filtertext.test.ts", "batch.test.ts"):
        assert suite in result.stdout, f"{suite} did not run:\n{result.stdout}"
