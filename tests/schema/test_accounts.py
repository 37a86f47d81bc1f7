from __future__ import annotations

from models import ApiKey
from tests.schema.conftest import Client

ME = "{ me { name role project { key } } }"
CREATE_PROJECT = """
mutation($key: String!, $name: String!) {
  createProject(input: {key: $key, name: $name}) { project { id key name } errors { code message field } }
}"""
CREATE_KEY = """
mutation($name: String!, $role: Role!, $project: String) {
  createApiKey(input: {name: $name, role: $role, project: $project}) {
    apiKey { id name role project { key } revokedAt } secret errors { code message field }
  }
}"""
REVOKE_KEY = "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } errors { code message } } }"
PROJECTS = "{ projects { key } }"
API_KEYS = "{ apiKeys { name role } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Project { key } } }"


async def test_missing_unknown_and_malformed_keys_are_unauthenticated(superadmin: Client):
    for secret in (None, "fdk_nope"):
        error = await Client(superadmin.settings, secret).error(ME)
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await Client(superadmin.settings, "").error(ME)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bootstrap_key_is_superadmin_without_project(superadmin: Client):
    assert (await superadmin.data(ME))["me"] == {"name": "bootstrap", "role": "SUPERADMIN", "project": None}


async def test_project_and_key_lifecycle(superadmin: Client):
    project = (await superadmin.data(CREATE_PROJECT, {"key": "acme", "name": "Acme"}))["createProject"]
    assert project["errors"] == [] and project["project"]["key"] == "acme"

    created = (await superadmin.data(CREATE_KEY, {"name": "ops", "role": "OPERATOR", "project": "acme"}))[
        "createApiKey"
    ]
    assert created["errors"] == []
    assert created["apiKey"]["project"] == {"key": "acme"} and created["secret"].startswith("fdk_")
    stored = await ApiKey.get(name="ops")
    assert created["secret"] not in stored.secret_hash  # only a hash is kept

    operator = Client(superadmin.settings, created["secret"])
    assert (await operator.data(ME))["me"] == {"name": "ops", "role": "OPERATOR", "project": {"key": "acme"}}

    revoked = (await superadmin.data(REVOKE_KEY, {"id": created["apiKey"]["id"]}))["revokeApiKey"]
    assert revoked["errors"] == [] and revoked["apiKey"]["revokedAt"] is not None
    error = await operator.error(ME)
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and "revoked" in error["message"]


async def test_duplicate_and_malformed_project_keys_are_payload_errors(superadmin: Client):
    await superadmin.data(CREATE_PROJECT, {"key": "acme", "name": "Acme"})
    again = (await superadmin.data(CREATE_PROJECT, {"key": "acme", "name": "Other"}))["createProject"]
    assert again["project"] is None
    assert again["errors"] == [
        {"code": "VALIDATION", "message": "a project with key 'acme' already exists", "field": ["input", "key"]}
    ]
    bad = (await superadmin.data(CREATE_PROJECT, {"key": "Bad Key!", "name": "x"}))["createProject"]
    assert bad["errors"][0]["field"] == ["input", "key"]


async def test_roles_gate_operations(acme, globex, superadmin: Client):
    error = await acme.operator.error(CREATE_PROJECT, {"key": "x", "name": "x"})
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await acme.viewer.error(CREATE_KEY, {"name": "k", "role": "VIEWER", "project": "acme"})
    assert error["extensions"]["code"] == "FORBIDDEN"
    # an ADMIN may create keys up to ADMIN in its own project, but not SUPERADMIN keys
    made = (await acme.admin.data(CREATE_KEY, {"name": "v2", "role": "VIEWER", "project": None}))["createApiKey"]
    assert made["errors"] == [] and made["apiKey"]["project"] == {"key": "acme"}
    error = await acme.admin.error(CREATE_KEY, {"name": "s", "role": "SUPERADMIN", "project": None})
    assert error["extensions"]["code"] == "FORBIDDEN"
    # another project's key is NOT_FOUND, never FORBIDDEN
    other = (await acme.admin.data(CREATE_KEY, {"name": "x", "role": "VIEWER", "project": "globex"}))["createApiKey"]
    assert other["errors"][0]["code"] == "NOT_FOUND" and other["errors"][0]["field"] == ["input", "project"]


async def test_project_scoping_of_lists_and_nodes(acme, globex, superadmin: Client):
    assert (await acme.viewer.data(PROJECTS))["projects"] == [{"key": "acme"}]
    assert {p["key"] for p in (await superadmin.data(PROJECTS))["projects"]} == {"acme", "globex"}
    assert (await acme.viewer.data(API_KEYS))["apiKeys"] == []
    names = {k["name"] for k in (await acme.admin.data(API_KEYS))["apiKeys"]}
    assert names == {"acme-admin", "acme-operator", "acme-viewer"}

    globex_id = next(
        p["id"] for p in (await superadmin.data("{ projects { id key } }"))["projects"] if p["key"] == "globex"
    )
    assert (await superadmin.data(NODE, {"id": globex_id}))["node"]["key"] == "globex"
    assert (await acme.viewer.data(NODE, {"id": globex_id}))["node"] is None
    assert (await acme.viewer.data(NODE, {"id": "not-a-global-id"}))["node"] is None


async def test_revoking_another_projects_key_is_not_found(acme, globex):
    keys = (await globex.admin.data("{ apiKeys { id name } }"))["apiKeys"]
    result = (await acme.admin.data(REVOKE_KEY, {"id": keys[0]["id"]}))["revokeApiKey"]
    assert result["apiKey"] is None and result["errors"][0]["code"] == "NOT_FOUND"
    assert await ApiKey.filter(revoked_at__isnull=False).count() == 0
