"""Workflow instance state: attributes assigned on `self` in run() and helpers, read back later (also after an
await, so through the snapshot), class constants as their fallback."""

from __future__ import annotations

import asyncio

from waymark import Workflow, action, workflow

from .diffcase import case


@action(name="d_instance_fetch")
async def fetch(page: int) -> list[int]:
    return [page * 10 + i for i in range(3)] if page < 3 else []


@workflow(name="d_instance_counter")
class Counter(Workflow):
    retries = 0
    LIMIT = 100

    def note(self, message: str) -> None:
        self.log.append(message)

    async def load(self, page: int) -> list[int]:
        self.pages += 1
        return await fetch(page)

    async def run(self, start: int) -> dict[str, object]:
        self.log: list[str] = []
        self.pages = 0
        self.total = start
        page = 0
        while True:
            rows = await self.load(page)
            if not rows:
                break
            self.total += sum(rows)
            self.note(f"page {page}: {len(rows)} rows")
            page += 1
            self.retries += 1
        await asyncio.sleep(5)
        del self.pages
        missing = ""
        try:
            missing = str(self.pages)
        except AttributeError as exc:
            missing = str(exc)
        return {
            "total": self.total,
            "log": self.log,
            "retries": self.retries,
            "limit": self.LIMIT,
            "missing": missing,
        }


@workflow(name="d_instance_unset")
class Unset(Workflow):
    async def run(self) -> int:
        value: int = self.never_set  # type: ignore[attr-defined]
        return value


CASES = [
    case("counter", Counter, 1),
    case("unset", Unset, raises="builtins.AttributeError"),
]
