import { useQuery } from "../api/hooks";
import { OVERVIEW_QUERY } from "../api/queries";
import { type Overview as OverviewData, RUN_STATUSES, type StatusCount, type Workflow } from "../api/types";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { href, Link } from "../router";

function countOf(counts: StatusCount[], status: string): number {
  return counts.find((c) => c.status === status)?.count ?? 0;
}

export function OverviewPage() {
  const { data, error, loading, refetch } = useQuery<{ overview: OverviewData; workflows: Workflow[] }>(
    OVERVIEW_QUERY,
    {},
    { pollMs: 3000 },
  );

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {error && <ErrorMessage error={error} title="Could not load the overview" retry={refetch} />}
      {!data && loading && <Loading what="the overview" />}
      {data && (
        <>
          <h2>Runs by status</h2>
          <ul className="tiles" aria-label="Runs by status">
            {RUN_STATUSES.map((status) => (
              <li key={status} className="tile">
                <a href={href("/runs", { status })}>
                  <span className="tile-number">{countOf(data.overview.runCounts, status)}</span>
                  <StatusBadge status={status} />
                </a>
              </li>
            ))}
          </ul>

          <h2>Work in flight</h2>
          <dl className="gauges">
            <Gauge label="Queued actions" value={data.overview.queuedActions} />
            <Gauge label="Running actions" value={data.overview.runningActions} />
            <Gauge label="Pending timers" value={data.overview.pendingTimers} />
            <Gauge label="Workflows" value={data.overview.workflows} meter={false} />
          </dl>

          <h2>Workflows</h2>
          {data.workflows.length === 0 ? (
            <Empty>No workflow is registered yet. Start workers with `waymark-start-workers your.module`.</Empty>
          ) : (
            <WorkflowTable workflows={data.workflows} />
          )}
        </>
      )}
    </section>
  );
}

function Gauge({ label, value, meter = true }: { label: string; value: number; meter?: boolean }) {
  return (
    <div className="gauge">
      <dt>{label}</dt>
      <dd>
        {meter && <meter min={0} max={Math.max(10, value)} value={value} aria-label={label} />}
        <span className="gauge-number">{value}</span>
      </dd>
    </div>
  );
}

function WorkflowTable({ workflows }: { workflows: Workflow[] }) {
  return (
    <table aria-label="Workflows">
      <thead>
        <tr>
          <th scope="col">Workflow</th>
          <th scope="col">Version</th>
          {RUN_STATUSES.map((status) => (
            <th scope="col" key={status} className="num">
              <StatusBadge status={status} />
            </th>
          ))}
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {workflows.map((workflow) => (
          <tr key={workflow.name}>
            <th scope="row">
              <a href={href("/runs", { workflow: workflow.name })}>{workflow.name}</a>
              <div className="muted small">
                {workflow.currentVersion.module}.{workflow.currentVersion.qualname}
              </div>
            </th>
            <td>
              <code title={workflow.currentVersion.versionId}>{workflow.currentVersion.versionId.slice(0, 12)}</code>
            </td>
            {RUN_STATUSES.map((status) => (
              <td key={status} className="num">
                {countOf(workflow.runCounts, status)}
              </td>
            ))}
            <td>
              <Link to={`/start?workflow=${encodeURIComponent(workflow.name)}`}>Start</Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
