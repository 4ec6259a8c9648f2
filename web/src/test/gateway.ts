/** Test doubles for the gateway: `fetch` answered by a function of the operation, and captured subscriptions. */
import { vi } from "vitest";

import type { SubscriptionHandlers } from "../api/client";
import type { RunDetail, RunSummary } from "../api/types";

export interface Operation {
  operationName: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
}

export type Answer = { status?: number; body: unknown };

/** Stubs global fetch; `respond` returns the answer for each operation (by its name: `Run`, `StartRun`, ...). */
export function mockGateway(respond: (op: Operation) => Answer) {
  const calls: Operation[] = [];
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const { query, variables } = JSON.parse(String(init?.body)) as { query: string; variables: Record<string, unknown> };
    const operationName = /(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1] ?? "";
    const op = { operationName, variables, headers: (init?.headers ?? {}) as Record<string, string> };
    calls.push(op);
    const answer = respond(op);
    return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200 });
  });
  vi.stubGlobal("fetch", fetch);
  return { calls, fetch };
}

export interface CapturedSubscription {
  query: string;
  variables: Record<string, unknown>;
  handlers: SubscriptionHandlers<unknown>;
  closed: boolean;
}

export const subscriptions: CapturedSubscription[] = [];

export function lastSubscription(name: string): CapturedSubscription {
  const found = [...subscriptions].reverse().find((s) => s.query.includes(`subscription ${name}`) && !s.closed);
  if (!found) throw new Error(`no open subscription ${name}; have ${subscriptions.map((s) => s.query.slice(0, 40))}`);
  return found;
}

/** For `vi.mock("../api/client", ...)`: records subscriptions instead of opening a websocket. */
export function fakeSubscribe(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<unknown>) {
  const entry = { query, variables, handlers, closed: false };
  subscriptions.push(entry);
  return () => {
    entry.closed = true;
  };
}

export function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: "run-1",
    workflowId: "order-1",
    workflowName: "Checkout",
    status: "RUNNING",
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:01Z",
    finishedAt: null,
    parentRunId: null,
    ...overrides,
  };
}

export function detail(overrides: Partial<RunDetail> = {}): RunDetail {
  return {
    ...summary(),
    versionId: "v0123456789abcdef",
    input: '{"order_id": 1, "when": {"$datetime": "2026-01-01T00:00:00+00:00"}}',
    result: null,
    error: null,
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    actions: [
      {
        callId: "call-1",
        seq: 1,
        actionName: "charge",
        status: "SUCCEEDED",
        attempt: 2,
        maxAttempts: 3,
        redeliveries: 1,
        args: '{"$tuple": [1]}',
        result: "true",
        error: null,
        workerId: "worker-7",
        createdAt: "2026-01-01T00:00:00Z",
        startedAt: "2026-01-01T00:00:00.100Z",
        finishedAt: "2026-01-01T00:00:01.600Z",
      },
    ],
    events: [
      {
        eventId: "e1",
        kind: "start",
        payload: "{}",
        createdAt: "2026-01-01T00:00:00Z",
        consumedAt: "2026-01-01T00:00:00.050Z",
      },
    ],
    timers: [{ seq: 2, kind: "sleep", dueAt: "2026-01-01T01:00:00Z", firedAt: null }],
    children: [],
    ...overrides,
  };
}

/** The parts of ../api/client that `vi.mock` replaces: no websocket, a connection that is always up. */
export const fakeClient = {
  subscribe: fakeSubscribe,
  watchConnection: (listener: (connected: boolean) => void) => {
    listener(true);
    return () => undefined;
  },
};
