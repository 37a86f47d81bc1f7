from __future__ import annotations

from typing import Any

from models import Workflow, WorkflowVersion
from tests.schema.conftest import Client

CREATE_WORKFLOW = """
mutation($input: CreateWorkflowInput!) {
  createWorkflow(input: $input) {
    workflow {
      id key name version project { key }
      changeLimit { maxRuns windowSeconds }
      definition {
        version maxParallelSteps
        steps { ref type dependsOn handler queue config onCancel retry { maxAttempts backoffSeconds backoffFactor } }
      }
    }
    errors { code message field }
  }
}"""
PUBLISH = """
mutation($input: PublishWorkflowVersionInput!) {
  publishWorkflowVersion(input: $input) {
    workflow { version versions { version maxParallelSteps steps { ref } } definition(version: 1) { steps { ref } } }
    errors { code message field }
  }
}"""
WORKFLOW = "query($key: String!) { workflow(key: $key) { key version } }"
WORKFLOWS = """
query($first: Int, $after: String) {
  workflows(first: $first, after: $after) {
    totalCount edges { cursor node { key } } pageInfo { hasNextPage endCursor }
  }
}"""


def chain(*refs: str) -> list[dict[str, Any]]:
    steps = []
    for index, ref in enumerate(refs):
        steps.append({"ref": ref, "type": "TASK", "handler": "noop", "dependsOn": [refs[index - 1]] if index else []})
    return steps


async def create(client: Client, steps: list[dict[str, Any]], key: str = "wf", **extra: Any) -> dict[str, Any]:
    variables = {"input": {"key": key, "name": key.title(), "steps": steps, **extra}}
    return (await client.data(CREATE_WORKFLOW, variables))["createWorkflow"]


async def test_create_workflow_and_read_it_back(acme):
    steps = [
        *chain("a", "b"),
        {"ref": "ask", "type": "APPROVAL", "dependsOn": ["b"]},
        {
            "ref": "ext",
            "type": "TASK",
            "handler": "anything",
            "queue": "billing",
            "dependsOn": ["ask"],
            "retry": {"maxAttempts": 3, "backoffSeconds": 2},
        },
        {"ref": "undo", "type": "TASK", "handler": "noop", "onCancel": True},
    ]
    payload = await create(acme.admin, steps, changeLimit={"maxRuns": 2, "windowSeconds": 60})
    assert payload["errors"] == []
    workflow = payload["workflow"]
    assert workflow["version"] == 1 and workflow["project"] == {"key": "acme"}
    assert workflow["changeLimit"] == {"maxRuns": 2, "windowSeconds": 60}
    definition = workflow["definition"]
    assert definition["maxParallelSteps"] == 4
    assert [s["ref"] for s in definition["steps"]] == ["a", "b", "ask", "ext", "undo"]
    assert definition["steps"][3]["queue"] == "billing"
    assert definition["steps"][3]["retry"] == {"maxAttempts": 3, "backoffSeconds": 2.0, "backoffFactor": 2.0}
    assert definition["steps"][4]["onCancel"] is True
    assert (await acme.viewer.data(WORKFLOW, {"key": "wf"}))["workflow"] == {"key": "wf", "version": 1}


