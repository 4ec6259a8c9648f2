"""`waymark dev [MODULE ...]`: every service and a worker pool in one process, for development.

Without WAYMARK_DATABASE_URL it starts an embedded Postgres (the `pgserver` package) under `.waymark/`. Without a
module it runs the bundled demo (`waymark.demo`) and prints what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from waymark_store import telemetry
from waymark_store.service import ServiceSpec, discover_services
from waymark_store.settings import Settings

log = logging.getLogger("waymark.dev")


def embedded_postgres(data_dir: str) -> tuple[str, Any]:
    """Start (or reuse) the embedded Postgres; returns its URL and the handle that keeps it alive."""
    # pgserver's platformdirs wants a runtime dir (for its lock file) that only we can read: otherwise it warns
    # (RuntimeDirWarning) on every start and falls back to /tmp/runtime-<uid>. The data dir itself stays 0755: under
    # root, pgserver runs Postgres as another user, who must reach .waymark/pg.
    runtime = Path(data_dir).resolve() / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver

    folder = Path(data_dir).resolve() / "pg"
    folder.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(folder, cleanup_mode="stop")  # type: ignore[attr-defined]
    url: str = server.get_uri()
    return url, server


async def run_demo(registered: asyncio.Event) -> None:
    from waymark.demo import Checkout, Greeter

    await registered.wait()  # starting a run of a workflow not registered yet is an error (WorkflowNotRegistered)
    print("demo: starting Greeter(name='waymark') ...", flush=True)
    print(f"demo: Greeter returned {await Greeter().run(name='waymark')!r}", flush=True)
    started = time.monotonic()
    order_id = int(time.time())
    print(
        f"demo: starting Checkout(order_id={order_id}, wait_seconds=1): the card is declined twice, and the "
        "workflow sleeps durably between attempts ...",
        flush=True,
    )
    handle = await Checkout.start(order_id=order_id, wait_seconds=1)
    result = await handle.result(timeout=120)
    print(
        f"demo: Checkout {handle.workflow_id} returned {result!r} after {time.monotonic() - started:.1f}s", flush=True
    )


async def run_dev(settings: Settings, modules: list[ModuleType], demo: bool) -> None:
    from waymark._worker.cli import serve

    services = discover_services()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[Any]] = []

    def launch(spec: ServiceSpec) -> None:
        tasks.append(asyncio.create_task(spec.run(settings), name=f"service-{spec.name}"))

    for spec in services.values():
        launch(spec)
    registered = asyncio.Event()
    tasks.append(asyncio.create_task(serve(settings, modules, stop=stop, registered=registered), name="workers"))
    print(
        f"waymark dev: services {', '.join(services)} and workers for "
        f"{', '.join(m.__name__ for m in modules)} are running (Ctrl-C stops them)",
        flush=True,
    )
    if demo:
        tasks.append(asyncio.create_task(run_demo(registered), name="demo"))
    stopper = asyncio.create_task(stop.wait())
    try:
        while True:
            done, _ = await asyncio.wait({*tasks, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                break
            for task in done:
                tasks.remove(task)
                if task.get_name() == "demo" and task.exception() is None:
                    print(
                        "demo: done. Services keep running; start your own runs with the client "
                        f"(WAYMARK_DATABASE_URL={settings.database_url})",
                        flush=True,
                    )
                    continue
                error = task.exception()
                if error is not None:
                    raise error
    finally:
        stop.set()
        for task in tasks:
            if task.get_name() != "workers":
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)


def main(module_names: list[str]) -> int:
    from waymark._worker.cli import import_modules

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every pg_ctl command line and its output
    settings = Settings.from_env()
    telemetry.setup("waymark-dev")  # every service of this process shares one tracer provider
    server = None
    if not settings.database_url:
        url, server = embedded_postgres(settings.data_dir)
        print(f"waymark dev: embedded Postgres at {url}", flush=True)
        settings = settings.model_copy(update={"database_url": url})
    assert settings.database_url is not None
    os.environ["WAYMARK_DATABASE_URL"] = settings.database_url  # the in-process client reads it
    os.environ["WAYMARK_COMPILER_URL"] = settings.compiler_url
    demo = not module_names
    modules = import_modules(module_names or ["waymark.demo"])
    try:
        asyncio.run(run_dev(settings, modules, demo))
    except KeyboardInterrupt:
        pass
    finally:
        # Ctrl-C often arrives twice (`uv run` and `make dev` forward the terminal's SIGINT to a child that got it
        # already): once the services have stopped, another one must not interrupt stopping Postgres with a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if server is not None:
            server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
