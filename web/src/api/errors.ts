/** What can go wrong when the dashboard talks to the gateway, as distinct classes the UI can tell apart. */

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** The gateway refused the request for want of a (valid) bearer token: HTTP 401/403 or an auth error. */
export class UnauthorizedError extends Error {
  constructor(message = "The gateway needs an access token.") {
    super(message);
    this.name = "UnauthorizedError";
  }
}

/** The request never got an answer (gateway down, connection refused). */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NetworkError";
  }
}

/** An HTTP answer that is not GraphQL (a 5xx page, a proxy error). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`The gateway answered HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ""}`);
    this.name = "HttpError";
  }
}

/** GraphQL `errors`: the messages are kept verbatim, since they are what a person has to act on. */
export class GraphQLRequestError extends Error {
  constructor(readonly errors: GraphQLErrorEntry[]) {
    super(errors.map((e) => e.message).join("\n") || "The gateway returned an error without a message.");
    this.name = "GraphQLRequestError";
  }
}

const AUTH_WORDS = /\b(unauthori[sz]ed|unauthenticated|forbidden|invalid token|missing token|bearer)\b/i;

/** True when a GraphQL error list says the request lacked a valid token. */
export function isAuthError(errors: GraphQLErrorEntry[]): boolean {
  return errors.some((e) => {
    const code = e.extensions?.["code"];
    return code === "UNAUTHENTICATED" || code === "UNAUTHORIZED" || code === "FORBIDDEN" || AUTH_WORDS.test(e.message);
  });
}

/** A one-line message for any error the client may throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
