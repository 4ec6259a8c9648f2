"""`waymark dev` as the README promises it: every service in one process running the bundled demo, against a given
database or, with no WAYMARK_DATABASE_URL, an embedded Postgres under ./.waymark that survives a restart."""

from __future__ import annotations

import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from harness import BIN, EmbeddedPostgres, Proc, clean_env, fetchval, free_port, private_folder, wait_until

PAID = re.compile(r"demo: Checkout \S+ returned 'paid'")


def start_dev(cwd: Path, name: str, database_url: str | None = None) -> Proc:
    env = clean_env(
        {
            "WAYMARK_COMPILER_URL": f"127.0.0.1:{free_port()}",
            "WAYMARK_GATEWAY_ADDR": f"127.0.0.1:{free_port()}",
            **({"WAYMARK_DATABASE_URL": database_url} if database_url else {}),
        }
    )
    env.pop("XDG_RUNTIME_DIR", None)  # conftest.py sets one; a newcomer's shell (a container, ssh) often has none
    return Proc(name, [str(BIN / "waymark"), "dev"], env, cwd, cwd.parent / f"{name}.log")


def wait_paid(dev: Proc, times: int = 1) -> None:
    wait_until(
        lambda: len(PAID.findall(dev.text())) >= times or not dev.alive(),
        timeout=180,
        what="the demo's Checkout to return 'paid'",
        describe=lambda: dev.tail(15),
    )
    assert dev.alive(), f"waymark dev exited with {dev.returncode}:\n{dev.tail()}"


def interrupt(dev: Proc, repeat: bool = False) -> None:
    """Ctrl-C: every service stops, the process exits 0. With `repeat`, SIGINT keeps coming while it stops, as under
    `uv run` or `make dev`, which forward the terminal's SIGINT to a child that got it already."""
    dev.signal(signal.SIGINT)
    if repeat:
        deadline = time.monotonic() + 60
        while dev.wait(0.1) is None and time.monotonic() < deadline:
            dev.signal(signal.SIGINT)
    assert dev.wait(60) == 0, f"waymark dev did not stop cleanly on Ctrl-C ({dev.returncode}):\n{dev.tail()}"
    assert "Traceback" not in dev.text(), dev.tail()


@pytest.mark.slow
async def test_waymark_dev_runs_the_demo_on_the_given_database(database_url: str, tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    dev = start_dev(work, "dev", database_url)
    try:
        wait_paid(dev)
        assert "demo: Greeter returned 'hello waymark!'" in dev.text()
        assert re.search(r"waymark gateway: dashboard at http://127\.0\.0\.1:\d+/", dev.text()), dev.tail()
        assert not (work / ".waymark").exists()  # a database was given: nothing embedded
        assert await fetchval(database_url, "SELECT count(*) FROM waymark.runs WHERE status = 'completed'") == 2
        interrupt(dev)
    finally:
        dev.stop()


@pytest.mark.slow
def test_waymark_dev_without_a_database_embeds_postgres_under_dot_waymark() -> None:
    work = private_folder("waymark-it-dev-") / "project"
    work.mkdir()
    pgdata = work / ".waymark" / "pg"
    sessions = []
    try:
        for index in range(2):  # the second session reuses the embedded database of the first
            dev = start_dev(work, f"dev-{index}")
            sessions.append(dev)
            wait_paid(dev)
            assert "embedded Postgres at" in dev.text()
            assert "RuntimeDirWarning" not in dev.text(), dev.tail()  # platformdirs, about .waymark's mode
            assert (pgdata / "PG_VERSION").exists()
            interrupt(dev, repeat=index == 1)
            # the embedded server stops with `waymark dev`
            wait_until(
                lambda: not (pgdata / "postmaster.pid").exists(), timeout=60, what="the embedded Postgres to stop"
            )
        first_url = re.search(r"embedded Postgres at (\S+)", sessions[0].text())
        second_url = re.search(r"embedded Postgres at (\S+)", sessions[1].text())
        assert first_url and second_url and first_url.group(1) == second_url.group(1)
    finally:
        for dev in sessions:
            dev.stop()
        if (pgdata / "postmaster.pid").exists():  # never leave a server behind, whatever happened
            EmbeddedPostgres.stop_folder(pgdata)
        for dev in sessions:
            print(f"----- {dev.name} -----\n{dev.tail(30)}")  # shown when the test failed
        shutil.rmtree(work.parent, ignore_errors=True)
