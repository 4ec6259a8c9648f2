"""A workflow no worker of the tests registers."""

from __future__ import annotations

from waymark import Workflow, workflow


@workflow
class NeverRegistered(Workflow):
    async def run(self, x: int) -> int:
        return x
