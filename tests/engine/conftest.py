from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app import pubsub
from app.db import close_db, init_db, migrate_db
from app.engine import Engine
from app.settings import Settings
from models import Project
from tests.engine.factory import make_project
from tests.servers import PostgresServer


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


@pytest.fixture
async def postgres_db(postgres_server: PostgresServer, tmp_path: Path) -> AsyncIterator[Settings]:
    """A database of its own on the session's PostgreSQL, for PostgreSQL-only tests (JOBS.md's
    100,000-run case is about the production database; row locks are PostgreSQL's)."""
    url = postgres_server.create_database(f"bulk_{uuid.uuid4().hex[:12]}")
    settings = Settings(database_url=url, export_dir=tmp_path / "exports")
    await migrate_db(settings)
    await init_db(settings)
    pubsub.set_broadcast(None)
    try:
        yield settings
    finally:
        await close_db()
