import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { AuthProvider } from "../api/auth";
import type { Workflow } from "../api/types";
import { mockGateway } from "../test/gateway";
import { inputTemplate, StartRunPage } from "./StartRun";

const WORKFLOWS: Workflow[] = [
  {
    name: "Checkout",
    currentVersion: { versionId: "v1", module: "shop", qualname: "Checkout", createdAt: "2026-01-01T00:00:00Z" },
    runCounts: [],
    parameters: [
      { name: "order_id", required: true, annotation: "int" },
      { name: "wait_seconds", required: false, annotation: "float" },
    ],
  },
  {
    name: "Echo",
    currentVersion: { versionId: "v2", module: "shop", qualname: "Echo", createdAt: "2026-01-01T00:00:00Z" },
    runCounts: [],
    parameters: [{ name: "text", required: true, annotation: "str" }],
  },
];

function renderPage(params = "") {
  return render(
    <AuthProvider>
      <StartRunPage params={new URLSearchParams(params)} />
    </AuthProvider>,
  );
}

describe("StartRunPage", () => {
  it("lists the workflow's parameters and prefills the required ones", async () => {
    mockGateway(() => ({ body: { data: { workflows: WORKFLOWS } } }));
    renderPage("workflow=Checkout");
    expect(await screen.findByText("order_id: int")).toBeInTheDocument();
    expect(screen.getByText("wait_seconds: float")).toBeInTheDocument();
    expect(screen.getByLabelText("Input (JSON)")).toHaveValue('{\n  "order_id": null\n}');

    await userEvent.setup().selectOptions(screen.getByLabelText("Workflow"), "Echo");
    expect(screen.getByLabelText("Input (JSON)")).toHaveValue('{\n  "text": null\n}');
  });

  it("starts the run and opens it", async () => {
    const gateway = mockGateway((op) =>
      op.operationName === "StartRun"
        ? { body: { data: { startRun: { runId: "new-run", workflowId: "wf-9", status: "QUEUED" } } } }
        : { body: { data: { workflows: WORKFLOWS } } },
    );
    renderPage();
    const input = await screen.findByLabelText("Input (JSON)");
    fireEvent.change(input, { target: { value: '{"order_id": 7}' } });
    fireEvent.change(screen.getByLabelText("Workflow id (optional)"), { target: { value: "order-7" } });
    await userEvent.setup().click(screen.getByRole("button", { name: "Start run" }));
    await screen.findByRole("button", { name: "Start run" });
    expect(gateway.calls.find((c) => c.operationName === "StartRun")?.variables).toEqual({
      workflowName: "Checkout",
      input: '{"order_id": 7}',
      workflowId: "order-7",
    });
    expect(window.location.hash).toBe("#/runs/new-run");
  });

  it("shows the gateway's error verbatim", async () => {
    const message = "Checkout.run() missing 1 required argument: 'order_id'";
    mockGateway((op) =>
      op.operationName === "StartRun"
        ? { body: { data: null, errors: [{ message, path: ["startRun"] }] } }
        : { body: { data: { workflows: WORKFLOWS } } },
    );
    renderPage();
    fireEvent.change(await screen.findByLabelText("Input (JSON)"), { target: { value: "{}" } });
    await userEvent.setup().click(screen.getByRole("button", { name: "Start run" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(message);
    expect(window.location.hash).toBe("");
  });

  it("refuses input that is not a JSON object before sending it", async () => {
    const gateway = mockGateway(() => ({ body: { data: { workflows: WORKFLOWS } } }));
    renderPage();
    fireEvent.change(await screen.findByLabelText("Input (JSON)"), { target: { value: "[1, 2]" } });
    await userEvent.setup().click(screen.getByRole("button", { name: "Start run" }));
    expect(screen.getByRole("alert")).toHaveTextContent("must be a JSON object");
    expect(gateway.calls.some((c) => c.operationName === "StartRun")).toBe(false);
  });

  it("says when nothing is registered", async () => {
    mockGateway(() => ({ body: { data: { workflows: [] } } }));
    renderPage();
    expect(await screen.findByText(/No workflow is registered yet/)).toBeInTheDocument();
  });
});

describe("inputTemplate", () => {
  it("has a null for every required parameter", () => {
    expect(inputTemplate([])).toBe("{}");
    expect(inputTemplate([{ name: "a", required: false, annotation: null }])).toBe("{}");
  });
});
