import { describe, expect, it } from "vitest";

import type { RunSummary } from "../api/types";
import { matchesFilter, mergeRuns } from "./runs";

function run(id: string, second: number, extra: Partial<RunSummary> = {}): RunSummary {
  const at = `2026-01-01T00:00:${String(second).padStart(2, "0")}Z`;
  return {
    runId: id,
    workflowId: `wf-${id}`,
    workflowName: "Checkout",
    status: "RUNNING",
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
    parentRunId: null,
    ...extra,
  };
}

describe("mergeRuns", () => {
  it("updates known runs in place and adds new ones newest first", () => {
    const current = [run("b", 20), run("a", 10)];
    const merged = mergeRuns(current, [run("a", 10, { status: "COMPLETED" }), run("c", 30)], {}, true);
    expect(merged.map((r) => [r.runId, r.status])).toEqual([
      ["c", "RUNNING"],
      ["b", "RUNNING"],
      ["a", "COMPLETED"],
    ]);
  });

  it("drops runs that no longer match the filter and ignores new ones that never did", () => {
    const current = [run("a", 10)];
    const merged = mergeRuns(current, [run("a", 10, { status: "COMPLETED" }), run("b", 20)], { status: "RUNNING" }, true);
    expect(merged.map((r) => r.runId)).toEqual(["b"]);
  });

  it("leaves runs older than the loaded page to 'load more'", () => {
    const merged = mergeRuns([run("b", 20)], [run("old", 5), run("new", 30)], {}, false);
    expect(merged.map((r) => r.runId)).toEqual(["new", "b"]);
  });
});

describe("matchesFilter", () => {
  it("searches run id, workflow id and name without case", () => {
    const r = run("abc", 1, { workflowId: "Order-42" });
    expect(matchesFilter(r, { search: "order-4" })).toBe(true);
    expect(matchesFilter(r, { search: "ABC" })).toBe(true);
    expect(matchesFilter(r, { search: "zzz" })).toBe(false);
    expect(matchesFilter(r, { workflowName: "Other" })).toBe(false);
  });
});
