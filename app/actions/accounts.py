"""Projects and API keys."""

from __future__ import annotations

import uuid

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import pubsub
from app.auth import Principal, hash_secret, new_secret
from app.definitions import KEY_PATTERN
from app.enums import Role
from app.errors import Forbidden, NotFound, ValidationFailed
from app.ids import expect_global_id
from app.lifecycle import utcnow
from models import ApiKey, Project


async def resolve_project(principal: Principal, key: str | None, field: tuple[str, ...]) -> Project:
    """The project named by `key`, or the caller's own; NotFound for one the caller cannot see."""
    if key is None:
        if principal.project_id is None:
            raise ValidationFailed("project is required: a SUPERADMIN key spans every project", field)
        project = await Project.get_or_none(id=principal.project_id)
    else:
        project = await Project.get_or_none(key=key)
    if project is None or not principal.can_see_project(project.id):
        raise NotFound(f"no project {key!r}", field)
    return project


async def visible_projects(principal: Principal) -> list[Project]:
    query = Project.all().order_by("key")
    if not principal.is_superadmin:
        query = query.filter(id=principal.project_id)
    return await query


async def create_project(principal: Principal, key: str, name: str) -> Project:
    """A new project (SUPERADMIN)."""
    principal.require(Role.SUPERADMIN, "createProject")
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(
            "key must be lowercase letters, digits, '_', '.', '-', starting with a letter or digit",
            ("input", "key"),
        )
    if not name.strip():
        raise ValidationFailed("name must not be empty", ("input", "name"))
    try:
        return await Project.create(id=uuid.uuid4(), key=key, name=name.strip())
    except IntegrityError:
        raise ValidationFailed(f"a project with key {key!r} already exists", ("input", "key")) from None


async def create_api_key(
    principal: Principal, name: str, role: Role, project_key: str | None, *, created_by: str | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret, which is shown only this once.

    ADMIN may create keys of its own project for roles up to ADMIN; SUPERADMIN any key.
    """
    principal.require(Role.ADMIN, "createApiKey")
    if role > principal.role:
        raise Forbidden(f"a {principal.role.name} key cannot create a {role.name} key")
    if not name.strip():
        raise ValidationFailed("name must not be empty", ("input", "name"))
    project: Project | None = None
    if role is Role.SUPERADMIN:
        if project_key is not None:
            raise ValidationFailed("a SUPERADMIN key spans every project: leave project empty", ("input", "project"))
    else:
        project = await resolve_project(principal, project_key, ("input", "project"))
    secret = new_secret()
    key = await ApiKey.create(
        id=uuid.uuid4(),
        name=name.strip(),
        role=role,
        project=project,
        secret_hash=hash_secret(secret),
        created_by=created_by or principal.actor,
    )
    return key, secret


async def visible_api_keys(principal: Principal) -> list[ApiKey]:
    """Keys of the caller's project (ADMIN) or of every project (SUPERADMIN); none below ADMIN."""
    if principal.role < Role.ADMIN:
        return []
    query = ApiKey.all().order_by("created_at", "id")
    if not principal.is_superadmin:
        query = query.filter(project_id=principal.project_id)
    return await query


async def revoke_api_key(principal: Principal, key_id: str) -> ApiKey:
    """Revoke a key at once: its requests fail and its sockets close."""
    principal.require(Role.ADMIN, "revokeApiKey")
    raw_id = expect_global_id(key_id, "ApiKey", ("id",))
    key = await ApiKey.get_or_none(id=raw_id)
    if key is None or not principal.can_see_project(key.project_id):
        raise NotFound(f"no ApiKey with id {key_id!r}", ("id",))
    if key.role > principal.role:
        raise Forbidden(f"a {principal.role.name} key cannot revoke a {Role(key.role).name} key")
    if key.revoked_at is None:
        async with in_transaction():
            await ApiKey.filter(id=key.id, revoked_at=None).update(revoked_at=utcnow())
        await key.refresh_from_db()
        await pubsub.publish(pubsub.KEYS_TOPIC, {"revoked": str(key.id)})
    return key


async def ensure_bootstrap_key(secret: str) -> ApiKey:
    """The SUPERADMIN key with exactly this secret, created when missing (FLOWDECK_BOOTSTRAP_KEY)."""
    digest = hash_secret(secret)
    existing = await ApiKey.get_or_none(secret_hash=digest)
    if existing is not None:
        return existing
    try:
        return await ApiKey.create(
            id=uuid.uuid4(),
            name="bootstrap",
            role=Role.SUPERADMIN,
            project=None,
            secret_hash=digest,
            created_by="system",
        )
    except IntegrityError:  # another process created it first
        return await ApiKey.get(secret_hash=digest)
