"""f-strings: conversions, format specs, nested fields; string methods."""

from __future__ import annotations

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_fstr_format")
class Format(Workflow):
    async def run(self, name: str, amount: float, count: int) -> list[str]:
        width = 8
        return [
            f"hello {name}!",
            f"{name!r} {name!s}",
            f"{amount:.2f} {amount:10.3f}| {amount:<10}| {amount:>10}| {amount:^10}|",
            f"{count:05d} {count:x} {count:o} {count:b} {count:,}",
            f"{count:{width}d}|",
            f"{amount:e} {amount:%}",
            f"{[1, 2]} {(3,)} {{literal}} {None} {True}",
            f"{'nested ' + name.upper()}",
        ]


@workflow(name="d_fstr_methods")
class Methods(Workflow):
    async def run(self, text: str) -> list[object]:
        return [
            text.upper(),
            text.lower(),
            text.strip(),
            text.split(),
            text.split(","),
            ",".join(["a", "b"]),
            text.replace("a", "o"),
            text.startswith(" "),
            text.endswith("c"),
            text.find("b"),
            text.count("a"),
            text.title(),
            text[1:4],
            text[::-1],
            text[-2:],
            len(text),
            "b" in text,
            text.strip().capitalize(),
            text.zfill(12),
            text.isdigit(),
        ]


@workflow(name="d_fstr_older_formats")
class OlderFormats(Workflow):
    async def run(self, name: str, n: int) -> list[str]:
        # the point is str.format and %, which ruff would rewrite as f-strings
        return [
            f"{name} has {n}",
            "%s-%d" % (name, n),
            "{:>6}|{:<4}|".format(name, n),  # noqa: UP032
            "{0}{1}{0}".format("a", "b"),
            "%05.1f" % (n / 3),
            "%r" % name,
        ]


CASES = [
    case("format", Format, "ana", 3.14159, 255),
    case("format_negative", Format, "bo", -2.5, 7),
    case("methods", Methods, " a,b,c "),
    case("older_formats", OlderFormats, "ana", 7),
]
