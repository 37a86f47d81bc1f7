"""API keys and the principal behind a request."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING

from app.enums import Role, Visibility
from app.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:
    from models import ApiKey

SECRET_PREFIX = "fdk_"


@dataclasses.dataclass(frozen=True)
class Principal:
    key_id: uuid.UUID | None
    name: str
    role: Role
    # None for SUPERADMIN keys, which span every project
    project_id: uuid.UUID | None

    @property
    def actor(self) -> str:
        return f"apikey:{self.name}"

    @property
    def is_superadmin(self) -> bool:
        return self.role >= Role.SUPERADMIN

    def require(self, role: Role, operation: str) -> None:
        """Raise Forbidden when this principal's role is below `role`."""
        if self.role < role:
            raise Forbidden(f"{operation} needs role {role.name}; this key has {self.role.name}")

    def can_see_project(self, project_id: uuid.UUID | str | None) -> bool:
        if self.is_superadmin:
            return True
        return project_id is not None and str(project_id) == str(self.project_id)

    def can_see_run(self, project_id: uuid.UUID | str, visibility: Visibility, initiated_by: str) -> bool:
        if self.is_superadmin:
            return True
        if not self.can_see_project(project_id):
            return False
        return visibility != Visibility.PRIVATE or initiated_by == self.actor


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def principal_for(key: ApiKey) -> Principal:
    return Principal(
        key_id=key.id,
        name=key.name,
        role=Role(key.role),
        project_id=uuid.UUID(str(key.project_id)) if key.project_id else None,
    )


async def authenticate(authorization: str | None) -> Principal:
    """The principal for an `Authorization: Bearer <secret>` value; Unauthenticated otherwise.

    Looked up on every request (one indexed read), so a revoked key stops at once.
    """
    from models import ApiKey

    if not authorization:
        raise Unauthenticated("missing Authorization header: send 'Authorization: Bearer <api key>'")
    scheme, _, secret = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("malformed Authorization header: expected 'Bearer <api key>'")
    key = await ApiKey.get_or_none(secret_hash=hash_secret(secret.strip()))
    if key is None:
        raise Unauthenticated("unknown API key")
    if key.revoked_at is not None:
        raise Unauthenticated("this API key has been revoked")
    return principal_for(key)