async def test_every_dag_problem_is_reported_with_its_path(acme):
    steps = [
        {"ref": "a", "type": "TASK", "handler": "noop", "dependsOn": ["c"]},
        {"ref": "a", "type": "TASK", "handler": "noop"},
        {"ref": "b", "type": "TASK", "handler": "no-such-handler", "dependsOn": ["ghost"]},
        {"ref": "c", "type": "TASK", "handler": "noop", "dependsOn": ["a"]},
        {"ref": "s", "type": "SIGNAL"},
        {"ref": "z", "type": "SLEEP", "config": {"seconds": -1}},
        {"ref": "h", "type": "HTTP", "config": {"url": "ftp://x"}},
        {"ref": "l", "type": "FOR_EACH", "config": {"items": "xs", "body": {"type": "APPROVAL"}}},
        {"ref": "sub", "type": "SUBWORKFLOW", "config": {"workflowKey": "missing"}},
    ]
    payload = await create(acme.admin, steps)
    assert payload["workflow"] is None
    found = {tuple(error["field"]): error["message"] for error in payload["errors"]}
    assert all(error["code"] == "VALIDATION" for error in payload["errors"])
    assert "duplicate ref 'a'" in found[("input", "steps", "1", "ref")]
    assert "unknown handler 'no-such-handler'" in found[("input", "steps", "2", "handler")]
    assert "unknown step 'ghost'" in found[("input", "steps", "2", "dependsOn", "0")]
    assert "config.signal" in found[("input", "steps", "4", "config", "signal")]
    assert "config.seconds" in found[("input", "steps", "5", "config", "seconds")]
    assert "config.url" in found[("input", "steps", "6", "config", "url")]
    assert "TASK or HTTP" in found[("input", "steps", "7", "config", "body", "type")]
    assert "unknown workflow 'missing'" in found[("input", "steps", "8", "config", "workflowKey")]
    assert found[("input", "steps")].startswith("dependency cycle: ")
    assert await Workflow.all().count() == 0 and await WorkflowVersion.all().count() == 0


async def test_cycle_names_the_refs(acme):
    steps = [
        {"ref": "a", "type": "TASK", "handler": "noop", "dependsOn": ["b"]},
        {"ref": "b", "type": "TASK", "handler": "noop", "dependsOn": ["a"]},
    ]
    payload = await create(acme.admin, steps)
    assert payload["errors"] == [
        {"code": "VALIDATION", "message": "dependency cycle: a -> b -> a", "field": ["input", "steps"]}
    ]


async def test_duplicate_key_and_bad_settings(acme):
    assert (await create(acme.admin, chain("a")))["errors"] == []
    again = await create(acme.admin, chain("a"))
    assert again["errors"][0]["field"] == ["input", "key"] and "already exists" in again["errors"][0]["message"]
    bad = await create(
        acme.admin, chain("a"), key="other", maxParallelSteps=0, changeLimit={"maxRuns": 0, "windowSeconds": 1}
    )
    assert {tuple(e["field"]) for e in bad["errors"]} == {
        ("input", "maxParallelSteps"),
        ("input", "changeLimit", "maxRuns"),
    }


async def test_publish_versions(acme):
    await create(acme.admin, chain("a"))
    published = (
        await acme.admin.data(
            PUBLISH, {"input": {"workflowKey": "wf", "steps": chain("a", "b"), "maxParallelSteps": 2}}
        )
    )["publishWorkflowVersion"]
    assert published["errors"] == []
    workflow = published["workflow"]
    assert workflow["version"] == 2
    assert [(v["version"], v["maxParallelSteps"], len(v["steps"])) for v in workflow["versions"]] == [
        (1, 4, 1),
        (2, 2, 2),
    ]
    assert workflow["definition"] == {"steps": [{"ref": "a"}]}
    missing = (await acme.admin.data(PUBLISH, {"input": {"workflowKey": "nope", "steps": chain("a")}}))[
        "publishWorkflowVersion"
    ]
    assert missing["errors"][0]["code"] == "NOT_FOUND" and missing["errors"][0]["field"] == ["input", "workflowKey"]


async def test_operators_cannot_define_workflows(acme):
    error = await acme.operator.error(CREATE_WORKFLOW, {"input": {"key": "wf", "name": "x", "steps": chain("a")}})
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_workflow_of_another_project_is_null(acme, globex):
    await create(globex.admin, chain("a"))
    assert (await acme.viewer.data(WORKFLOW, {"key": "wf"}))["workflow"] is None


async def test_workflows_connection_pages_in_the_callers_project(acme, globex):
    for key in ("w1", "w2", "w3"):
        await create(acme.admin, chain("a"), key=key)
    await create(globex.admin, chain("a"), key="other")
    first = (await acme.viewer.data(WORKFLOWS, {"first": 2}))["workflows"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = (await acme.viewer.data(WORKFLOWS, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["workflows"]
    assert rest["pageInfo"]["hasNextPage"] is False
    keys = [edge["node"]["key"] for edge in first["edges"] + rest["edges"]]
    assert sorted(keys) == ["w1", "w2", "w3"] and len(set(keys)) == 3
