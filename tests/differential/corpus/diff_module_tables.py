"""Module-level lists, dicts and sets that the module never changes after the import: lookup tables a workflow
reads, frozen into the version at registration (docs/language.md, "Module constants")."""

from __future__ import annotations

from waymark import Workflow, workflow

from .diffcase import case

RATES = {"US": 7, "DE": 19, "FR": 20, "AT": 20}
PAIRS = [("small", 1), ("medium", 5), ("large", 10)]
ZONES = {"eu": ["DE", "FR", "AT"], "na": ["US", "CA"], "none": []}
CODES = {3, 1, 2, 100, 64}
NESTED = {"limits": {"daily": [100, 200], "weekly": (700,)}, "flags": {"beta": True}}
ORDER = {"z": 1, "a": 2, "m": 3, 10: "ten"}
BUILT: dict[str, int] = {}
for _code, _rate in RATES.items():
    BUILT[_code.lower()] = _rate * 2


@workflow(name="d_tables_lookup")
class Lookup(Workflow):
    async def run(self, country: str) -> list[object]:
        return [
            RATES[country],
            RATES.get(country.lower(), 0),
            RATES.get("XX", -1),
            country in RATES,
            "XX" not in RATES,
            len(RATES),
            sorted(RATES),
            sorted(RATES.values()),
            list(RATES.items()),
            dict(RATES),
            {k: v * 2 for k, v in RATES.items() if v > 7},
            BUILT,
        ]


@workflow(name="d_tables_pairs")
class Pairs(Workflow):
    def size_of(self, weight: int) -> str:
        for name, limit in PAIRS:
            if weight <= limit:
                return name
        return PAIRS[-1][0]

    async def run(self, weights: list[int]) -> list[object]:
        names = [self.size_of(w) for w in weights]
        return [names, dict(PAIRS), PAIRS[1:], [limit for _, limit in PAIRS]]


@workflow(name="d_tables_pairs_max")
class PairsMax(Workflow):
    async def run(self) -> list[object]:
        return [max(PAIRS), min(PAIRS), sorted(PAIRS, reverse=True), PAIRS.index(("medium", 5)), PAIRS.count(PAIRS[0])]


@workflow(name="d_tables_nested")
class Nested(Workflow):
    async def run(self, zone: str) -> list[object]:
        countries = ZONES.get(zone, [])
        rates = [RATES.get(c, 0) for c in countries]
        copy = list(ZONES[zone]) if zone in ZONES else []
        copy.append("XX")  # a copy: the table itself is not changed
        return [
            countries,
            rates,
            copy,
            ZONES.get(zone, []),
            NESTED["limits"]["daily"][1],
            NESTED["limits"]["weekly"],
            NESTED["flags"].get("beta"),
            sorted(ZONES, key=len),
            [len(v) for v in ZONES.values()],
            NESTED,
        ]


@workflow(name="d_tables_sets")
class Sets(Workflow):
    async def run(self, codes: list[int]) -> list[object]:
        return [
            [c in CODES for c in codes],
            sorted(CODES),
            list(CODES),
            CODES & {1, 64, 7},
            CODES | set(codes),
            set(codes) - CODES,
            len(CODES),
            CODES.issuperset({1, 2}),
        ]


@workflow(name="d_tables_order")
class Order(Workflow):
    async def run(self) -> list[object]:
        out = []
        for key in ORDER:
            out.append(key)
        return [out, list(ORDER.keys()), list(ORDER.values()), ORDER, next(iter(ORDER)), list(reversed(list(ORDER)))]


@workflow(name="d_tables_errors")
class Errors(Workflow):
    async def run(self, country: str) -> int:
        return RATES[country]


@workflow(name="d_tables_loop")
class Loop(Workflow):
    """Every run reads the same table: what one run builds from it is its own."""

    async def run(self, extra: str) -> list[object]:
        mine = dict(RATES)
        mine[extra] = 0
        keys = list(RATES)
        keys.append(extra)
        return [mine, keys, RATES, len(RATES)]


CASES = [
    case("lookup", Lookup, "DE"),
    case("lookup_missing_lower", Lookup, "US"),
    case("pairs", Pairs, [0, 1, 3, 7, 99]),
    case("pairs_max", PairsMax),
    case("nested", Nested, "eu"),
    case("nested_empty", Nested, "none"),
    case("nested_unknown", Nested, "mars"),
    case("sets", Sets, [1, 4, 100]),
    case("order", Order),
    case("missing_key", Errors, "XX", raises="builtins.KeyError"),
    case("copies", Loop, "ZZ"),
]
