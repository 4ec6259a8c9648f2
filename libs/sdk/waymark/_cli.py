"""The `waymark` command. Service subcommands come from the `waymark.services` entry points of the installed
service packages, so the SDK does not depend on any service."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from waymark_store import telemetry
from waymark_store.service import ServiceSpec, load_service, service_names
from waymark_store.settings import Settings, settings_table


def _run_service(spec: ServiceSpec) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    telemetry.setup(f"waymark-{spec.name}")

    async def run() -> None:
        task: asyncio.Task[None] = asyncio.create_task(spec.run(settings))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            logging.getLogger("waymark").info("%s stopped", spec.name)

    asyncio.run(run())
    return 0


def _migrate() -> int:
    from waymark_store.db import connect, redact, wait_for_database
    from waymark_store.migrate import apply_migrations

    settings = Settings.from_env()
    url = settings.require_database_url()

    async def run() -> list[str]:
        await wait_for_database(url, timeout=30)
        conn = await connect(url)
        try:
            return await apply_migrations(conn)
        finally:
            await conn.close()

    applied = asyncio.run(run())
    print(f"waymark migrate: {redact(url)}: " + (f"applied {', '.join(applied)}" if applied else "up to date"))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["check"]:
        # `waymark check` parses its own options, in any position (`check --format json FILE`, `check FILE --help`):
        # argparse's REMAINDER would hand options placed before the first file to the top-level parser.
        from waymark._check import run_check

        return run_check(argv[1:])
    services = service_names()
    parser = argparse.ArgumentParser(prog="waymark", description="Durable workflows in plain async Python.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    dev = sub.add_parser("dev", help="every service and workers in one process (embedded Postgres without a URL)")
    dev.add_argument("modules", nargs="*", help="modules with workflows (default: the bundled demo)")
    sub.add_parser("check", help="compile and verify workflows locally; exit 1 on any diagnostic (`check --help`)")
    sub.add_parser("migrate", help="apply the database schema")
    sub.add_parser("settings", help="print every setting, its default and meaning")
    for name in services:
        sub.add_parser(name, help=f"run the {name} service alone (for separate deployment)")
    args: Any = parser.parse_args(argv)
    if args.command == "dev":
        from waymark._dev import main as dev_main

        return dev_main(args.modules)
    if args.command == "migrate":
        return _migrate()
    if args.command == "settings":
        print(settings_table())
        return 0
    if args.command in services:
        return _run_service(load_service(args.command))
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
