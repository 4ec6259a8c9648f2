/** Every GraphQL document the dashboard sends (checked against schema.graphql by src/api/queries.test.ts). */

const RUN_SUMMARY = `
  runId workflowId workflowName status createdAt updatedAt finishedAt parentRunId
`;

const RUN_DETAIL = `
  ${RUN_SUMMARY}
  versionId input result traceId
  error { className message raw }
  actions {
    callId seq actionName status attempt maxAttempts redeliveries args result workerId
    createdAt startedAt finishedAt
    error { className message raw }
  }
  events { eventId kind payload createdAt consumedAt }
  timers { seq kind dueAt firedAt }
  children { ${RUN_SUMMARY} }
`;

export const OVERVIEW_QUERY = `
  query Overview {
    overview { runCounts { status count } workflows queuedActions runningActions pendingTimers }
    workflows {
      name
      currentVersion { versionId module qualname createdAt }
      runCounts { status count }
      parameters { name required annotation }
    }
  }
`;

export const WORKFLOWS_QUERY = `
  query Workflows {
    workflows {
      name
      currentVersion { versionId module qualname createdAt }
      runCounts { status count }
      parameters { name required annotation }
    }
  }
`;

export const RUNS_QUERY = `
  query Runs($workflowName: String, $status: RunStatus, $search: String, $first: Int!, $after: String) {
    runs(workflowName: $workflowName, status: $status, search: $search, first: $first, after: $after) {
      items { ${RUN_SUMMARY} }
      nextCursor
    }
  }
`;

export const RUN_QUERY = `
  query Run($runId: ID!) {
    run(runId: $runId) { ${RUN_DETAIL} }
  }
`;

export const RUNS_CHANGED_SUBSCRIPTION = `
  subscription RunsChanged($workflowName: String) {
    runsChanged(workflowName: $workflowName) { ${RUN_SUMMARY} }
  }
`;

export const RUN_SUBSCRIPTION = `
  subscription RunLive($runId: ID!) {
    run(runId: $runId) { ${RUN_DETAIL} }
  }
`;

export const START_RUN_MUTATION = `
  mutation StartRun($workflowName: String!, $input: String!, $workflowId: String) {
    startRun(workflowName: $workflowName, input: $input, workflowId: $workflowId) { runId workflowId status }
  }
`;

export const CANCEL_RUN_MUTATION = `
  mutation CancelRun($runId: ID!) {
    cancelRun(runId: $runId) { ${RUN_DETAIL} }
  }
`;

export const SIGNAL_RUN_MUTATION = `
  mutation SignalRun($runId: ID!, $name: String!, $value: String) {
    signalRun(runId: $runId, name: $name, value: $value) { ${RUN_DETAIL} }
  }
`;

export const ALL_DOCUMENTS = {
  OVERVIEW_QUERY,
  WORKFLOWS_QUERY,
  RUNS_QUERY,
  RUN_QUERY,
  RUNS_CHANGED_SUBSCRIPTION,
  RUN_SUBSCRIPTION,
  START_RUN_MUTATION,
  CANCEL_RUN_MUTATION,
  SIGNAL_RUN_MUTATION,
};
