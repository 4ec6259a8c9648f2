import { describe, expect, it } from "vitest";

import { ago, durationBetween, formatDuration } from "./format";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [1234, "1.2 s"],
    [9999, "9.9 s"],
    [42_000, "42 s"],
    [185_000, "3m 05s"],
    [2 * 3600_000 + 3 * 60_000, "2h 03m"],
    [28 * 3600_000, "1d 4h"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("gives a dash for what is not a duration", () => {
    expect(formatDuration(-5)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("durationBetween", () => {
  it("measures between two timestamps, or until now", () => {
    expect(durationBetween("2026-01-01T00:00:00Z", "2026-01-01T00:01:30Z")).toBe("1m 30s");
    expect(durationBetween("2026-01-01T00:00:00Z", null, Date.parse("2026-01-01T00:00:00.5Z"))).toBe("500 ms");
    expect(durationBetween(null, null)).toBe("—");
  });

  it("says how long ago", () => {
    expect(ago("2026-01-01T00:00:00Z", Date.parse("2026-01-01T00:00:05Z"))).toBe("5.0 s ago");
    expect(ago("2026-01-01T00:00:00Z", Date.parse("2026-01-01T00:00:00.2Z"))).toBe("just now");
  });
});
