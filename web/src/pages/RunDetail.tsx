import { type FormEvent, useState } from "react";

import { useMutation, useQuery, useSubscription } from "../api/hooks";
import { CANCEL_RUN_MUTATION, RUN_QUERY, RUN_SUBSCRIPTION, SIGNAL_RUN_MUTATION } from "../api/queries";
import { getJaegerUrl, traceUrl } from "../api/settings";
import { type ActionCall, type RunDetail, type RunError, TERMINAL_STATUSES } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { LiveIndicator } from "../components/LiveIndicator";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { TaggedValue } from "../components/TaggedValue";
import { durationBetween, formatTime } from "../lib/format";
import { parseJson } from "../lib/json";
import { formatTaggedText } from "../lib/tagged";
import { href, Link } from "../router";

export function RunDetailPage({ runId }: { runId: string }) {
  const [live, setLive] = useState<{ id: string; run: RunDetail }>();
  const subscription = useSubscription<{ run: RunDetail }>(RUN_SUBSCRIPTION, { runId }, (data) =>
    setLive({ id: runId, run: data.run }),
  );
  // without a live connection (a proxy that drops websockets), the page still follows the run by polling
  const query = useQuery<{ run: RunDetail | null }>(
    RUN_QUERY,
    { runId },
    subscription.state === "error" ? { pollMs: 3000 } : {},
  );
  // the newest of the query, the subscription and a mutation's answer (updatedAt orders them)
  const candidates = [query.data?.run, live?.id === runId ? live.run : undefined].filter(
    (r): r is RunDetail => !!r && r.runId === runId,
  );
  const run = candidates.sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt))[0];

  if (!run) {
    if (query.error) return <ErrorMessage error={query.error} title="Could not load the run" retry={query.refetch} />;
    if (query.loading || !query.data) return <Loading what="the run" />;
    return (
      <Empty>
        No run with id <code>{runId}</code>. <Link to="/runs">All runs</Link>
      </Empty>
    );
  }
  return <RunView run={run} liveState={subscription.state} onChanged={(r) => setLive({ id: runId, run: r })} />;
}

