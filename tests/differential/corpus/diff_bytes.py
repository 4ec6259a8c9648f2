"""bytes basics (decode, len, indexing, slicing, methods, bytes()), dict.fromkeys."""

from __future__ import annotations

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_bytes_basics")
class Basics(Workflow):
    async def run(self, raw: bytes, text: str) -> list[object]:
        encoded = text.encode()
        return [
            raw.decode(),
            raw.decode("utf-8"),
            len(raw),
            raw[0],
            raw[-1],
            raw[1:4],
            raw[::-1],
            raw + b"!",
            raw * 2,
            b"ell" in raw,
            raw.upper(),
            raw.hex(),
            raw.startswith(b"he"),
            raw.split(b"l"),
            b",".join([raw, b"x"]),
            raw.replace(b"l", b"L"),
            raw.find(b"l"),
            raw.count(b"l"),
            raw.strip(b"ho"),
            encoded,
            len(encoded),
            bytes([104, 105]),
            bytes(3),
            bytes(text, "utf-8") == encoded,
            list(raw[:3]),
            raw == b"hello",
            sorted([b"b", b"a"]),
        ]


@workflow(name="d_bytes_decode_error")
class DecodeError(Workflow):
    async def run(self, raw: bytes) -> str:
        return raw.decode()


@workflow(name="d_bytes_fromkeys")
class FromKeys(Workflow):
    async def run(self, names: list[str]) -> list[object]:
        counts = dict.fromkeys(names, 0)
        for n in names:
            counts[n] += 1
        return [counts, dict.fromkeys(range(3)), list(dict.fromkeys(names))]


CASES = [
    case("basics", Basics, b"hello", "héllo wörld"),
    case("decode_error", DecodeError, b"\xff\xfe", raises="builtins.UnicodeDecodeError"),
    case("fromkeys", FromKeys, ["b", "a", "b", "c", "a"]),
]
