/**
 * Renders Waymark's tagged JSON (docs/values.md) the way Python would show the value: a tuple as `(1, 2)`, a set as
 * `{1, 2}`, `Decimal('1.10')`, `datetime('2026-11-26T04:00:00+00:00')`, a model as `shop.Order(id=1)`, an exception
 * as `shop.PaymentDeclined('card declined')`. Short values stay on one line; longer ones break one item per line.
 */
import { type JsonNode, parseJson } from "./json";

export interface FormatOptions {
  /** the widest line a collection may take before it is broken one item per line */
  width?: number;
  indent?: string;
}

/** Formats tagged JSON text; text that is not JSON is returned as it is. */
export function formatTaggedText(text: string, options: FormatOptions = {}): string {
  let node: JsonNode;
  try {
    node = parseJson(text);
  } catch {
    return text;
  }
  return formatTagged(node, options);
}

export function formatTagged(node: JsonNode, options: FormatOptions = {}): string {
  return layout(toDoc(node), "", options.width ?? 80, options.indent ?? "  ");
}

// ---- a small document model: atoms and bracketed groups -----------------------------------------------------------

type Doc = string | Group;

interface Group {
  open: string;
  close: string;
  items: Doc[];
  /** appended after the only item (a one-element tuple's comma) */
  single?: string;
}

function flat(doc: Doc): string {
  if (typeof doc === "string") return doc;
  const inner = doc.items.map(flat).join(", ");
  return doc.open + inner + (doc.items.length === 1 && doc.single ? doc.single : "") + doc.close;
}

function layout(doc: Doc, prefix: string, width: number, indent: string): string {
  const oneLine = flat(doc);
  if (typeof doc === "string" || prefix.length + oneLine.length <= width || doc.items.length === 0) return oneLine;
  const inner = prefix + indent;
  const lines = doc.items.map((item) => inner + layout(item, inner, width, indent) + ",");
  return `${doc.open}\n${lines.join("\n")}\n${prefix}${doc.close}`;
}

/** An item that starts with a label (`key: `, `name=`) and then a value laid out in turn. */
function labelled(label: string, value: Doc): Doc {
  if (typeof value === "string") return label + value;
  return { ...value, open: label + value.open };
}

// ---- tagged JSON -> Doc --------------------------------------------------------------------------------------------

export function pyString(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === quote || char === "\\") out += "\\" + char;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += char;
  }
  return quote + out + quote;
}

function pyBytes(base64: string): string {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    return `bytes(${pyString(base64)})`;
  }
  let out = "";
  for (let i = 0; i < binary.length; i++) {
    const code = binary.charCodeAt(i);
    const char = binary.charAt(i);
    if (char === "'" || char === "\\") out += "\\" + char;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || code >= 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += char;
  }
  return `b'${out}'`;
}

/** `str(timedelta(days, seconds, microseconds))` as Python prints it: `1 day, 2:03:04.500000`. */
export function pyTimedelta(days: number, seconds: number, micros: number): string {
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  let clock = `${hh}:${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")}`;
  if (micros) clock += "." + String(micros).padStart(6, "0");
  if (!days) return clock;
  return `${days} day${Math.abs(days) === 1 ? "" : "s"}, ${clock}`;
}

function field(entries: [string, JsonNode][], name: string): JsonNode | undefined {
  return entries.find(([key]) => key === name)?.[1];
}

function text(node: JsonNode | undefined): string | undefined {
  return node?.kind === "string" ? node.value : undefined;
}

function items(node: JsonNode | undefined): JsonNode[] {
  return node?.kind === "array" ? node.items : [];
}

function objectFields(node: JsonNode | undefined): [string, JsonNode][] {
  return node?.kind === "object" ? node.entries : [];
}

function call(name: string, args: Doc[]): Doc {
  return { open: `${name}(`, close: ")", items: args };
}

function toDoc(node: JsonNode): Doc {
  switch (node.kind) {
    case "null":
      return "None";
    case "bool":
      return node.value ? "True" : "False";
    case "number":
      return node.text;
    case "string":
      return pyString(node.value);
    case "array":
      return { open: "[", close: "]", items: node.items.map(toDoc) };
    case "object": {
      const first = node.entries[0];
      if (node.entries.length === 1 && first && first[0].startsWith("$")) {
        const tagged = fromTag(first[0], first[1]);
        if (tagged !== undefined) return tagged;
      }
      return {
        open: "{",
        close: "}",
        items: node.entries.map(([key, value]) => labelled(pyString(key) + ": ", toDoc(value))),
      };
    }
  }
}

/** The Doc of one `{"$tag": body}`; undefined for a tag this renderer does not know (shown as a plain dict). */
function fromTag(tag: string, body: JsonNode): Doc | undefined {
  switch (tag) {
    case "$int":
      return text(body);
    case "$float":
      return text(body);
    case "$tuple":
      return { open: "(", close: ")", items: items(body).map(toDoc), single: "," };
    case "$set":
      return items(body).length ? { open: "{", close: "}", items: items(body).map(toDoc) } : "set()";
    case "$frozenset":
      return call("frozenset", items(body).length ? [{ open: "{", close: "}", items: items(body).map(toDoc) }] : []);
    case "$dict":
      return {
        open: "{",
        close: "}",
        items: items(body).map((pair) => {
          const [key, value] = items(pair);
          return labelled(flat(key ? toDoc(key) : "None") + ": ", value ? toDoc(value) : "None");
        }),
      };
    case "$bytes":
      return text(body) === undefined ? undefined : pyBytes(text(body) ?? "");
    case "$decimal":
    case "$datetime":
    case "$date":
    case "$time":
    case "$uuid": {
      const value = text(body);
      const name = { $decimal: "Decimal", $datetime: "datetime", $date: "date", $time: "time", $uuid: "UUID" }[tag];
      return value === undefined ? undefined : `${name}(${pyString(value)})`;
    }
    case "$timedelta": {
      const [days, seconds, micros] = items(body).map((n) => (n.kind === "number" ? Number(n.text) : 0));
      return `timedelta(${pyString(pyTimedelta(days ?? 0, seconds ?? 0, micros ?? 0))})`;
    }
    case "$enum": {
      const entries = objectFields(body);
      const cls = text(field(entries, "class")) ?? "?";
      const name = text(field(entries, "name"));
      const value = field(entries, "value");
      if (name !== undefined) return `${cls}.${name}`;
      return `${cls}(${value ? flat(toDoc(value)) : ""})`;
    }
    case "$model":
    case "$dataclass": {
      const entries = objectFields(body);
      const cls = text(field(entries, "class")) ?? "?";
      return call(
        cls,
        objectFields(field(entries, "fields")).map(([key, value]) => labelled(`${key}=`, toDoc(value))),
      );
    }
    case "$exception":
      return exceptionDoc(body);
    default:
      return undefined;
  }
}

function exceptionDoc(body: JsonNode): Doc {
  const entries = objectFields(body);
  const cls = text(field(entries, "class")) ?? "Exception";
  const args: Doc[] = items(field(entries, "args")).map(toDoc);
  for (const [key, value] of objectFields(field(entries, "attrs"))) args.push(labelled(`.${key}=`, toDoc(value)));
  const doc = call(cls, args);
  const cause = field(entries, "cause");
  if (cause && cause.kind !== "null") {
    return `${flat(doc)} from ${flat(toDoc(cause))}`;
  }
  return doc;
}
