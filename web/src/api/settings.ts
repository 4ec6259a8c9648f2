/** Settings the dashboard keeps in localStorage: the bearer token and the Jaeger URL for trace links. */

const TOKEN_KEY = "waymark.token";
const JAEGER_KEY = "waymark.jaeger";

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled (private mode, sandboxed frame)
  }
}

export function getToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

export function setToken(token: string | null): void {
  const store = storage();
  if (!store) return;
  if (token) store.setItem(TOKEN_KEY, token.trim().replace(/^Bearer\s+/i, ""));
  else store.removeItem(TOKEN_KEY);
}

export function getJaegerUrl(): string | null {
  return storage()?.getItem(JAEGER_KEY) ?? null;
}

export function setJaegerUrl(url: string | null): void {
  const store = storage();
  if (!store) return;
  if (url) store.setItem(JAEGER_KEY, url.trim().replace(/\/+$/, ""));
  else store.removeItem(JAEGER_KEY);
}

/** `?jaeger=http://host:16686` in the page's URL is remembered (an empty value forgets it). */
export function adoptJaegerFromUrl(search: string = globalThis.location?.search ?? ""): void {
  const params = new URLSearchParams(search);
  if (params.has("jaeger")) setJaegerUrl(params.get("jaeger") || null);
}

export function traceUrl(traceId: string, base: string | null = getJaegerUrl()): string | null {
  return base ? `${base}/trace/${encodeURIComponent(traceId)}` : null;
}
