/** React hooks over the client: a query with optional polling, a subscription, and a mutation. */
import { useCallback, useEffect, useRef, useState } from "react";

import { useAuth } from "./auth";
import { request, subscribe, watchConnection } from "./client";
import { UnauthorizedError } from "./errors";

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refetch: () => void;
}

/** Runs `query` when it, its variables or the token change; again every `pollMs` when given. */
export function useQuery<T>(
  query: string,
  variables: Record<string, unknown> = {},
  options: { pollMs?: number; skip?: boolean } = {},
): QueryState<T> {
  const { epoch, requireToken } = useAuth();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(!options.skip);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);

  useEffect(() => {
    if (options.skip) return;
    const controller = new AbortController();
    setLoading(true);
    request<T>(query, JSON.parse(key) as Record<string, unknown>, { signal: controller.signal })
      .then((result) => {
        setData(result);
        setError(undefined);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof UnauthorizedError) requireToken();
        setError(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [query, key, epoch, tick, options.skip, requireToken]);

  useEffect(() => {
    if (!options.pollMs || options.skip) return;
    const timer = setInterval(() => setTick((n) => n + 1), options.pollMs);
    return () => clearInterval(timer);
  }, [options.pollMs, options.skip]);

  const refetch = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, refetch };
}

export type LiveState = "connecting" | "live" | "ended" | "error";

/** Subscribes while mounted; `onData` gets each result. Returns the connection's state for a "live" indicator. */
export function useSubscription<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  options: { skip?: boolean } = {},
): { state: LiveState; error: Error | undefined } {
  const { epoch, requireToken } = useAuth();
  const [state, setState] = useState<LiveState>("connecting");
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<Error>();
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify(variables);

  useEffect(() => {
    if (options.skip) return;
    setState("connecting");
    setError(undefined);
    return subscribe<T>(query, JSON.parse(key) as Record<string, unknown>, {
      next: (data) => {
        setState("live");
        handler.current(data);
      },
      error: (err) => {
        if (err instanceof UnauthorizedError) requireToken();
        setError(err);
        setState("error");
      },
      complete: () => setState("ended"),
    });
  }, [query, key, epoch, options.skip, requireToken]);

  useEffect(() => watchConnection(setConnected), []);

  // a subscription that has sent nothing yet is live as soon as its socket is acknowledged
  return { state: state === "connecting" && connected ? "live" : state, error };
}

export interface MutationState<T> {
  run: (variables: Record<string, unknown>) => Promise<T | undefined>;
  data: T | undefined;
  error: Error | undefined;
  pending: boolean;
  reset: () => void;
}

export function useMutation<T>(mutation: string): MutationState<T> {
  const { requireToken } = useAuth();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [pending, setPending] = useState(false);

  const run = useCallback(
    async (variables: Record<string, unknown>) => {
      setPending(true);
      setError(undefined);
      try {
        const result = await request<T>(mutation, variables);
        setData(result);
        return result;
      } catch (err) {
        if (err instanceof UnauthorizedError) requireToken();
        setError(err instanceof Error ? err : new Error(String(err)));
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [mutation, requireToken],
  );
  const reset = useCallback(() => {
    setData(undefined);
    setError(undefined);
  }, []);
  return { run, data, error, pending, reset };
}
