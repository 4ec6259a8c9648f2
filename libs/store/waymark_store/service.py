"""How a service plugs into the `waymark` command.

Each service package declares an entry point in the group `waymark.services` that names a `ServiceSpec`. The CLI
turns every spec into a subcommand (`waymark scheduler`, ...) and `waymark dev` runs all of them as tasks in one
process. A service's `run` returns only when cancelled (or on a fatal error).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from waymark_store.settings import Settings


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    help: str
    run: Callable[[Settings], Awaitable[None]]
    order: int = 50  # start order in `waymark dev` (lower first; the compiler must listen before workers register)


def discover_services() -> dict[str, ServiceSpec]:
    found: dict[str, ServiceSpec] = {}
    for point in entry_points(group="waymark.services"):
        spec = point.load()
        if not isinstance(spec, ServiceSpec):
            raise TypeError(f"entry point waymark.services:{point.name} must name a ServiceSpec, got {spec!r}")
        found[spec.name] = spec
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))
