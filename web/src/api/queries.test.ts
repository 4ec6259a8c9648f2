import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { buildSchema, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";

import { ALL_DOCUMENTS } from "./queries";

// The contract: every document the dashboard sends must be valid against the gateway's schema.graphql.
const schemaPath = resolve(process.cwd(), "../services/gateway/schema.graphql"); // vitest runs in web/
const schema = buildSchema(readFileSync(schemaPath, "utf8"));

describe("GraphQL documents", () => {
  it.each(Object.entries(ALL_DOCUMENTS))("%s is valid against services/gateway/schema.graphql", (_, document) => {
    const errors = validate(schema, parse(document));
    expect(errors.map((e) => e.message)).toEqual([]);
  });
});
