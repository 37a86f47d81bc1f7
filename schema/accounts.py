"""Projects, API keys and the caller."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.actions import accounts
from app.ids import to_global_id
from models import ApiKey as ApiKeyModel
from models import Project as ProjectModel
from schema.context import Authenticated, Info, principal_of
from schema.enums import Role
from schema.errors import UserError, attempt
from schema.node import Node


@strawberry.type
class Project(Node):
    id: strawberry.ID
    key: str
    name: str
    created_at: dt.datetime

    @classmethod
    def from_model(cls, project: ProjectModel) -> Project:
        return cls(
            id=strawberry.ID(to_global_id("Project", project.id)),
            key=project.key,
            name=project.name,
            created_at=project.created_at,
        )


async def load_project(info: Info, project_id: object) -> Project | None:
    if project_id is None:
        return None
    project = await info.context.loaders.project.load(str(project_id))
    return Project.from_model(project) if project else None


@strawberry.type
class ApiKey(Node):
    id: strawberry.ID
    name: str
    role: Role
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    project_id: strawberry.Private[object]

    @strawberry.field
    async def project(self, info: Info) -> Project | None:
        return await load_project(info, self.project_id)

    @classmethod
    def from_model(cls, key: ApiKeyModel) -> ApiKey:
        return cls(
            id=strawberry.ID(to_global_id("ApiKey", key.id)),
            name=key.name,
            role=key.role,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            project_id=key.project_id,
        )


@strawberry.type
class Principal:
    name: str
    role: Role
    project_id: strawberry.Private[object]

    @strawberry.field(description="null for SUPERADMIN keys, which span every project")
    async def project(self, info: Info) -> Project | None:
        return await load_project(info, self.project_id)


@strawberry.type
class ProjectPayload:
    project: Project | None
    errors: list[UserError]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(description="the secret, shown once")
    errors: list[UserError]


@strawberry.input
class CreateApiKeyInput:
    name: str
    role: Role
    project: str | None = strawberry.field(default=None, description="project key; null only for SUPERADMIN")


@strawberry.input
class CreateProjectInput:
    key: str
    name: str


@strawberry.type
class AccountQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def me(self, info: Info) -> Principal:
        principal = principal_of(info)
        return Principal(name=principal.name, role=principal.role, project_id=principal.project_id)

    @strawberry.field(permission_classes=[Authenticated])
    async def projects(self, info: Info) -> list[Project]:
        return [Project.from_model(p) for p in await accounts.visible_projects(principal_of(info))]

    @strawberry.field(permission_classes=[Authenticated])
    async def api_keys(self, info: Info) -> list[ApiKey]:
        return [ApiKey.from_model(k) for k in await accounts.visible_api_keys(principal_of(info))]


@strawberry.type
class AccountMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def create_project(self, info: Info, input: CreateProjectInput) -> ProjectPayload:
        project, errors = await attempt(accounts.create_project(principal_of(info), input.key, input.name))
        return ProjectPayload(project=Project.from_model(project) if project else None, errors=errors)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> ApiKeyPayload:
        created, errors = await attempt(
            accounts.create_api_key(principal_of(info), input.name, input.role, input.project)
        )
        if created is None:
            return ApiKeyPayload(api_key=None, secret=None, errors=errors)
        key, secret = created
        return ApiKeyPayload(api_key=ApiKey.from_model(key), secret=secret, errors=[])

    @strawberry.mutation(permission_classes=[Authenticated])
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        key, errors = await attempt(accounts.revoke_api_key(principal_of(info), id))
        return ApiKeyPayload(api_key=ApiKey.from_model(key) if key else None, secret=None, errors=errors)
