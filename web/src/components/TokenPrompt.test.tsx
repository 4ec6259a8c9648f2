import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { AuthProvider } from "../api/auth";
import { getToken } from "../api/settings";
import { OverviewPage } from "../pages/Overview";
import { mockGateway } from "../test/gateway";
import { TokenPrompt } from "./TokenPrompt";

const overview = {
  overview: {
    runCounts: [{ status: "COMPLETED", count: 3 }],
    workflows: 1,
    queuedActions: 2,
    runningActions: 1,
    pendingTimers: 4,
  },
  workflows: [
    {
      name: "Checkout",
      currentVersion: { versionId: "abcdef0123456789", module: "shop", qualname: "Checkout", createdAt: "" },
      runCounts: [{ status: "COMPLETED", count: 3 }],
      parameters: [],
    },
  ],
};

describe("token prompt", () => {
  it("asks for a token on 401, keeps it in localStorage and retries with it", async () => {
    const gateway = mockGateway((op) =>
      op.headers["authorization"] === "Bearer t0ken"
        ? { body: { data: overview } }
        : { status: 401, body: { errors: [{ message: "a bearer token is required" }] } },
    );
    render(
      <AuthProvider>
        <OverviewPage />
        <TokenPrompt />
      </AuthProvider>,
    );
    const dialog = await screen.findByRole("dialog", { name: "Access token required" });
    expect(dialog).toBeInTheDocument();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Token"), "t0ken");
    await user.click(screen.getByRole("button", { name: "Save token" }));

    expect(getToken()).toBe("t0ken");
    expect(screen.queryByRole("dialog")).toBeNull();
    const table = await screen.findByRole("table", { name: "Workflows" });
    expect(table).toHaveTextContent("Checkout");
    expect(screen.getByRole("meter", { name: "Pending timers" })).toHaveAttribute("value", "4");
    expect(gateway.calls.at(-1)?.headers["authorization"]).toBe("Bearer t0ken");
  });
});
