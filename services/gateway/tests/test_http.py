"""Serving: bearer-token auth over HTTP and websockets, the refusal to listen beyond loopback without a token,
request limits, /healthz, and the built dashboard with its single-page-app fallback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from gw_support import Served
from test_subscriptions import opened, socket_to
from waymark_gateway.schema import MAX_DEPTH
from waymark_gateway.service import bind, check_exposure, run_gateway
from waymark_store.settings import Settings
from websockets.exceptions import ConnectionClosed

TOKEN = "s3cret-token"
QUERY = "{ overview { workflows } }"


async def test_http_needs_the_token_when_one_is_set(start_gateway: Any) -> None:
    gateway: Served = await start_gateway(token=TOKEN)
    for token in (None, "wrong", TOKEN + "x", TOKEN[:-1]):
        response = await gateway.post(QUERY, token=token)
        assert response.status_code == 401, response.text
        assert "WAYMARK_GATEWAY_TOKEN" in response.json()["errors"][0]["message"]
    async with httpx.AsyncClient() as client:
        basic = await client.post(gateway.url + "graphql", json={"query": QUERY}, headers={"Authorization": TOKEN})
        assert basic.status_code == 401
        ide = await client.get(gateway.url + "graphql", headers={"Accept": "text/html"})
        assert ide.status_code == 401  # and no GraphiQL behind it either
        assert (await client.get(gateway.url + "healthz")).json() == {"status": "ok"}
    assert await gateway.data(QUERY, token=TOKEN) == {"overview": {"workflows": 0}}


async def test_websockets_need_the_token_in_connection_init(start_gateway: Any) -> None:
    gateway: Served = await start_gateway(token=TOKEN)
    for payload in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}):
        async with socket_to(gateway) as ws:
            await ws.send('{"type": "connection_init", "payload": ' + json.dumps(payload) + "}")
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    async with socket_to(gateway) as ws:  # subscribing without connection_init is refused too
        await ws.send(
            '{"id": "1", "type": "subscribe", "payload": {"query": "subscription { runsChanged { runId } }"}}'
        )
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    async with socket_to(gateway) as ws:
        await opened(ws, {"authorization": f"Bearer {TOKEN}"})


async def test_without_a_token_graphiql_is_served(gateway: Served) -> None:
    async with httpx.AsyncClient() as client:
        page = await client.get(gateway.url + "graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_listening_beyond_loopback_needs_a_token() -> None:
    for addr in ("0.0.0.0:24119", "[::]:24119", "192.168.1.5:80", "gateway.internal:24119"):
        with pytest.raises(SystemExit, match="WAYMARK_GATEWAY_TOKEN") as refused:
            check_exposure(Settings(gateway_addr=addr))
        assert "refusing to listen" in str(refused.value)
        assert check_exposure(Settings(gateway_addr=addr, gateway_token=TOKEN))[1] in (24119, 80)
    for addr in ("127.0.0.1:24119", "localhost:1", "[::1]:2", "127.0.0.2:3"):
        check_exposure(Settings(gateway_addr=addr))
    with pytest.raises(SystemExit, match="must be host:port"):
        check_exposure(Settings(gateway_addr="24119"))


async def test_the_service_refuses_before_it_touches_anything() -> None:
    settings = Settings(gateway_addr="0.0.0.0:24119", database_url="postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(SystemExit, match="WAYMARK_GATEWAY_TOKEN"):
        await run_gateway(settings)


def test_a_busy_port_is_a_clear_error() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit, match=f"cannot listen on 127.0.0.1:{port}.*WAYMARK_GATEWAY_ADDR"):
            bind("127.0.0.1", port)
    finally:
        taken.close()


def nested(depth: int) -> str:
    """A query `depth` levels deep below its root field (how QueryDepthLimiter counts)."""
    inner = "runId"
    for _ in range(depth - 1):
        inner = f"children {{ {inner} }}"
    return f'{{ run(workflowId: "x") {{ {inner} }} }}'


async def test_query_depth_is_limited(gateway: Served) -> None:
    assert await gateway.data(nested(MAX_DEPTH)) == {"run": None}
    message = await gateway.error(nested(MAX_DEPTH + 1))
    assert "exceeds maximum operation depth" in message


async def test_query_size_is_limited(start_gateway: Any) -> None:
    gateway: Served = await start_gateway(max_payload_bytes=4096)
    many = "{ " + " ".join(f"a{i}: overview {{ workflows }}" for i in range(40)) + " }"
    assert "aliases" in (await gateway.error(many)).lower()
    tokens = "{ overview { " + " ".join(["workflows"] * 2500) + " } }"
    assert "token" in (await gateway.error(tokens)).lower()
    huge = '{ runs(search: "' + "x" * 100_000 + '") { nextCursor } }'
    response = await gateway.post(huge)
    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]


async def test_dashboard_files_and_the_spa_fallback(start_gateway: Any, tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<html>the dashboard</html>")
    (static / "assets" / "app-1234.js").write_text("console.log('app')")
    (static / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not for the web")
    gateway: Served = await start_gateway(static_dir=static)
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        index = await client.get("/")
        assert index.status_code == 200 and "the dashboard" in index.text
        asset = await client.get("/assets/app-1234.js")
        assert asset.text == "console.log('app')" and "immutable" in asset.headers["cache-control"]
        assert (await client.get("/favicon.svg")).text == "<svg/>"
        for route in ("/runs/0b6c2f5e-0000-4000-8000-000000000000", "/workflows/Checkout", "/deep/link/"):
            page = await client.get(route)
            assert page.status_code == 200 and "the dashboard" in page.text, route
        assert (await client.get("/assets/missing.js")).status_code == 404
        escaped = await client.get("/%2e%2e/secret.txt")
        assert "not for the web" not in escaped.text
        assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_without_a_build_the_page_says_how_to_make_one(gateway: Served) -> None:
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        for route in ("/", "/runs/abc"):
            page = await client.get(route)
            assert page.status_code == 200 and "make web" in page.text


async def test_requests_a_web_page_could_forge_change_nothing(gateway: Served, checkout: str) -> None:
    """Without a token (loopback), a page in the browser can still send "simple" requests: none of them mutates."""
    mutation = 'mutation { startRun(workflowName: "Checkout", input: "{\\"order_id\\": 1}") { runId } }'
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        for content_type in ("text/plain", "application/x-www-form-urlencoded"):
            body = '{"query": ' + json.dumps(mutation) + "}"
            response = await client.post("/graphql", content=body, headers={"Content-Type": content_type})
            assert response.status_code == 400, response.text
        response = await client.get("/graphql", params={"query": mutation})
        assert response.status_code == 400 and "mutations are not allowed when using GET" in response.text
    assert await gateway.db.pool.fetchval("SELECT count(*) FROM waymark.runs") == 0
