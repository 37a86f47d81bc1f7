/** Every operation the dashboard sends (typed by GraphQL Code Generator from schema/schema.graphql). */
import { graphql } from './gql';

export const MeQuery = graphql(`
  query Me {
    me {
      name
      role
      project {
        key
      }
    }
  }
`);

export const RunRowFields = graphql(`
  fragment RunRow on Run {
    id
    status
    workflowVersion
    initiatedBy
    priority
    tenant
    errorCount
    createdAt
    startedAt
    finishedAt
    durationSeconds
    subject {
      type
      id
      name
    }
    workflow {
      key
      name
    }
    tags {
      key
      value
    }
    error {
      message
    }
  }
`);

export const RunsQuery = graphql(`
  query Runs(
    $filter: String
    $search: String
    $orderBy: [RunOrder!]
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    runs(filter: $filter, search: $search, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          ...RunRow
        }
      }
    }
  }
`);

export const RunStatsQuery = graphql(`
  query RunStats($filter: String) {
    runStats(filter: $filter) {
      total
      byStatus {
        status
        count
      }
    }
  }
`);

export const RunChangedSubscription = graphql(`
  subscription RunChanged($filter: String) {
    runChanged(filter: $filter) {
      ...RunRow
    }
  }
`);

export const WorkflowKeysQuery = graphql(`
  query WorkflowKeys {
    workflows(first: 100) {
      edges {
        node {
          key
          name
        }
      }
    }
  }
`);

export const BulkRunActionMutation = graphql(`
  mutation BulkRunAction($input: BulkRunActionInput!) {
    bulkRunAction(input: $input) {
      matched
      succeeded
      failed
      dryRun
      failures {
        runId
        code
        message
      }
      errors {
        code
        message
      }
    }
  }
`);

export const UnblockRunsMutation = graphql(`
  mutation UnblockRuns($input: UnblockRunsInput!) {
    unblockRuns(input: $input) {
      matched
      succeeded
      failed
      dryRun
      failures {
        runId
        code
        message
      }
      errors {
        code
        message
      }
    }
  }
`);

export const ExportRunsMutation = graphql(`
  mutation ExportRuns($input: ExportRunsInput!) {
    exportRuns(input: $input) {
      job {
        id
        status
        progress
        rowCount
        url
        error
        format
      }
      errors {
        code
        message
      }
    }
  }
`);

export const ExportJobSubscription = graphql(`
  subscription ExportJobProgress($id: ID!) {
    exportJob(id: $id) {
      id
      status
      progress
      rowCount
      url
      error
      format
    }
  }
`);

export const ExportJobQuery = graphql(`
  query ExportJob($id: ID!) {
    exportJob(id: $id) {
      id
      status
      progress
      rowCount
      url
      error
      format
      filter
      createdAt
    }
  }
`);

export const StepFields = graphql(`
  fragment StepFields on StepRun {
    id
    ref
    name
    type
    status
    attempt
    dependsOn
    iteration
    parentRef
    output
    error
    reason
    createdAt
    startedAt
    finishedAt
    waitingFor
    availableActions
    attempts {
      attempt
      status
      startedAt
      finishedAt
      error
    }
  }
`);

export const RunQuery = graphql(`
  query Run($id: ID!) {
    run(id: $id) {
      id
      status
      workflowVersion
      triggeredBy
      initiatedBy
      priority
      tenant
      reason
      dryRun
      visibility
      input
      output
      errorCount
      createdAt
      startedAt
      finishedAt
      durationSeconds
      availableActions
      subject {
        type
        id
        name
      }
      error {
        message
        type
        stepRef
      }
      workflow {
        key
        name
      }
      project {
        key
      }
      tags {
        key
        value
      }
      retryOf {
        id
        status
      }
      restartOf {
        id
        status
      }
      parentRun {
        id
        status
      }
      childRuns {
        id
        status
        workflow {
          key
        }
        parentStep {
          ref
        }
      }
      steps(includeLoopIterations: true) {
        ...StepFields
      }
      events(first: 1) {
        totalCount
      }
    }
  }
`);

export const EventFields = graphql(`
  fragment EventFields on RunEvent {
    seq
    at
    type
    stepRef
    stepType
    attempt
    ok
    actor
    reason
    data
  }
`);

export const RunEventsQuery = graphql(`
  query RunEvents($id: ID!, $after: Int, $first: Int) {
    run(id: $id) {
      id
      events(after: $after, first: $first) {
        totalCount
        edges {
          node {
            ...EventFields
          }
        }
      }
    }
  }
`);

export const RunEventsSubscription = graphql(`
  subscription RunEventsLive($runId: ID!, $after: Int) {
    runEvents(runId: $runId, after: $after) {
      ...EventFields
    }
  }
`);

export const RunUpdatesSubscription = graphql(`
  subscription RunUpdatesLive($runId: ID!) {
    runUpdates(runId: $runId) {
      seq
      at
      type
      message
      details
    }
  }
`);

export const CancelRun = graphql(`
  mutation CancelRun($input: RunActionInput!) {
    cancelRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`);
export const TerminateRun = graphql(`
  mutation TerminateRun($input: RunActionInput!) {
    terminateRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`);
export const PauseRun = graphql(`
  mutation PauseRun($input: RunActionInput!) {
    pauseRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`);
export const ResumeRun = graphql(`
  mutation ResumeRun($input: RunActionInput!) {
    resumeRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`);
export const RetryRun = graphql(`
  mutation RetryRun($input: RunActionInput!) {
    retryRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`);
export const RestartRun = graphql(`
  mutation RestartRun($input: RunActionInput!) {
    restartRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`);
export const SignalRun = graphql(`
  mutation SignalRun($input: SignalRunInput!) {
    signalRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`);
export const ApproveStep = graphql(`
  mutation ApproveStep($input: StepActionInput!) {
    approveStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);
export const RejectStep = graphql(`
  mutation RejectStep($input: StepActionInput!) {
    rejectStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);
export const SkipStep = graphql(`
  mutation SkipStep($input: StepActionInput!) {
    skipStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);
export const RetryStep = graphql(`
  mutation RetryStep($input: StepActionInput!) {
    retryStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);
export const ReplaySubtree = graphql(`
  mutation ReplaySubtree($input: StepActionInput!) {
    replaySubtree(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);
export const ForceCompleteStep = graphql(`
  mutation ForceCompleteStep($input: ForceCompleteStepInput!) {
    forceCompleteStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`);

export const WorkflowsQuery = graphql(`
  query Workflows {
    workflows(first: 100) {
      totalCount
      edges {
        node {
          key
          name
          description
          version
          updatedAt
          project {
            key
          }
        }
      }
    }
  }
`);

export const WorkflowQuery = graphql(`
  query Workflow($key: String!, $project: String) {
    workflow(key: $key, project: $project) {
      key
      name
      description
      version
      project {
        key
      }
      versions {
        version
        createdAt
        createdBy
        maxParallelSteps
        steps {
          ref
          name
          type
          dependsOn
        }
      }
    }
  }
`);

export const StartRunMutation = graphql(`
  mutation StartRun($input: StartRunInput!) {
    startRun(input: $input) {
      run {
        id
      }
      errors {
        code
        message
        field
      }
    }
  }
`);

export const QueryFieldsQuery = graphql(`
  query QueryFields {
    __type(name: "Query") {
      fields {
        name
      }
    }
  }
`);
