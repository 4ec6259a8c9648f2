import { describe, expect, it, vi } from "vitest";

import { request } from "./client";
import { GraphQLRequestError, HttpError, NetworkError, UnauthorizedError } from "./errors";
import { setToken } from "./settings";

function answer(status: number, body: unknown): typeof fetch {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return vi.fn(async () => new Response(text, { status, headers: { "content-type": "application/json" } }));
}

describe("request", () => {
  it("posts the query and variables and resolves to data", async () => {
    const fetch = answer(200, { data: { overview: { workflows: 2 } } });
    await expect(request("query { overview { workflows } }", { a: 1 }, { fetch })).resolves.toEqual({
      overview: { workflows: 2 },
    });
    const [url, init] = vi.mocked(fetch).mock.calls[0] ?? [];
    expect(url).toBe("/graphql");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ query: "query { overview { workflows } }", variables: { a: 1 } });
    expect((init?.headers as Record<string, string>)["authorization"]).toBeUndefined();
  });

  it("sends the saved token as a bearer token", async () => {
    setToken("s3cret");
    const fetch = answer(200, { data: { ok: true } });
    await request("query { ok }", {}, { fetch });
    const init = vi.mocked(fetch).mock.calls[0]?.[1];
    expect((init?.headers as Record<string, string>)["authorization"]).toBe("Bearer s3cret");
  });

  it("keeps GraphQL error messages verbatim", async () => {
    const fetch = answer(200, {
      data: null,
      errors: [{ message: "missing required argument 'order_id' of Checkout.run()" }, { message: "second" }],
    });
    const error = await request("mutation { x }", {}, { fetch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect((error as GraphQLRequestError).message).toBe("missing required argument 'order_id' of Checkout.run()\nsecond");
    expect((error as GraphQLRequestError).errors).toHaveLength(2);
  });

  it("turns HTTP 401 and 403 into UnauthorizedError, with the gateway's message", async () => {
    await expect(request("{ x }", {}, { fetch: answer(401, { errors: [{ message: "bad token" }] }) })).rejects.toThrow(
      new UnauthorizedError("bad token"),
    );
    await expect(request("{ x }", {}, { fetch: answer(403, "") })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("recognises an authorisation error sent as a GraphQL error", async () => {
    const fetch = answer(200, { data: null, errors: [{ message: "Unauthorized: a bearer token is required" }] });
    await expect(request("{ x }", {}, { fetch })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("reports a non-GraphQL answer with its status", async () => {
    const error = await request("{ x }", {}, { fetch: answer(502, "<html>Bad Gateway</html>") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(502);
    expect((error as HttpError).message).toContain("HTTP 502");
  });

  it("reports an unreachable gateway as a NetworkError", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(request("{ x }", {}, { fetch })).rejects.toThrow(NetworkError);
    await expect(request("{ x }", {}, { fetch })).rejects.toThrow(/Cannot reach the gateway: Failed to fetch/);
  });

  it("treats a 200 without data or errors as an error", async () => {
    await expect(request("{ x }", {}, { fetch: answer(200, {}) })).rejects.toThrow(/without data/);
  });
});
