"""Fixtures for API tests through `schema.execute`: a client per API key."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.actions.accounts import create_api_key, create_project, ensure_bootstrap_key
from app.auth import Principal
from app.enums import Role
from app.settings import Settings
from schema import build_schema
from schema.context import Context

BOOTSTRAP_SECRET = "fdk_test-bootstrap-secret"


@dataclasses.dataclass
class Client:
    settings: Settings
    secret: str | None

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        schema = build_schema(self.settings)
        authorization = f"Bearer {self.secret}" if self.secret is not None else None
        return await schema.execute(
            query, variable_values=variables, context_value=Context(settings=self.settings, authorization=authorization)
        )

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The result's data, failing the test on any top-level error."""
        result = await self.execute(query, variables)
        assert result.errors is None, [error.formatted for error in result.errors]
        return result.data

    async def error(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The single top-level error's formatted form."""
        result = await self.execute(query, variables)
        assert result.errors, f"expected an error, got {result.data}"
        return result.errors[0].formatted


@pytest.fixture
async def superadmin(db: Settings) -> Client:
    await ensure_bootstrap_key(BOOTSTRAP_SECRET)
    return Client(db, BOOTSTRAP_SECRET)


@dataclasses.dataclass
class ProjectKeys:
    project_key: str
    admin: Client
    operator: Client
    viewer: Client


async def make_project(settings: Settings, key: str) -> ProjectKeys:
    system = Principal(key_id=None, name="tests", role=Role.SUPERADMIN, project_id=None)
    await create_project(system, key, key.title())
    clients = {}
    for role in (Role.ADMIN, Role.OPERATOR, Role.VIEWER):
        _, secret = await create_api_key(system, f"{key}-{role.name.lower()}", role, key)
        clients[role] = Client(settings, secret)
    return ProjectKeys(key, clients[Role.ADMIN], clients[Role.OPERATOR], clients[Role.VIEWER])


@pytest.fixture
async def acme(db: Settings) -> ProjectKeys:
    return await make_project(db, "acme")


@pytest.fixture
async def globex(db: Settings) -> ProjectKeys:
    return await make_project(db, "globex")
