from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.engine import Engine
from app.settings import Settings
from models import Project
from tests.engine.factory import make_project


@pytest.fixture
async def project(db: Settings) -> Project:
    return await make_project()


@pytest.fixture
async def engine(db: Settings) -> AsyncIterator[Engine]:
    running = Engine(db, name="test")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