function RunView({
  run,
  liveState,
  onChanged,
}: {
  run: RunDetail;
  liveState: ReturnType<typeof useSubscription>["state"];
  onChanged: (run: RunDetail) => void;
}) {
  const terminal = TERMINAL_STATUSES.includes(run.status);
  return (
    <article aria-labelledby="run-title">
      <div className="page-head">
        <h1 id="run-title">
          {run.workflowName} <span className="muted">{run.workflowId}</span>
        </h1>
        <span aria-label="Run status">
          <StatusBadge status={run.status} />
        </span>
        <LiveIndicator state={terminal && liveState !== "error" ? "ended" : liveState} />
      </div>

      <dl className="facts">
        <dt>Workflow</dt>
        <dd>
          <a href={href("/runs", { workflow: run.workflowName })}>{run.workflowName}</a>
        </dd>
        <dt>Workflow id</dt>
        <dd>
          <code>{run.workflowId}</code>
        </dd>
        <dt>Run id</dt>
        <dd>
          <code>{run.runId}</code>
        </dd>
        <dt>Version</dt>
        <dd>
          <code title={run.versionId}>{run.versionId.slice(0, 12)}</code>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatTime(run.finishedAt)}</dd>
        <dt>Duration</dt>
        <dd>{durationBetween(run.createdAt, run.finishedAt ?? (terminal ? run.updatedAt : null))}</dd>
        {run.parentRunId && (
          <>
            <dt>Parent run</dt>
            <dd>
              <Link to={`/runs/${encodeURIComponent(run.parentRunId)}`}>{run.parentRunId}</Link>
            </dd>
          </>
        )}
        <dt>Trace id</dt>
        <dd>{run.traceId ? <TraceLink traceId={run.traceId} /> : <span className="muted">none</span>}</dd>
      </dl>

      {!terminal && <RunControls run={run} onChanged={onChanged} />}

      <section aria-labelledby="values-title">
        <h2 id="values-title">Values</h2>
        <h3>Input</h3>
        <TaggedValue value={run.input} label="Input" />
        {run.result !== null && (
          <>
            <h3>Result</h3>
            <TaggedValue value={run.result} label="Result" />
          </>
        )}
        {run.error && (
          <>
            <h3>Error</h3>
            <ErrorView error={run.error} label="Run error" />
          </>
        )}
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Action calls</h2>
        {run.actions.length === 0 ? <Empty>No action has been called.</Empty> : <Timeline run={run} />}
      </section>

      <section aria-labelledby="children-title">
        <h2 id="children-title">Child runs</h2>
        {run.children.length === 0 ? (
          <Empty>No child runs.</Empty>
        ) : (
          <ul aria-label="Child runs">
            {run.children.map((child) => (
              <li key={child.runId}>
                <Link to={`/runs/${encodeURIComponent(child.runId)}`}>
                  {child.workflowName} {child.workflowId}
                </Link>{" "}
                <StatusBadge status={child.status} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="timers-title">
        <h2 id="timers-title">Timers</h2>
        {run.timers.length === 0 ? (
          <Empty>No timers.</Empty>
        ) : (
          <table aria-label="Timers">
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Kind</th>
                <th scope="col">Due</th>
                <th scope="col">Fired</th>
              </tr>
            </thead>
            <tbody>
              {run.timers.map((timer) => (
                <tr key={`${timer.kind}-${timer.seq}`}>
                  <td>{timer.seq}</td>
                  <td>{timer.kind}</td>
                  <td>{formatTime(timer.dueAt)}</td>
                  <td>{timer.firedAt ? formatTime(timer.firedAt) : <span className="muted">pending</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        {run.events.length === 0 ? (
          <Empty>No events.</Empty>
        ) : (
          <table aria-label="Events">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Created</th>
                <th scope="col">Consumed</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {run.events.map((event) => (
                <tr key={event.eventId}>
                  <td>{event.kind}</td>
                  <td>{formatTime(event.createdAt)}</td>
                  <td>{event.consumedAt ? formatTime(event.consumedAt) : <span className="muted">pending</span>}</td>
                  <td>
                    <pre className="value-text small">{formatTaggedText(event.payload, { width: 60 })}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}

function TraceLink({ traceId }: { traceId: string }) {
  const url = traceUrl(traceId, getJaegerUrl());
  if (!url) return <code title="Set a Jaeger URL (Settings, or ?jaeger=) to link traces">{traceId}</code>;
  return (
    <a href={url} target="_blank" rel="noreferrer">
      <code>{traceId}</code>
    </a>
  );
}

function ErrorView({ error, label }: { error: RunError; label: string }) {
  return (
    <div className="run-error" aria-label={label}>
      <p>
        <strong>{error.className}</strong>: {error.message}
      </p>
      <TaggedValue value={error.raw} label={`${label} value`} />
    </div>
  );
}

// ---- the timeline of action calls ------------------------------------------------------------------------------------

function Timeline({ run }: { run: RunDetail }) {
  const now = Date.now();
  const start = Date.parse(run.createdAt);
  const end = Math.max(
    run.finishedAt ? Date.parse(run.finishedAt) : now,
    ...run.actions.map((a) => Date.parse(a.finishedAt ?? a.startedAt ?? a.createdAt)),
    start + 1,
  );
  const span = end - start;
  const percent = (t: number) => `${Math.min(100, Math.max(0, ((t - start) / span) * 100)).toFixed(2)}%`;
  const ordered = [...run.actions].sort((a, b) => a.seq - b.seq);

  return (
    <ol className="timeline" aria-label="Action calls">
      {ordered.map((call) => {
        const from = Date.parse(call.startedAt ?? call.createdAt);
        const to = call.finishedAt ? Date.parse(call.finishedAt) : now;
        return (
          <li key={call.callId} className="call" aria-label={`Call ${call.seq}: ${call.actionName}`}>
            <div className="call-head">
              <span className="call-seq">#{call.seq}</span>
              <strong className="call-name">{call.actionName}</strong>
              <StatusBadge status={call.status} />
              <span className="call-meta">
                attempt {call.attempt} of {call.maxAttempts}
              </span>
              {call.redeliveries > 0 && (
                <span className="call-meta warn">
                  {call.redeliveries} redeliver{call.redeliveries === 1 ? "y" : "ies"}
                </span>
              )}
              <span className="call-meta">ran {callDuration(call)}</span>
              {call.startedAt && (
                <span className="call-meta">queued {durationBetween(call.createdAt, call.startedAt)}</span>
              )}
              {call.workerId && <span className="call-meta">worker {call.workerId}</span>}
            </div>
            <div className="bar" aria-hidden="true">
              <span
                className={`bar-fill bar-${call.status.toLowerCase()}`}
                style={{ left: percent(from), width: `max(2px, calc(${percent(to)} - ${percent(from)}))` }}
              />
            </div>
            <details>
              <summary>Arguments{call.result !== null ? " and result" : ""}</summary>
              <TaggedValue value={call.args} label={`Arguments of call ${call.seq}`} />
              {call.result !== null && <TaggedValue value={call.result} label={`Result of call ${call.seq}`} />}
            </details>
            {call.error && <ErrorView error={call.error} label={`Error of call ${call.seq}`} />}
          </li>
        );
      })}
    </ol>
  );
}

function callDuration(call: ActionCall): string {
  if (!call.startedAt) return "—";
  return durationBetween(call.startedAt, call.finishedAt);
}

// ---- cancel and signal -----------------------------------------------------------------------------------------------

function RunControls({ run, onChanged }: { run: RunDetail; onChanged: (run: RunDetail) => void }) {
  const cancel = useMutation<{ cancelRun: RunDetail }>(CANCEL_RUN_MUTATION);
  const signal = useMutation<{ signalRun: RunDetail }>(SIGNAL_RUN_MUTATION);
  const [confirming, setConfirming] = useState<"cancel" | "signal" | null>(null);
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [invalid, setInvalid] = useState<string>();
  const [sent, setSent] = useState<string>();

  const askSignal = (event: FormEvent) => {
    event.preventDefault();
    setSent(undefined);
    if (value.trim()) {
      try {
        parseJson(value);
      } catch (error) {
        setInvalid(`The value is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
    setInvalid(undefined);
    setConfirming("signal");
  };

  const doCancel = async () => {
    const result = await cancel.run({ runId: run.runId });
    setConfirming(null);
    if (result) onChanged(result.cancelRun);
  };
  const doSignal = async () => {
    const result = await signal.run({ runId: run.runId, name: name.trim(), value: value.trim() || null });
    setConfirming(null);
    if (result) {
      setSent(`Signal "${name.trim()}" sent.`);
      onChanged(result.signalRun);
    }
  };

  return (
    <section className="controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Control</h2>
      <div className="control-row">
        <button type="button" className="danger" onClick={() => setConfirming("cancel")} disabled={!!confirming}>
          Cancel run
        </button>
        {confirming === "cancel" && (
          <ConfirmDialog
            title={`Cancel ${run.workflowId}? The workflow sees a cancellation and stops.`}
            confirmLabel="Yes, cancel the run"
            cancelLabel="Keep it running"
            pending={cancel.pending}
            onConfirm={() => void doCancel()}
            onCancel={() => setConfirming(null)}
          />
        )}
        {cancel.error && <ErrorMessage error={cancel.error} title="Cancel failed" />}
      </div>

      <form className="signal-form" aria-label="Send a signal" onSubmit={askSignal}>
        <label>
          Signal name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Signal value (JSON)
          <textarea rows={3} value={value} placeholder='{"by": "ana"}' onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit" disabled={!name.trim() || !!confirming}>
          Send signal
        </button>
        {invalid && (
          <p role="alert" className="state state-error">
            {invalid}
          </p>
        )}
        {confirming === "signal" && (
          <ConfirmDialog
            title={`Send signal "${name.trim()}" to ${run.workflowId}?`}
            confirmLabel="Yes, send it"
            pending={signal.pending}
            onConfirm={() => void doSignal()}
            onCancel={() => setConfirming(null)}
          />
        )}
        {signal.error && <ErrorMessage error={signal.error} title="Signal failed" />}
        {sent && <p role="status">{sent}</p>}
      </form>
    </section>
  );
}
