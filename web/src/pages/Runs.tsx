import { type FormEvent, useCallback, useEffect, useState } from "react";

import { useAuth } from "../api/auth";
import { request } from "../api/client";
import { UnauthorizedError } from "../api/errors";
import { useQuery, useSubscription } from "../api/hooks";
import { RUNS_CHANGED_SUBSCRIPTION, RUNS_QUERY, WORKFLOWS_QUERY } from "../api/queries";
import { RUN_STATUSES, type RunStatus, type RunSummary, type Workflow } from "../api/types";
import { LiveIndicator } from "../components/LiveIndicator";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge, statusLabel } from "../components/StatusBadge";
import { ago, durationBetween, formatTime } from "../lib/format";
import { mergeRuns, type RunFilter } from "../lib/runs";
import { Link, navigate } from "../router";

const PAGE_SIZE = 50;

interface RunsPage {
  runs: { items: RunSummary[]; nextCursor: string | null };
}

export function RunsPage({ params }: { params: URLSearchParams }) {
  const workflowName = params.get("workflow") || null;
  const statusParam = params.get("status");
  const status = RUN_STATUSES.includes(statusParam as RunStatus) ? (statusParam as RunStatus) : null;
  const search = params.get("q") || null;
  const filter: RunFilter = { workflowName, status, search };

  const { epoch, requireToken } = useAuth();
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<Error>();
  const [reload, setReload] = useState(0);
  const filterKey = JSON.stringify(filter);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const data = await request<RunsPage>(RUNS_QUERY, { ...filter, first: PAGE_SIZE, after });
      return data.runs;
    },
    // the filter object is rebuilt each render; its JSON is the real dependency
    [filterKey],
  );

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof UnauthorizedError) requireToken();
      setError(err instanceof Error ? err : new Error(String(err)));
    },
    [requireToken],
  );

  useEffect(() => {
    let stale = false;
    setLoading(true);
    setError(undefined);
    fetchPage(null)
      .then((page) => {
        if (stale) return;
        setRuns(page.items);
        setCursor(page.nextCursor);
      })
      .catch((err: unknown) => !stale && fail(err))
      .finally(() => !stale && setLoading(false));
    return () => {
      stale = true;
    };
  }, [fetchPage, fail, epoch, reload]);

  const loadMore = () => {
    setLoadingMore(true);
    fetchPage(cursor)
      .then((page) => {
        setRuns((current) => {
          const known = new Set(current.map((r) => r.runId));
          return [...current, ...page.items.filter((r) => !known.has(r.runId))];
        });
        setCursor(page.nextCursor);
      })
      .catch(fail)
      .finally(() => setLoadingMore(false));
  };

  const live = useSubscription<{ runsChanged: RunSummary[] }>(
    RUNS_CHANGED_SUBSCRIPTION,
    { workflowName },
    (data) => setRuns((current) => mergeRuns(current, data.runsChanged, filter, cursor === null)),
  );

  // without a live connection, the newest page is fetched again every few seconds and folded in the same way
  const polling = live.state === "error";
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(() => {
      fetchPage(null)
        .then((page) => setRuns((current) => mergeRuns(current, page.items, filter, cursor === null)))
        .catch(fail);
    }, 5000);
    return () => clearInterval(timer);
  }, [polling, fetchPage, fail, cursor]); // `filter` changes only with fetchPage (both keyed on its JSON)

  return (
    <section aria-labelledby="runs-title">
      <div className="page-head">
        <h1 id="runs-title">Runs</h1>
        <LiveIndicator state={live.state} />
        <Link to="/start" className="button primary">
          Start a run
        </Link>
      </div>
      <Filters workflowName={workflowName} status={status} search={search} />
      {error && <ErrorMessage error={error} title="Could not load runs" retry={() => setReload((n) => n + 1)} />}
      {loading && runs.length === 0 && !error && <Loading what="runs" />}
      {!loading && !error && runs.length === 0 && (
        <Empty>{workflowName || status || search ? "No run matches these filters." : "No runs yet."}</Empty>
      )}
      {runs.length > 0 && <RunTable runs={runs} />}
      {cursor && (
        <button type="button" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? "Loading…" : "Load more"}
        </button>
      )}
    </section>
  );
}

function Filters({
  workflowName,
  status,
  search,
}: {
  workflowName: string | null;
  status: RunStatus | null;
  search: string | null;
}) {
  const { data } = useQuery<{ workflows: Workflow[] }>(WORKFLOWS_QUERY);
  const [text, setText] = useState(search ?? "");
  useEffect(() => setText(search ?? ""), [search]);

  const go = (next: { workflow?: string | null; status?: string | null; q?: string | null }) =>
    navigate("/runs", { workflow: workflowName, status, q: search, ...next });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    go({ q: text.trim() || null });
  };

  const names = new Set(data?.workflows.map((w) => w.name) ?? []);
  if (workflowName) names.add(workflowName);
  return (
    <form className="filters" role="search" aria-label="Filter runs" onSubmit={submit}>
      <label>
        Workflow
        <select aria-label="Workflow" value={workflowName ?? ""} onChange={(e) => go({ workflow: e.target.value || null })}>
          <option value="">All workflows</option>
          {[...names].sort().map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select aria-label="Status" value={status ?? ""} onChange={(e) => go({ status: e.target.value || null })}>
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Search
        <input
          type="search"
          placeholder="run id or workflow id"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <button type="submit">Search</button>
    </form>
  );
}

/** Re-renders every `ms` so relative times ("5 s ago") stay true. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function RunTable({ runs }: { runs: RunSummary[] }) {
  const now = useNow(5000);
  return (
    <table aria-label="Runs">
      <thead>
        <tr>
          <th scope="col">Workflow id</th>
          <th scope="col">Workflow</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId} data-run-id={run.runId}>
            <th scope="row">
              <Link to={`/runs/${encodeURIComponent(run.runId)}`}>{run.workflowId}</Link>
            </th>
            <td>{run.workflowName}</td>
            <td>
              <StatusBadge status={run.status} />
            </td>
            <td title={formatTime(run.createdAt)}>{ago(run.createdAt, now)}</td>
            <td>{durationBetween(run.createdAt, run.finishedAt, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
