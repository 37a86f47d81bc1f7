"""The garbage collector as `flowdeck serve` runs it (app/collector.py)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.asgi import create_app
from app.settings import ConfigError, Settings, load_settings


@pytest.fixture
def collector_state() -> Iterator[None]:
    """The process's collector settings, restored after the test."""
    threshold = gc.get_threshold()
    frozen = gc.get_freeze_count()
    yield
    gc.set_threshold(*threshold)
    if frozen == 0:
        gc.unfreeze()


async def _start_and_stop(app: Any) -> tuple[tuple[int, int, int], int]:
    """The collector's threshold and freeze count while the app's lifespan has started."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(message.get("message"))
        if message["type"] == "lifespan.startup.complete":
            started.set()

    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, send))
    await inbox.put({"type": "lifespan.startup"})
    await started.wait()
    state = gc.get_threshold(), gc.get_freeze_count()
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    return state


@pytest.mark.usefixtures("collector_state")
def test_a_serving_app_freezes_its_start_up_and_collects_young_objects_less_often(tmp_path: Path) -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    settings = Settings(database_url=f"sqlite://{tmp_path}/db.sqlite3", export_dir=tmp_path, gc_gen0_threshold=12_345)
    threshold, frozen = asyncio.run(_start_and_stop(create_app(settings, run_engine=False, serving=True)))
    assert threshold == (12_345, 10, 10)
    assert frozen > 1000  # the modules, the schema and everything else start-up allocated


@pytest.mark.usefixtures("collector_state")
@pytest.mark.parametrize(
    ("serving", "gc_tuning"), [(False, True), (True, False)], ids=["an app in a test process", "tuning off"]
)
def test_the_collector_is_left_alone(tmp_path: Path, serving: bool, gc_tuning: bool) -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    settings = Settings(database_url=f"sqlite://{tmp_path}/db.sqlite3", export_dir=tmp_path, gc_tuning=gc_tuning)
    threshold, frozen = asyncio.run(_start_and_stop(create_app(settings, run_engine=False, serving=serving)))
    assert threshold == (700, 10, 10)
    assert frozen == 0


def test_settings_from_the_environment() -> None:
    assert (load_settings({}).gc_tuning, load_settings({}).gc_gen0_threshold) == (True, 50_000)
    tuned = load_settings({"FLOWDECK_GC_TUNING": "off", "FLOWDECK_GC_GEN0_THRESHOLD": "2000"})
    assert (tuned.gc_tuning, tuned.gc_gen0_threshold) == (False, 2000)
    with pytest.raises(ConfigError, match="FLOWDECK_GC_GEN0_THRESHOLD"):
        load_settings({"FLOWDECK_GC_GEN0_THRESHOLD": "0"})
