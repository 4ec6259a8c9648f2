"""Registering a worker's workflows through the compiler's gRPC API (the only way the SDK reaches the compiler).

A worker registers every workflow of its modules before it claims any action. When the compiler refuses any of them,
nothing is registered (with several modules, every bundle is checked before the first is registered), the worker
prints every diagnostic of every module, and `waymark-start-workers` exits non-zero: a workflow that would not run as
written never gets a worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from types import ModuleType
from typing import TypeVar

from grpclib.client import Channel
from grpclib.exceptions import GRPCError
from waymark_ir import pb

from waymark._errors import RegistrationError

log = logging.getLogger("waymark.worker")
T = TypeVar("T")

#: How long one call may take once the compiler answers (compiling a large module takes well under a second).
CALL_TIMEOUT = 30.0


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit(f"waymark: WAYMARK_COMPILER_URL must be host:port, got {address!r}")
    return host.strip("[]"), int(port)


async def register_modules(modules: list[ModuleType], compiler_url: str, *, wait: float = 60.0) -> list[str]:
    """Register every workflow defined in `modules`; returns the version ids. Waits up to `wait` seconds for the
    compiler to answer (then exits with a clear message); a refusal raises RegistrationError carrying every
    diagnostic, rendered and structured, and registers nothing."""
    from waymark._bundle import BundleError, bundles_for_modules

    try:
        bundles = bundles_for_modules(modules)
    except BundleError as exc:
        raise RegistrationError(f"waymark: cannot describe the workflows to the compiler: {exc}") from None
    if not bundles:
        return []
    call = _caller(compiler_url, wait)
    if len(bundles) > 1:  # all or nothing across modules: check them all before registering the first
        checked = [await call(partial(_check, bundle=bundle)) for bundle in bundles]
        refuse([d for response in checked for d in response.diagnostics], bundles)
    versions: list[str] = []
    for bundle in bundles:
        response = await call(partial(_register, bundle=bundle))
        refuse(list(response.diagnostics), [bundle])
        for version in response.versions:
            log.info(
                "registered workflow %s version %s%s",
                version.workflow_name,
                version.version_id[:12],
                "" if version.created else " (already known)",
            )
            versions.append(version.version_id)
    return versions


async def _check(stub: pb.CompilerStub, bundle: pb.Bundle) -> pb.CheckResponse:
    return await stub.check(pb.CheckRequest(bundle=bundle))


async def _register(stub: pb.CompilerStub, bundle: pb.Bundle) -> pb.RegisterResponse:
    return await stub.register(pb.RegisterRequest(bundle=bundle))


def refuse(diagnostics: list[pb.Diagnostic], bundles: list[pb.Bundle]) -> None:
    """Raise RegistrationError with every diagnostic, as `waymark check` would print them."""
    if not diagnostics:
        return
    modules = sorted({b.module for b in bundles if any(d.filename == b.filename for d in diagnostics)}) or sorted(
        b.module for b in bundles
    )
    count = len(diagnostics)
    rendered = "\n\n".join(d.rendered or f"{d.code} {d.message}" for d in diagnostics)
    problems = f"{count} problem{'s' * (count != 1)}"
    raise RegistrationError(
        f"waymark: the compiler refused the workflows of {', '.join(modules)} ({problems}); nothing was registered:"
        f"\n\n{rendered}\n\nFound {problems}. "
        f"`waymark check {' '.join(modules)}` shows them without starting a worker.",
        diagnostics=[d.to_dict() for d in diagnostics],
    )


def _caller(compiler_url: str, wait: float) -> Callable[[Callable[[pb.CompilerStub], Awaitable[T]]], Awaitable[T]]:
    """A function that makes one gRPC call, retrying while the compiler cannot be reached, until `wait` seconds after
    the first attempt."""
    host, port = split_address(compiler_url)
    deadline: float | None = None

    async def call(request: Callable[[pb.CompilerStub], Awaitable[T]]) -> T:
        nonlocal deadline
        loop = asyncio.get_running_loop()
        if deadline is None:
            deadline = loop.time() + wait
        while True:
            channel = Channel(host, port)
            try:
                timeout = max(1.0, min(CALL_TIMEOUT, deadline - loop.time()))
                return await asyncio.wait_for(request(pb.CompilerStub(channel)), timeout)
            except GRPCError as exc:
                raise SystemExit(
                    f"waymark: the compiler at {compiler_url} failed: {exc.status.name}: {exc.message}"
                ) from None
            except (TimeoutError, OSError, ConnectionError) as exc:
                if loop.time() >= deadline:
                    raise SystemExit(
                        f"waymark: the compiler at {compiler_url} did not answer within {wait:g}s "
                        f"({exc or 'timeout'}); start it with `waymark compiler` or set WAYMARK_COMPILER_URL"
                    ) from None
                log.info("waiting for the compiler at %s (%s)", compiler_url, exc or "timeout")
                await asyncio.sleep(min(0.5, max(0.0, deadline - loop.time())))
            finally:
                channel.close()

    return call


def print_registration_error(error: RegistrationError) -> None:
    """Every diagnostic on stderr, coloured like `waymark check` on a terminal."""
    from waymark._check import colour_frames, use_colour

    colour = use_colour("auto", sys.stderr) and not os.environ.get("NO_COLOR")
    print(colour_frames(str(error), colour) if colour else str(error), file=sys.stderr, flush=True)
