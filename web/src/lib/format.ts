/** Durations and timestamps as people read them. */

/** `850 ms`, `1.2 s`, `42 s`, `3m 05s`, `2h 03m`, `1d 4h`; negative or non-finite input gives `—`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${(Math.floor(seconds * 10) / 10).toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const total = Math.floor(seconds);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (days) return `${days}d ${hours}h`;
  if (hours) return `${hours}h ${two(minutes)}m`;
  return `${minutes}m ${two(secs)}s`;
}

/** The duration between two ISO timestamps; `end` missing means "until now". */
export function durationBetween(start: string | null | undefined, end?: string | null, now: number = Date.now()): string {
  if (!start) return "—";
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return formatDuration(to - from);
}

/** A timestamp in the browser's local time, to the second: `2026-11-26 04:00:00`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
  );
}

/** `5 s ago`, `3m 05s ago`: how long before `now` a timestamp was. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "—";
  const ms = now - Date.parse(iso);
  return ms < 1000 ? "just now" : `${formatDuration(ms)} ago`;
}
