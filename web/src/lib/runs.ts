/** Folding `runsChanged` batches into the list the Runs page shows. */
import type { RunStatus, RunSummary } from "../api/types";

export interface RunFilter {
  workflowName?: string | null;
  status?: RunStatus | null;
  search?: string | null;
}

/** Whether a run belongs in a list filtered this way (search: run id, workflow id or name, case-insensitive). */
export function matchesFilter(run: RunSummary, filter: RunFilter): boolean {
  if (filter.workflowName && run.workflowName !== filter.workflowName) return false;
  if (filter.status && run.status !== filter.status) return false;
  const needle = filter.search?.trim().toLowerCase();
  if (needle) {
    const haystack = [run.runId, run.workflowId, run.workflowName].map((s) => s.toLowerCase());
    if (!haystack.some((s) => s.includes(needle))) return false;
  }
  return true;
}

function newestFirst(a: RunSummary, b: RunSummary): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  return byTime || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}

/**
 * The list after a batch of changed runs: known runs are updated in place (or dropped when they no longer match the
 * filter), new matching runs are inserted newest first. With more pages still to load (`complete` false), a run
 * older than the last one shown is left for "load more" to bring, so the list never gains a gap.
 */
export function mergeRuns(
  current: RunSummary[],
  changed: RunSummary[],
  filter: RunFilter,
  complete: boolean,
): RunSummary[] {
  const byId = new Map(current.map((run) => [run.runId, run]));
  const oldest = current[current.length - 1];
  for (const run of changed) {
    if (!matchesFilter(run, filter)) {
      byId.delete(run.runId);
    } else if (byId.has(run.runId) || complete || !oldest || newestFirst(run, oldest) <= 0) {
      byId.set(run.runId, run);
    }
  }
  return [...byId.values()].sort(newestFirst);
}
