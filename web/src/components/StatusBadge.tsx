import type { ActionStatus, RunStatus } from "../api/types";

const LABELS: Record<string, string> = {
  QUEUED: "Queued",
  RUNNING: "Running",
  WAITING: "Waiting",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
  TIMED_OUT: "Timed out",
  RETRY_WAITING: "Retry waiting",
  SUCCEEDED: "Succeeded",
};

export function statusLabel(status: string): string {
  return LABELS[status] ?? status;
}

/** The status as a coloured pill; the text carries the meaning, the colour only repeats it. */
export function StatusBadge({ status }: { status: RunStatus | ActionStatus }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
