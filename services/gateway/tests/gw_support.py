"""Helpers of the gateway's tests (importable from test modules; conftest holds the fixtures)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import httpx
from waymark_ir import pb, values
from waymark_store import versions
from waymark_store.db import Database
from waymark_store.settings import Settings


@dataclass
class Served:
    url: str
    db: Database
    settings: Settings

    async def post(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(
                self.url + "graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )

    async def gql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> Any:
        """The response document of a request that must be answered 200."""
        response = await self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> Any:
        """The data of a request that must succeed."""
        document = await self.gql(query, variables, token=token)
        assert "errors" not in document, document["errors"]
        return document["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None) -> str:
        """The one error message of a request that must fail."""
        document = await self.gql(query, variables)
        assert document.get("errors"), document
        return str(document["errors"][0]["message"])

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "graphql"


def program(name: str, params: list[pb.Param]) -> pb.Program:
    return pb.Program(
        ir_version=1,
        workflow_name=name,
        module="shop",
        qualname=name,
        functions=[pb.Function(name="run", is_async=True, params=params, locals=["self"])],
    )


async def register(db: Database, name: str, params: list[pb.Param], version: str | None = None) -> str:
    """Register a program by hand (no scheduler runs it: its runs stay queued)."""
    version_id = version or f"v-{name}"
    row = versions.VersionRow(version_id, name, "shop", name, 1, bytes(program(name, params)))
    await versions.register_versions(db.pool, [row])
    return version_id


CHECKOUT_PARAMS = [
    pb.Param(name="order_id", slot=1, kind=pb.ParamKind.POSITIONAL_OR_KEYWORD),
    pb.Param(name="wait_seconds", slot=2, kind=pb.ParamKind.POSITIONAL_OR_KEYWORD, default=pb.Value(json="1.0")),
    pb.Param(name="options", slot=3, kind=pb.ParamKind.VAR_KEYWORD),
]


def tagged(value: Any) -> str:
    return values.dumps(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
