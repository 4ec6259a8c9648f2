/**
 * A lossless JSON reader for Waymark's tagged JSON (docs/values.md).
 *
 * `JSON.parse` is not enough: it turns `1.0` into `1` (the encoding keeps a `.` on every float so a float stays a
 * float) and rounds integers beyond 2**53 (the encoding uses plain JSON integers up to 2**63). This reader keeps each
 * number's text and each object's key order, so the renderer can show exactly what Python had.
 */

export type JsonNode =
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  | { kind: "number"; text: string }
  | { kind: "string"; value: string }
  | { kind: "array"; items: JsonNode[] }
  | { kind: "object"; entries: [string, JsonNode][] };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = "JsonSyntaxError";
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJson(text: string): JsonNode {
  let pos = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skipSpace = () => {
    while (pos < text.length && " \t\n\r".includes(text.charAt(pos))) pos++;
  };
  const expect = (char: string) => {
    if (text[pos] !== char) fail(`expected '${char}'`);
    pos++;
  };

  const readString = (): string => {
    expect('"');
    let out = "";
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const char = text.charAt(pos++);
      if (char === '"') return out;
      if (char !== "\\") {
        out += char;
        continue;
      }
      const escape = text.charAt(pos++);
      switch (escape) {
        case '"':
        case "\\":
        case "/":
          out += escape;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          fail("bad escape");
      }
    }
  };

  const readValue = (): JsonNode => {
    skipSpace();
    const char = text[pos];
    if (char === "{") {
      pos++;
      const entries: [string, JsonNode][] = [];
      skipSpace();
      if (text[pos] === "}") {
        pos++;
        return { kind: "object", entries };
      }
      for (;;) {
        skipSpace();
        const key = readString();
        skipSpace();
        expect(":");
        entries.push([key, readValue()]);
        skipSpace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        expect("}");
        return { kind: "object", entries };
      }
    }
    if (char === "[") {
      pos++;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[pos] === "]") {
        pos++;
        return { kind: "array", items };
      }
      for (;;) {
        items.push(readValue());
        skipSpace();
        if (text[pos] === ",") {
          pos++;
          continue;
        }
        expect("]");
        return { kind: "array", items };
      }
    }
    if (char === '"') return { kind: "string", value: readString() };
    for (const [word, node] of [
      ["null", { kind: "null" }],
      ["true", { kind: "bool", value: true }],
      ["false", { kind: "bool", value: false }],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return node;
      }
    }
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (match) {
      pos += match[0].length;
      return { kind: "number", text: match[0] };
    }
    return fail(pos >= text.length ? "unexpected end of input" : `unexpected '${text.charAt(pos)}'`);
  };

  const value = readValue();
  skipSpace();
  if (pos !== text.length) fail("unexpected text after the value");
  return value;
}
