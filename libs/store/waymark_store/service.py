"""How a service plugs into the `waymark` command.

Each service package declares an entry point in the group `waymark.services` that names a `ServiceSpec`. The CLI
turns every spec into a subcommand (`waymark scheduler`, ...) and `waymark dev` runs all of them as tasks in one
process. A service's `run` returns only when cancelled (or on a fatal error).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from waymark_store.settings import Settings


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    help: str
    run: Callable[[Settings], Coroutine[Any, Any, None]]
    order: int = 50  # start order in `waymark dev` (lower first; the compiler must listen before workers register)


def service_names() -> list[str]:
    """Installed services, without importing them (so `waymark check` never pays for, or breaks on, a service)."""
    return sorted({point.name for point in entry_points(group="waymark.services")})


def load_service(name: str) -> ServiceSpec:
    for point in entry_points(group="waymark.services", name=name):
        spec = point.load()
        if not isinstance(spec, ServiceSpec):
            raise TypeError(f"entry point waymark.services:{point.name} must name a ServiceSpec, got {spec!r}")
        return spec
    raise LookupError(f"no waymark service named {name!r} is installed (installed: {', '.join(service_names())})")


def discover_services() -> dict[str, ServiceSpec]:
    """Every installed service, loaded, in start order."""
    found = {name: load_service(name) for name in service_names()}
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))
