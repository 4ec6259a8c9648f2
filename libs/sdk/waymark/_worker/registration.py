"""Registering a worker's workflows through the compiler's gRPC API (the only way the SDK reaches the compiler)."""

from __future__ import annotations

import asyncio
import logging
import sys
from types import ModuleType

from grpclib.client import Channel
from waymark_ir import pb

from waymark._errors import RegistrationError

log = logging.getLogger("waymark.worker")


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"waymark: WAYMARK_COMPILER_URL must be host:port, got {address!r}")
    return host.strip("[]"), int(port)


async def register_modules(modules: list[ModuleType], compiler_url: str, *, wait: float = 60.0) -> list[str]:
    """Register every workflow defined in `modules`; returns the version ids. Waits up to `wait` seconds for the
    compiler to answer; a rejection raises RegistrationError with every diagnostic rendered."""
    from waymark._bundle import bundles_for_modules

    bundles = bundles_for_modules(modules)
    if not bundles:
        return []
    host, port = split_address(compiler_url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    versions: list[str] = []
    for bundle in bundles:
        while True:
            channel = Channel(host, port)
            try:
                stub = pb.CompilerStub(channel)
                response = await stub.register(pb.RegisterRequest(bundle=bundle), timeout=30)
                break
            except (TimeoutError, OSError, ConnectionError) as exc:
                if loop.time() >= deadline:
                    raise SystemExit(
                        f"waymark: the compiler at {compiler_url} did not answer within {wait:.0f}s "
                        f"({exc}); start it with `waymark compiler` or set WAYMARK_COMPILER_URL"
                    ) from None
                log.info("waiting for the compiler at %s (%s)", compiler_url, exc)
                await asyncio.sleep(0.5)
            finally:
                channel.close()
        if response.diagnostics:
            rendered = "\n\n".join(d.rendered or f"{d.code} {d.message}" for d in response.diagnostics)
            raise RegistrationError(
                f"the compiler rejected {bundle.module}:\n\n{rendered}",
                diagnostics=[d.to_dict() for d in response.diagnostics],
            )
        for version in response.versions:
            log.info(
                "registered workflow %s version %s%s",
                version.workflow_name,
                version.version_id[:12],
                "" if version.created else " (already known)",
            )
            versions.append(version.version_id)
    return versions


def print_registration_error(error: RegistrationError) -> None:
    print(str(error), file=sys.stderr)
