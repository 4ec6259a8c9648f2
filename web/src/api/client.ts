/**
 * The GraphQL client: queries and mutations over HTTP POST, subscriptions over `graphql-transport-ws` (graphql-ws),
 * both at /graphql and both carrying the bearer token from localStorage when there is one.
 */
import { type Client, createClient } from "graphql-ws";

import {
  type GraphQLErrorEntry,
  GraphQLRequestError,
  HttpError,
  isAuthError,
  NetworkError,
  UnauthorizedError,
} from "./errors";
import { getToken } from "./settings";

export const GRAPHQL_PATH = "/graphql";

type Fetch = typeof fetch;

export interface RequestOptions {
  fetch?: Fetch;
  token?: string | null;
  signal?: AbortSignal;
  url?: string;
}

/** Runs one query or mutation; resolves to `data`, or throws one of the errors of ./errors. */
export async function request<T>(
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<T> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const token = options.token === undefined ? getToken() : options.token;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (token) headers["authorization"] = `Bearer ${token}`;

  let response: Response;
  try {
    response = await doFetch(options.url ?? GRAPHQL_PATH, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new NetworkError(`Cannot reach the gateway: ${error instanceof Error ? error.message : String(error)}`);
  }

  if (response.status === 401 || response.status === 403) {
    throw new UnauthorizedError(await readMessage(response, "The gateway needs an access token."));
  }
  const body = await response.text();
  let payload: { data?: T | null; errors?: GraphQLErrorEntry[] };
  try {
    payload = JSON.parse(body) as typeof payload;
  } catch {
    throw new HttpError(response.status, body);
  }
  if (payload.errors?.length) {
    if (isAuthError(payload.errors)) throw new UnauthorizedError(payload.errors[0]?.message);
    throw new GraphQLRequestError(payload.errors);
  }
  if (!response.ok) throw new HttpError(response.status, body);
  if (payload.data === undefined || payload.data === null) {
    throw new GraphQLRequestError([{ message: "The gateway answered without data." }]);
  }
  return payload.data;
}

async function readMessage(response: Response, fallback: string): Promise<string> {
  try {
    const body = (await response.text()).trim();
    if (!body) return fallback;
    try {
      const parsed = JSON.parse(body) as { errors?: GraphQLErrorEntry[]; detail?: string; message?: string };
      return parsed.errors?.[0]?.message ?? parsed.detail ?? parsed.message ?? fallback;
    } catch {
      return body.length < 200 ? body : fallback;
    }
  } catch {
    return fallback;
  }
}

// ---- subscriptions ---------------------------------------------------------------------------------------------------

/** Close codes with which a graphql-transport-ws server refuses a connection for want of a valid token. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

let wsClient: Client | null = null;
let authListeners: (() => void)[] = [];
let connected = false;
let connectionListeners: ((connected: boolean) => void)[] = [];

function setConnected(value: boolean): void {
  connected = value;
  connectionListeners.forEach((l) => l(value));
}

/** Whether the websocket is open and acknowledged now; `listener` hears every change until unsubscribed. */
export function watchConnection(listener: (connected: boolean) => void): () => void {
  connectionListeners.push(listener);
  listener(connected);
  return () => {
    connectionListeners = connectionListeners.filter((l) => l !== listener);
  };
}

function wsUrl(): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}${GRAPHQL_PATH}`;
}

/** Called when the websocket is refused for want of a token (the app then asks for one). */
export function onSubscriptionUnauthorized(listener: () => void): () => void {
  authListeners.push(listener);
  return () => {
    authListeners = authListeners.filter((l) => l !== listener);
  };
}

function closeCode(event: unknown): number | undefined {
  return typeof event === "object" && event !== null && "code" in event ? Number(event.code) : undefined;
}

export function subscriptionClient(): Client {
  if (!wsClient) {
    wsClient = createClient({
      url: wsUrl(),
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: (event) => !AUTH_CLOSE_CODES.has(closeCode(event) ?? 0),
      connectionParams: () => {
        const token = getToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      on: {
        connected: () => setConnected(true),
        closed: (event) => {
          setConnected(false);
          if (AUTH_CLOSE_CODES.has(closeCode(event) ?? 0)) authListeners.forEach((l) => l());
        },
      },
    });
  }
  return wsClient;
}

/** Drops the websocket so the next subscription connects again (with a new token). */
export function resetSubscriptionClient(): void {
  const client = wsClient;
  wsClient = null;
  setConnected(false);
  void client?.dispose();
}

export interface SubscriptionHandlers<T> {
  next: (data: T) => void;
  error?: (error: Error) => void;
  complete?: () => void;
}

/** Subscribes; returns the function that unsubscribes. */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  handlers: SubscriptionHandlers<T>,
): () => void {
  return subscriptionClient().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) {
          const errors = result.errors as GraphQLErrorEntry[];
          handlers.error?.(isAuthError(errors) ? new UnauthorizedError() : new GraphQLRequestError(errors));
        } else if (result.data) {
          handlers.next(result.data);
        }
      },
      error: (error: unknown) => {
        if (Array.isArray(error)) {
          const errors = error as GraphQLErrorEntry[];
          handlers.error?.(isAuthError(errors) ? new UnauthorizedError() : new GraphQLRequestError(errors));
        } else if (AUTH_CLOSE_CODES.has(closeCode(error) ?? 0)) {
          handlers.error?.(new UnauthorizedError());
        } else {
          handlers.error?.(new NetworkError("The live connection to the gateway closed."));
        }
      },
      complete: () => handlers.complete?.(),
    },
  );
}
