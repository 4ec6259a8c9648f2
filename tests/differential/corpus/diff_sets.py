"""Set iteration order: CPython iterates sets in hash-table order (small ints by value, larger ones by their slot
in a table that resizes and probes), so list(s), for-loops, repr and pop() must follow the same table."""

from __future__ import annotations

from waymark import Workflow, workflow

from .diffcase import case


@workflow(name="d_sets_order")
class Order(Workflow):
    async def run(self, ids: list[int], more: list[int]) -> list[object]:
        unique = set(ids)
        out: list[object] = [list(unique), repr(unique), str(set(more))]
        seen = set()
        for i in ids:
            seen.add(i)
        out.append(list(seen))
        out.append([x * 2 for x in unique])
        out.append(list({10, 1, 33}))
        out.append(list({3, 1, 2}))
        out.append(list({7, 15, 23, 31, 39, 47}))
        out.append(list({-1, -2, 2**61, 2**61 - 1, 0}))
        out.append(list({1.5, 2.0, 0.25, 1e20, -3.5}))
        out.append(list({(1, 2), (3, 4), (0, 0)}))
        a, b = set(ids), set(more)
        out.append([list(a | b), list(a & b), list(a - b), list(a ^ b), list(b - a), list(b ^ a)])
        out.append([list(a.union(more)), list(a.intersection(more)), list(a.difference(more))])
        out.append(list(a.symmetric_difference(more)))
        c = set(a)
        c |= b
        d = set(a)
        d &= b
        e = set(a)
        e -= b
        f = set(a)
        f ^= b
        out.append([list(c), list(d), list(e), list(f)])
        g = set(range(0, 100, 7))
        for x in range(0, 100, 3):
            g.discard(x)
        out.append(list(g))
        g.update([200, 5, 64, 128])
        out.append(list(g))
        popped = [g.pop(), g.pop(), g.pop()]
        out.append([popped, list(g)])
        out.append(list(frozenset(ids)))
        out.append(list(set({5: "a", 1: "b", 9: "c"})))
        out.append(list({*ids, 99, *more}))
        out.append(list({x % 13 for x in range(40)}))
        out.append(sorted({"pear", "apple", "fig"}))
        one, one_f, yes = ids.count(ids[0]), 1.0, True
        out.append(len({one, one_f, yes}))
        out.append(list(set(ids) - {ids[0]}))
        return out


@workflow(name="d_sets_big")
class Big(Workflow):
    async def run(self, n: int) -> list[object]:
        s = {i * 37 % 1000 for i in range(n)}
        s2 = set(range(0, n * 3, 5))
        return [list(s)[:40], list(s & s2)[:40], list(s2 - s)[:40], list(s ^ s2)[-40:], len(s | s2)]


CASES = [
    case("order", Order, [40, 8, 16, 3, 100, 3, 64, 9, 1000, 1], [16, 2, 1000, 77, 5]),
    case("order_negative", Order, [-5, -100, 2**40, 7, 7, 0], [0, -5, 12]),
    case("big", Big, 300),
]
