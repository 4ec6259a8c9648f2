import { describe, expect, it } from "vitest";

import { parseJson } from "./json";
import { formatTaggedText, pyString, pyTimedelta } from "./tagged";

const show = (text: string) => formatTaggedText(text);

describe("formatTaggedText", () => {
  it("shows plain JSON as Python literals", () => {
    expect(show('{"a": [1, 2.5, "x", null, true, false]}')).toBe("{'a': [1, 2.5, 'x', None, True, False]}");
  });

  it("keeps the text of every number (floats stay floats, big ints stay exact)", () => {
    expect(show("[1.0, 9223372036854775807, 2.5e-07]")).toBe("[1.0, 9223372036854775807, 2.5e-07]");
    expect(show('{"$int": "123456789012345678901234567890"}')).toBe("123456789012345678901234567890");
    expect(show('[{"$float": "nan"}, {"$float": "-inf"}]')).toBe("[nan, -inf]");
  });

  it("renders tuples, sets and frozensets as Python does", () => {
    expect(show('{"$tuple": [1, "a"]}')).toBe("(1, 'a')");
    expect(show('{"$tuple": [1]}')).toBe("(1,)");
    expect(show('{"$tuple": []}')).toBe("()");
    expect(show('{"$set": [1, 2]}')).toBe("{1, 2}");
    expect(show('{"$set": []}')).toBe("set()");
    expect(show('{"$frozenset": ["x"]}')).toBe("frozenset({'x'})");
    expect(show('{"$frozenset": []}')).toBe("frozenset()");
  });

  it("renders dicts with non-string keys", () => {
    expect(show('{"$dict": [[1, "a"], [{"$tuple": [1, 2]}, null], ["$x", 3]]}')).toBe(
      "{1: 'a', (1, 2): None, '$x': 3}",
    );
  });

  it("renders scalar tags by their Python type", () => {
    expect(show('{"$decimal": "1.10"}')).toBe("Decimal('1.10')");
    expect(show('{"$datetime": "2026-11-26T04:00:00+00:00"}')).toBe("datetime('2026-11-26T04:00:00+00:00')");
    expect(show('{"$date": "2026-11-26"}')).toBe("date('2026-11-26')");
    expect(show('{"$time": "04:00:00.250000"}')).toBe("time('04:00:00.250000')");
    expect(show('{"$uuid": "3f0e0000-0000-0000-0000-000000000001"}')).toBe(
      "UUID('3f0e0000-0000-0000-0000-000000000001')",
    );
    expect(show('{"$timedelta": [1, 3661, 500000]}')).toBe("timedelta('1 day, 1:01:01.500000')");
    expect(show('{"$bytes": "aGkKAP8="}')).toBe("b'hi\\n\\x00\\xff'");
  });

  it("renders enums, models, dataclasses", () => {
    expect(show('{"$enum": {"class": "shop.Color", "name": "RED", "value": 1}}')).toBe("shop.Color.RED");
    expect(show('{"$enum": {"class": "shop.Perm", "name": null, "value": 0}}')).toBe("shop.Perm(0)");
    expect(show('{"$model": {"class": "shop.Order", "fields": {"id": 1, "sku": "A"}}}')).toBe(
      "shop.Order(id=1, sku='A')",
    );
    expect(show('{"$dataclass": {"class": "shop.Point", "fields": {"x": 1, "y": {"$tuple": [2]}}}}')).toBe(
      "shop.Point(x=1, y=(2,))",
    );
  });

  it("renders exceptions with their args, attrs and cause", () => {
    const cause = '{"$exception": {"class": "builtins.KeyError", "mro": [], "args": ["k"], "message": "\'k\'", "cause": null}}';
    const text = `{"$exception": {"class": "shop.PaymentDeclined", "mro": [], "args": ["declined"], "message": "declined", "cause": ${cause}, "attrs": {"sku": "A"}}}`;
    expect(show(text)).toBe("shop.PaymentDeclined('declined', .sku='A') from builtins.KeyError('k')");
  });

  it("breaks long values one item per line, nested", () => {
    const long = JSON.stringify({ items: Array.from({ length: 12 }, (_, i) => `item-number-${i}`), n: 1 });
    expect(formatTaggedText(long, { width: 40 })).toBe(
      ["{", "  'items': [", ...Array.from({ length: 12 }, (_, i) => `    'item-number-${i}',`), "  ],", "  'n': 1,", "}"].join(
        "\n",
      ),
    );
  });

  it("shows an unknown tag as the dict it looks like, and non-JSON text as it is", () => {
    expect(show('{"$nope": 1}')).toBe("{'$nope': 1}");
    expect(show("not json")).toBe("not json");
  });
});

describe("pyString", () => {
  it("quotes like Python's repr", () => {
    expect(pyString("it's")).toBe(`"it's"`);
    expect(pyString(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pyString("a\nb\tc\u0001")).toBe("'a\\nb\\tc\\x01'");
  });
});

describe("pyTimedelta", () => {
  it("prints like str(timedelta)", () => {
    expect(pyTimedelta(0, 5, 0)).toBe("0:00:05");
    expect(pyTimedelta(2, 0, 0)).toBe("2 days, 0:00:00");
    expect(pyTimedelta(-1, 86399, 0)).toBe("-1 day, 23:59:59");
  });
});

describe("parseJson", () => {
  it("keeps key order and rejects bad input with a position", () => {
    const node = parseJson('{"b": 1, "a": "\\u00e9"}');
    expect(node).toEqual({
      kind: "object",
      entries: [
        ["b", { kind: "number", text: "1" }],
        ["a", { kind: "string", value: "é" }],
      ],
    });
    expect(() => parseJson('{"a": }')).toThrow(/position 6/);
    expect(() => parseJson("[1] x")).toThrow(/after the value/);
  });
});
