from __future__ import annotations

from tortoise import fields, models

from app.enums import Role


class Project(models.Model):
    id = fields.UUIDField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "projects"


class ApiKey(models.Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    role = fields.IntEnumField(Role)
    # null only for SUPERADMIN keys, which span every project
    project: fields.ForeignKeyNullableRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="api_keys", null=True, on_delete=fields.CASCADE
    )
    # sha256 of the secret; the secret itself is never stored
    secret_hash = fields.CharField(max_length=64, unique=True)
    created_by = fields.CharField(max_length=255, default="system")
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    project_id: str | None

    class Meta:
        table = "api_keys"
