/** The shapes of services/gateway/schema.graphql that the dashboard reads (DateTime as ISO text). */

export const RUN_STATUSES = ["QUEUED", "RUNNING", "WAITING", "COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type ActionStatus = "QUEUED" | "RUNNING" | "RETRY_WAITING" | "SUCCEEDED" | "FAILED";

export const TERMINAL_STATUSES: readonly RunStatus[] = ["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"];

export interface StatusCount {
  status: RunStatus;
  count: number;
}

export interface Overview {
  runCounts: StatusCount[];
  workflows: number;
  queuedActions: number;
  runningActions: number;
  pendingTimers: number;
}

export interface Version {
  versionId: string;
  module: string;
  qualname: string;
  createdAt: string;
}

export interface Parameter {
  name: string;
  required: boolean;
  annotation: string | null;
}

export interface Workflow {
  name: string;
  currentVersion: Version;
  runCounts: StatusCount[];
  parameters: Parameter[];
}

export interface RunError {
  className: string;
  message: string;
  raw: string;
}

export interface ActionCall {
  callId: string;
  seq: number;
  actionName: string;
  status: ActionStatus;
  attempt: number;
  maxAttempts: number;
  redeliveries: number;
  args: string;
  result: string | null;
  error: RunError | null;
  workerId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunEvent {
  eventId: string;
  kind: string;
  payload: string;
  createdAt: string;
  consumedAt: string | null;
}

export interface Timer {
  seq: number;
  kind: string;
  dueAt: string;
  firedAt: string | null;
}

/** A run as the list shows it. */
export interface RunSummary {
  runId: string;
  workflowId: string;
  workflowName: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  parentRunId: string | null;
}

/** A run with everything the detail page shows. */
export interface RunDetail extends RunSummary {
  versionId: string;
  input: string;
  result: string | null;
  error: RunError | null;
  traceId: string | null;
  actions: ActionCall[];
  events: RunEvent[];
  timers: Timer[];
  children: RunSummary[];
}
