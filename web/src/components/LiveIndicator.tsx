import type { LiveState } from "../api/hooks";

const TEXT: Record<LiveState, string> = {
  connecting: "Connecting…",
  live: "Live",
  ended: "Final",
  error: "Live updates unavailable",
};

/** Whether the page is receiving subscription updates. */
export function LiveIndicator({ state }: { state: LiveState }) {
  return (
    <span className={`live live-${state}`} role="status" aria-label={`Live updates: ${TEXT[state]}`}>
      {TEXT[state]}
    </span>
  );
}
