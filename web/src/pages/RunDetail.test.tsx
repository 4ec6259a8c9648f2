import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { AuthProvider } from "../api/auth";
import { setJaegerUrl } from "../api/settings";
import { detail, lastSubscription, mockGateway, subscriptions } from "../test/gateway";
import { RunDetailPage } from "./RunDetail";

vi.mock("../api/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../api/client")>()),
  ...(await import("../test/gateway")).fakeClient,
}));

function renderPage(runId = "run-1") {
  return render(
    <AuthProvider>
      <RunDetailPage runId={runId} />
    </AuthProvider>,
  );
}

beforeEach(() => {
  subscriptions.length = 0;
});

describe("RunDetailPage", () => {
  it("shows the run: status, ids, values as Python, the call timeline, timers and events", async () => {
    mockGateway(() => ({ body: { data: { run: detail() } } }));
    renderPage();

    expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("Checkout order-1");
    expect(screen.getByLabelText("Run status")).toHaveTextContent("Running");
    expect(screen.getByLabelText("Input")).toHaveTextContent(
      "{'order_id': 1, 'when': datetime('2026-01-01T00:00:00+00:00')}",
    );
    const call = within(screen.getByRole("list", { name: "Action calls" })).getByRole("listitem", {
      name: "Call 1: charge",
    });
    expect(call).toHaveTextContent("Succeeded");
    expect(call).toHaveTextContent("attempt 2 of 3");
    expect(call).toHaveTextContent("1 redelivery");
    expect(call).toHaveTextContent("ran 1.5 s");
    expect(call).toHaveTextContent("worker worker-7");
    expect(within(call).getByLabelText("Arguments of call 1")).toHaveTextContent("(1,)");
    expect(screen.getByRole("table", { name: "Timers" })).toHaveTextContent("sleep");
    expect(screen.getByRole("table", { name: "Events" })).toHaveTextContent("start");
    // no Jaeger configured: the trace id is shown, not linked
    expect(screen.getByText("4bf92f3577b34da6a3ce929d0e0e4736").closest("a")).toBeNull();
  });

  it("links the trace when a Jaeger URL is configured", async () => {
    setJaegerUrl("http://jaeger:16686/");
    mockGateway(() => ({ body: { data: { run: detail() } } }));
    renderPage();
    const link = (await screen.findByText("4bf92f3577b34da6a3ce929d0e0e4736")).closest("a");
    expect(link).toHaveAttribute("href", "http://jaeger:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("follows the run subscription until the run is terminal", async () => {
    mockGateway(() => ({ body: { data: { run: detail() } } }));
    renderPage();
    await screen.findByRole("heading", { level: 1 });
    const live = lastSubscription("RunLive");
    expect(live.variables).toEqual({ runId: "run-1" });

    act(() =>
      live.handlers.next({
        run: detail({
          status: "COMPLETED",
          result: '{"$decimal": "9.90"}',
          updatedAt: "2026-01-01T00:00:05Z",
          finishedAt: "2026-01-01T00:00:05Z",
        }),
      }),
    );
    expect(screen.getByLabelText("Run status")).toHaveTextContent("Completed");
    expect(screen.getByLabelText("Result")).toHaveTextContent("Decimal('9.90')");
    expect(screen.queryByRole("button", { name: "Cancel run" })).toBeNull(); // nothing to control any more
  });

  it("cancels only after confirmation, and shows the gateway's error", async () => {
    const gateway = mockGateway((op) =>
      op.operationName === "CancelRun"
        ? { body: { data: null, errors: [{ message: "run run-1 is already finishing" }] } }
        : { body: { data: { run: detail() } } },
    );
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Cancel run" }));
    expect(gateway.calls.some((c) => c.operationName === "CancelRun")).toBe(false);

    const dialog = screen.getByRole("alertdialog");
    await user.click(within(dialog).getByRole("button", { name: "Yes, cancel the run" }));
    expect(await screen.findByText("run run-1 is already finishing")).toBeInTheDocument();
    expect(gateway.calls.find((c) => c.operationName === "CancelRun")?.variables).toEqual({ runId: "run-1" });
  });

  it("sends a signal with a JSON value after confirmation, and refuses a value that is not JSON", async () => {
    const gateway = mockGateway((op) =>
      op.operationName === "SignalRun"
        ? { body: { data: { signalRun: detail({ updatedAt: "2026-01-01T00:00:02Z" }) } } }
        : { body: { data: { run: detail() } } },
    );
    renderPage();
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Signal name"), "approved");
    const value = screen.getByLabelText("Signal value (JSON)");
    await user.type(value, "{{oops");
    await user.click(screen.getByRole("button", { name: "Send signal" }));
    expect(screen.getByRole("alert")).toHaveTextContent("not valid JSON");

    await user.clear(value);
    await user.type(value, '{{"by": "ana"}');
    await user.click(screen.getByRole("button", { name: "Send signal" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Yes, send it" }));
    expect(await screen.findByText('Signal "approved" sent.')).toBeInTheDocument();
    expect(gateway.calls.find((c) => c.operationName === "SignalRun")?.variables).toEqual({
      runId: "run-1",
      name: "approved",
      value: '{"by": "ana"}',
    });
  });

  it("says when there is no such run", async () => {
    mockGateway(() => ({ body: { data: { run: null } } }));
    renderPage("nope");
    expect(await screen.findByText(/No run with id/)).toHaveTextContent("No run with id nope");
  });
});

describe("RunDetailPage without a live connection", () => {
  it("polls the run instead", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let status = "RUNNING";
      const gateway = mockGateway(() => ({
        body: { data: { run: detail({ status: status as "RUNNING", updatedAt: new Date().toISOString() }) } },
      }));
      renderPage();
      await screen.findByRole("heading", { level: 1 });
      act(() => lastSubscription("RunLive").handlers.error?.(new Error("socket closed")));
      expect(screen.getByRole("status", { name: /Live updates/ })).toHaveTextContent("Live updates unavailable");

      status = "COMPLETED";
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3500);
      });
      expect(await screen.findByText("Completed", { selector: ".badge" })).toBeInTheDocument();
      expect(gateway.calls.filter((c) => c.operationName === "Run").length).toBeGreaterThan(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
