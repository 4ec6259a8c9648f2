"""The ASGI app: GraphQL at /graphql (HTTP and `graphql-transport-ws`), /healthz, and the built dashboard at /.

Auth: with a token set, every GraphQL request carries `Authorization: Bearer <token>` (HTTP), or its websocket's
`connection_init` payload carries `{"authorization": "Bearer <token>"}`; tokens are compared in constant time. The
dashboard's files and /healthz hold no data and need no token. GraphiQL is served only when no token is set.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from waymark_gateway.operations import Gateway
from waymark_gateway.schema import Context, make_schema

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY_SLACK = 64 * 1024  # a request may carry one payload (WAYMARK_MAX_PAYLOAD_BYTES) plus the query around it

NO_BUILD_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Waymark</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Waymark</h1>
<p>The gateway is running, but the dashboard has not been built.</p>
<p>Build it with <code>make web</code> (it runs <code>vite build</code> in <code>web/</code>, which writes
<code>services/gateway/waymark_gateway/static/</code>), then reload this page.</p>
<p>The GraphQL API is at <a href="/graphql"><code>/graphql</code></a>.</p>
</body></html>
"""


def bearer_matches(header: object, token: str) -> bool:
    """`header` is `Bearer <token>` (constant-time comparison of the token)."""
    if not isinstance(header, str):
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, gateway: Gateway) -> None:
        token = gateway.settings.gateway_token
        super().__init__(
            make_schema(),
            graphql_ide=None if token else "graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=50,
        )
        self.gateway = gateway
        self.token = token

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return Context(self.gateway, request=request, response=response)

    async def on_ws_connect(self, context: Context) -> Any:
        if self.token is None:
            return None
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("authorization") or params.get("Authorization")
        if header is None and isinstance(context.request, WebSocket):
            header = context.request.headers.get("authorization")
        if not bearer_matches(header, self.token):
            raise ConnectionRejectionError({"message": "missing or wrong bearer token (WAYMARK_GATEWAY_TOKEN)"})
        return None


def create_app(gateway: Gateway, *, static_dir: Path = STATIC) -> ASGIApp:
    graphql = GraphQLApp(gateway)
    token = gateway.settings.gateway_token
    max_body = gateway.settings.max_payload_bytes + MAX_BODY_SLACK

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        path: str = scope["path"]
        if path == "/graphql" or path.startswith("/graphql/"):
            if scope["type"] == "http":
                if token is not None and not bearer_matches(Request(scope).headers.get("authorization"), token):
                    response: Response = JSONResponse(
                        {
                            "errors": [
                                {
                                    "message": "missing or wrong bearer token: send `Authorization: Bearer "
                                    "<token>` with the gateway's WAYMARK_GATEWAY_TOKEN"
                                }
                            ]
                        },
                        status_code=401,
                        headers={"WWW-Authenticate": "Bearer"},
                    )
                    await response(scope, receive, send)
                    return
                await limited(graphql, max_body)(scope, receive, send)
                return
            await graphql(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # a websocket anywhere else: refuse by not accepting it
        if path == "/healthz":
            await JSONResponse({"status": "ok"})(scope, receive, send)
            return
        await static_response(static_dir, path)(scope, receive, send)

    return app


def limited(app: ASGIApp, max_body: int) -> ASGIApp:
    """Refuse request bodies larger than `max_body` bytes (413) before the GraphQL layer parses them."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        declared = Request(scope).headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body:
            await _too_large(max_body)(scope, receive, send)
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > max_body:
                raise _BodyTooLarge
            return message

        try:
            await app(scope, counting, send)
        except _BodyTooLarge:
            await _too_large(max_body)(scope, receive, send)

    return guarded


class _BodyTooLarge(Exception):
    pass


def _too_large(max_body: int) -> Response:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"request body is larger than {max_body} bytes: send a smaller query or value "
                    "(the limit follows WAYMARK_MAX_PAYLOAD_BYTES)"
                }
            ]
        },
        status_code=413,
    )


def static_response(root: Path, path: str) -> Response:
    """A file of the built dashboard; any other path is the single-page app's (index.html); without a build, a page
    that says how to make one."""
    index = root / "index.html"
    if not index.is_file():
        return HTMLResponse(NO_BUILD_PAGE, headers={"Cache-Control": "no-cache"})
    relative = path.lstrip("/")
    if relative:
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            immutable = candidate.parent.name == "assets"  # vite's content-hashed file names
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache})
        if relative.startswith("assets/"):
            return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(index, headers={"Cache-Control": "no-cache"})
