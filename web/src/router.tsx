/** Hash routing (`#/runs/abc?status=FAILED`): no server routes to configure, and links survive a reload. */
import { type AnchorHTMLAttributes, useEffect, useState } from "react";

export interface Location {
  path: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, "") || "/";
  const [path = "/", query = ""] = raw.split("?", 2);
  return { path: path.startsWith("/") ? path : `/${path}`, params: new URLSearchParams(query) };
}

export function useLocation(): Location {
  const [hash, setHash] = useState(() => globalThis.location.hash);
  useEffect(() => {
    const update = () => setHash(globalThis.location.hash);
    globalThis.addEventListener("hashchange", update);
    return () => globalThis.removeEventListener("hashchange", update);
  }, []);
  return parseHash(hash);
}

export function href(path: string, params?: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (value) query.set(key, value);
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

export function navigate(path: string, params?: Record<string, string | null | undefined>): void {
  globalThis.location.hash = href(path, params);
}

/** `/runs/:runId` against `/runs/abc` gives `{runId: "abc"}`; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const have = path.split("/");
  if (want.length !== have.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i] ?? "";
    const value = have[i] ?? "";
    if (part.startsWith(":")) {
      if (!value) return null;
      out[part.slice(1)] = decodeURIComponent(value);
    } else if (part !== value) return null;
  }
  return out;
}

export function Link({ to, ...props }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <a href={`#${to}`} {...props} />;
}
