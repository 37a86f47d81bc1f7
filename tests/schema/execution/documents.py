"""Hand-written documents: the dashboard's and the benchmark's reads, and the language's corners
(aliases, fragments, inline fragments, @skip/@include with variables, __typename)."""

from __future__ import annotations

RUN_FIELDS = """
fragment RunRow on Run {
  id status workflowVersion triggeredBy initiatedBy tenant batchId priority dryRun visibility reason
  manuallyTriggered changeLimitReached disregardChangeLimit maxParallelSteps errorCount
  createdAt updatedAt scheduledAt startedAt finishedAt expiresAt durationSeconds
  subject { type id name collection } trigger { source key audienceKey scheduleId cancellationKey }
  error { message type stepRef }
  workflow { key name }
  tags { key value }
}
"""

# the runs page of the dashboard: rows, status counts
RUNS_PAGE = (
    """
query RunsPage($first: Int, $filter: String, $after: String) {
  runs(first: $first, filter: $filter, after: $after) {
    totalCount
    edges { cursor node { ...RunRow } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
  runStats(filter: $filter) { total byStatus { status count } }
}
"""
    + RUN_FIELDS
)

# the fields a plan resolves inline (schema.execution.inline), with and without arguments
INLINE_FIELDS = """
query Inline($loops: Boolean) {
  runs(first: 10) {
    edges {
      node {
        id durationSeconds workflow { key name }
        steps { ref iteration }
        all: steps(includeLoopIterations: true) { ref iteration parentRef }
        asked: steps(includeLoopIterations: $loops) { ref }
        none: steps(includeLoopIterations: false) { ref }
      }
    }
  }
}
"""

# bench/queries.py's Q1-Q3 document
BENCH_PAGE = """
query Runs($after: String, $filter: String) {
  runs(first: 50, after: $after, filter: $filter) {
    edges {
      cursor
      node {
        id workflow { key } workflowVersion status triggeredBy initiatedBy subject { id name } tenant batchId
        priority dryRun visibility reason errorCount input output createdAt updatedAt startedAt finishedAt
        durationSeconds
        steps { id ref type status attempt output error createdAt startedAt finishedAt }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# the run page: header, steps, actions, links, the latest events
RUN_DETAIL = (
    """
query RunDetail($id: ID!) {
  run(id: $id) {
    ...RunRow
    input output
    project { key name }
    availableActions
    retryOf { id } restartOf { id } parentRun { id } parentStep { ref } childRuns { id status }
    steps(includeLoopIterations: true) {
      id ref name type status attempt dependsOn input output error queue handler jobRunId iteration parentRef
      reused reason actor createdAt startedAt finishedAt leaseExpiresAt
      depsRequired depsCompleted waitingFor availableActions
    }
    pendingSteps { ref }
    signals { name payload receivedAt sentBy consumedBy }
    updates { seq type message details }
    events(first: 50) {
      totalCount
      edges { cursor node { seq at type runId stepRef stepType attempt ok actor reason data } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + RUN_FIELDS
)

RUN_STATS = """
query Stats($filter: String) { runStats(filter: $filter) { total byStatus { status count } } }
"""

WORKFLOWS = """
query Workflows {
  workflows(first: 20) {
    totalCount
    edges {
      cursor
      node {
        id key name description version createdAt updatedAt
        changeLimit { maxRuns windowSeconds }
        project { key }
        versions { version maxParallelSteps timeoutSeconds createdBy steps { ref type dependsOn handler config } }
        definition { version }
        runs(first: 3) { totalCount edges { node { id status } } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

EVENTS = """
query Events($id: ID!, $after: Int) {
  run(id: $id) {
    events(after: $after, first: 20) { totalCount edges { cursor node { seq type at stepRef ok data } } }
  }
}
"""

# the corners of the language
CORNERS = """
query Corners($withSteps: Boolean!, $skipWorkflow: Boolean!, $first: Int) {
  __typename
  page: runs(first: $first) {
    __typename
    edges {
      node {
        __typename
        runId: id
        id
        state: status
        ... on Run { priority workflow @skip(if: $skipWorkflow) { __typename k: key key } }
        ... @include(if: $withSteps) { steps { ref s: status } first: step(ref: "fetch") { ref } }
        ...More
        ...More @skip(if: $withSteps)
      }
    }
  }
  again: runs(first: 1) { edges { node { id } } }
}
fragment More on Run {
  errorCount
  subject { ... on Subject { id } name }
  error { message }
  steps @include(if: $withSteps) { attempt type }
}
"""

CORNER_VARIABLES = [
    {"withSteps": with_steps, "skipWorkflow": skip_workflow, "first": first}
    for with_steps in (True, False)
    for skip_workflow in (True, False)
    for first in (2, 6)
]

# reads that declined compilation must still answer the same (an interface)
NODE = """
query Node($id: ID!) { node(id: $id) { __typename id ... on Run { status } } }
"""
