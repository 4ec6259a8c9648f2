import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { AuthProvider } from "../api/auth";
import { lastSubscription, mockGateway, subscriptions, summary } from "../test/gateway";
import { RunsPage } from "./Runs";

vi.mock("../api/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../api/client")>()),
  ...(await import("../test/gateway")).fakeClient,
}));

function renderPage(params = "") {
  return render(
    <AuthProvider>
      <RunsPage params={new URLSearchParams(params)} />
    </AuthProvider>,
  );
}

beforeEach(() => {
  subscriptions.length = 0;
});

const workflows = { workflows: [{ name: "Checkout", currentVersion: {}, runCounts: [], parameters: [] }] };

describe("RunsPage", () => {
  it("lists runs, loads more by cursor, and adds changed runs live", async () => {
    const gateway = mockGateway((op) => {
      if (op.operationName === "Workflows") return { body: { data: workflows } };
      if (op.variables["after"] === "c1")
        return { body: { data: { runs: { items: [summary({ runId: "r0", workflowId: "old" })], nextCursor: null } } } };
      return {
        body: {
          data: {
            runs: {
              items: [summary({ runId: "r1", workflowId: "first", createdAt: "2026-01-01T00:00:10Z" })],
              nextCursor: "c1",
            },
          },
        },
      };
    });
    renderPage("status=RUNNING");
    const table = await screen.findByRole("table", { name: "Runs" });
    expect(within(table).getByRole("link", { name: "first" })).toHaveAttribute("href", "#/runs/r1");
    expect(gateway.calls.find((c) => c.operationName === "Runs")?.variables).toMatchObject({
      status: "RUNNING",
      first: 50,
      after: null,
    });

    await userEvent.setup().click(screen.getByRole("button", { name: "Load more" }));
    expect(await within(table).findByRole("link", { name: "old" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();

    act(() =>
      lastSubscription("RunsChanged").handlers.next({
        runsChanged: [
          summary({ runId: "r2", workflowId: "fresh", createdAt: "2026-01-01T00:00:20Z" }),
          summary({ runId: "r1", workflowId: "first", status: "COMPLETED", createdAt: "2026-01-01T00:00:10Z" }),
        ],
      }),
    );
    const links = within(table).getAllByRole("link").map((a) => a.textContent);
    expect(links).toEqual(["fresh", "old"]); // r1 completed: it left the RUNNING filter
    expect(screen.getByRole("status", { name: /Live updates/ })).toHaveTextContent("Live");
  });

  it("has an empty state and shows errors with a retry", async () => {
    let fail = true;
    mockGateway((op) => {
      if (op.operationName === "Workflows") return { body: { data: workflows } };
      return fail
        ? { status: 500, body: "Internal Server Error" }
        : { body: { data: { runs: { items: [], nextCursor: null } } } };
    });
    renderPage();
    expect(await screen.findByRole("alert")).toHaveTextContent("HTTP 500");
    fail = false;
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("No runs yet.")).toBeInTheDocument();
  });
});
