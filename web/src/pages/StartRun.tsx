import { type FormEvent, useState } from "react";

import { useMutation, useQuery } from "../api/hooks";
import { START_RUN_MUTATION, WORKFLOWS_QUERY } from "../api/queries";
import type { Parameter, RunStatus, Workflow } from "../api/types";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { parseJson } from "../lib/json";
import { navigate } from "../router";

/** The input the form starts with: every required parameter as a key to fill in. */
export function inputTemplate(parameters: Parameter[]): string {
  const required = parameters.filter((p) => p.required);
  if (required.length === 0) return "{}";
  return `{\n${required.map((p) => `  ${JSON.stringify(p.name)}: null`).join(",\n")}\n}`;
}

export function StartRunPage({ params }: { params: URLSearchParams }) {
  const workflows = useQuery<{ workflows: Workflow[] }>(WORKFLOWS_QUERY);
  const start = useMutation<{ startRun: { runId: string; workflowId: string; status: RunStatus } }>(
    START_RUN_MUTATION,
  );
  const [chosen, setChosen] = useState(params.get("workflow") ?? "");
  // null: the template of the chosen workflow's parameters, until the person edits the input
  const [edited, setEdited] = useState<string | null>(null);
  const [workflowId, setWorkflowId] = useState("");
  const [invalid, setInvalid] = useState<string>();

  const list = workflows.data?.workflows ?? [];
  const selected = list.find((w) => w.name === chosen) ?? list[0];
  const workflowName = selected?.name ?? chosen;
  const input = edited ?? (selected ? inputTemplate(selected.parameters) : "{}");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    start.reset();
    try {
      const parsed = parseJson(input);
      if (parsed.kind !== "object") throw new Error("the input must be a JSON object of run()'s arguments by name");
    } catch (error) {
      setInvalid(`The input is not valid: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    setInvalid(undefined);
    const result = await start.run({ workflowName, input, workflowId: workflowId.trim() || null });
    if (result) navigate(`/runs/${encodeURIComponent(result.startRun.runId)}`);
  };

  if (workflows.error) return <ErrorMessage error={workflows.error} title="Could not load workflows" />;
  if (!workflows.data) return <Loading what="workflows" />;
  if (list.length === 0) return <Empty>No workflow is registered yet, so there is nothing to start.</Empty>;

  return (
    <section aria-labelledby="start-title">
      <h1 id="start-title">Start a run</h1>
      <form className="start-form" aria-label="Start a run" onSubmit={(e) => void submit(e)}>
        <label htmlFor="start-workflow">Workflow</label>
        <select
          id="start-workflow"
          value={workflowName}
          onChange={(e) => {
            setChosen(e.target.value);
            setEdited(null);
          }}
          required
        >
          {list.map((w) => (
            <option key={w.name} value={w.name}>
              {w.name}
            </option>
          ))}
        </select>

        {selected && (
          <div className="parameters">
            <h2 id="parameters-title">Parameters</h2>
            {selected.parameters.length === 0 ? (
              <p className="muted">run() takes no arguments.</p>
            ) : (
              <ul aria-labelledby="parameters-title">
                {selected.parameters.map((p) => (
                  <li key={p.name}>
                    <code>
                      {p.name}
                      {p.annotation ? `: ${p.annotation}` : ""}
                    </code>{" "}
                    <span className={p.required ? "required" : "muted"}>{p.required ? "required" : "optional"}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}

        <label>
          Input (JSON)
          <textarea
            rows={6}
            spellCheck={false}
            value={input}
            onChange={(e) => setEdited(e.target.value)}
            aria-describedby="input-help"
          />
        </label>
        <p id="input-help" className="muted small">
          A JSON object of run()'s arguments by parameter name, in plain JSON: the gateway checks the names against
          the workflow's parameters and stores the values as Waymark's tagged JSON.
        </p>

        <label>
          Workflow id (optional)
          <input
            value={workflowId}
            onChange={(e) => setWorkflowId(e.target.value)}
            placeholder="generated when empty; starting twice with one id is idempotent"
          />
        </label>

        <button type="submit" className="primary" disabled={start.pending || !workflowName}>
          {start.pending ? "Starting…" : "Start run"}
        </button>
        {invalid && (
          <p role="alert" className="state state-error">
            {invalid}
          </p>
        )}
        {start.error && <ErrorMessage error={start.error} title="The gateway refused to start the run" />}
      </form>
    </section>
  );
}
