"""Values computed when the module is imported (module constants and class attributes: `os.environ.get(...)`,
`time.time()`, `str(uuid4())`): configuration frozen into the version at registration, read as constants."""

from __future__ import annotations

import os
import time
from uuid import uuid4

from waymark import Workflow, workflow

from .diffcase import case

STARTED = time.time()
REGION = os.environ.get("WAYMARK_DIFF_REGION", "eu-west")
TOKEN = str(uuid4())
LIMITS = tuple(int(part) for part in os.environ.get("WAYMARK_DIFF_LIMITS", "3,5").split(","))


@workflow(name="d_config_module")
class ModuleConfig(Workflow):
    async def run(self, n: int) -> list[object]:
        return [STARTED == STARTED, STARTED > 0, REGION.upper(), len(TOKEN), TOKEN == TOKEN, LIMITS, n in LIMITS]


@workflow(name="d_config_class")
class ClassConfig(Workflow):
    started = time.time()
    region = os.environ.get("WAYMARK_DIFF_REGION", "eu-west")
    token = str(uuid4())
    retries = int(os.environ.get("WAYMARK_DIFF_RETRIES", "4"))

    @classmethod
    def describe(cls) -> str:
        return f"{cls.region}:{cls.retries}"

    async def run(self) -> list[object]:
        return [
            self.started > 0,
            self.started == ClassConfig.started,
            self.region,
            len(self.token),
            ClassConfig.token == self.token,
            [self.retries * i for i in range(3)],
            self.describe(),
        ]


CASES = [
    case("module", ModuleConfig, 5),
    case("class", ClassConfig),
]
