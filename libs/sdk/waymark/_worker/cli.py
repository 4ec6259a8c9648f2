"""`waymark-start-workers [MODULE ...]`: a worker pool for the given modules (also WAYMARK_USER_MODULES=a,b)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import signal
import sys
from types import ModuleType

from waymark_store import telemetry
from waymark_store.db import Database
from waymark_store.settings import Settings

from waymark._errors import RegistrationError
from waymark._registry import ACTIONS
from waymark._worker.registration import print_registration_error, register_modules
from waymark._worker.runtime import Worker

log = logging.getLogger("waymark.worker")


def import_modules(names: list[str]) -> list[ModuleType]:
    """Import the user's modules; a missing or broken module is a clear error, not a traceback."""
    if "" not in sys.path:
        sys.path.insert(0, "")  # like `python -m`: modules in the current directory are importable
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name == name or name.startswith(f"{exc.name}."):
                raise SystemExit(
                    f"waymark: cannot import module {name!r}: it was not found on sys.path "
                    "(run from the directory that holds it, or set PYTHONPATH)"
                ) from None
            raise SystemExit(import_failure(name, exc)) from None
        except Exception as exc:  # noqa: BLE001 - user code at import: located, without a traceback
            raise SystemExit(import_failure(name, exc)) from None
    return modules


def import_failure(name: str, exc: BaseException) -> str:
    """The error rendered like `waymark check` renders it (file:line, the source line, a help line)."""
    from waymark._check import ImportFailure, display_path, located

    if isinstance(exc, SyntaxError):
        failure = ImportFailure(
            name,
            f"SyntaxError: {exc.msg}",
            display_path(exc.filename or ""),
            exc.lineno or 0,
            exc.offset or 0,
            exc.text or "",
        )
    else:
        failure = located(name, exc, None)
    return "waymark: " + failure.render().removeprefix("error: ")


async def serve(
    settings: Settings,
    modules: list[ModuleType],
    *,
    stop: asyncio.Event | None = None,
    registered: asyncio.Event | None = None,
) -> None:
    """Register the modules' workflows (then set `registered`), then run actions until `stop` is set (or the task
    is cancelled)."""
    await register_modules(modules, settings.compiler_url, wait=settings.compiler_wait_seconds)
    if registered is not None:
        registered.set()
    db = await Database.open(settings.require_database_url(), pool_size=4)
    worker = Worker(settings, db, dict(ACTIONS))
    log.info(
        "worker %s running %d actions (concurrency %d)", worker.worker_id, len(worker.keys), settings.worker_concurrency
    )
    runner = asyncio.create_task(worker.run())
    waiter = asyncio.create_task((stop or asyncio.Event()).wait())
    try:
        await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        worker.stop()
        await runner
    finally:
        worker.stop()
        waiter.cancel()
        if not runner.done():
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        await db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="waymark-start-workers", description=__doc__)
    parser.add_argument("modules", nargs="*", help="modules that define workflows and actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    names = args.modules or [m.strip() for m in settings.user_modules.split(",") if m.strip()]
    if not names:
        parser.error("give at least one module (or set WAYMARK_USER_MODULES=a,b)")
    modules = import_modules(names)
    telemetry.setup("waymark-worker")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)  # stop claiming, finish or hand back what we hold
        await serve(settings, modules, stop=stop)

    try:
        asyncio.run(run())
    except RegistrationError as exc:
        print_registration_error(exc)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
