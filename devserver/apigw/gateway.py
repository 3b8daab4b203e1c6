"""The local API Gateway: an ASGI app that serves one `Api`'s routes by invoking their functions.

How it works: each HTTP request is matched against the Api's route table (API Gateway's precedence, in
`devserver.apigw.routes`), turned into a payload-format-2.0 event (`devserver.apigw`), run through the worker pool,
and the handler's result turned back into an HTTP response. This is the hot path of the dev server, so it is
plain ASGI rather than a framework route: no per-request dependency injection or response classes.
A route with an authorizer is checked first — a JWT one here (`devserver.apigw.jwt_authorizer`), an `iam` one by the
emulator (`devserver.apigw.iam_authorizer`): a refused request never reaches the function, and a passing one's event
carries `requestContext.authorizer.jwt` or `.iam`, as API Gateway sends it.
`mount()` swaps the route table atomically when `sst.config.py` changes; requests in flight finish on the old one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from starlette.types import Receive, Scope, Send

from devserver.apigw import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    NOT_FOUND,
    HttpRequest,
    HttpResponse,
    RequestPathError,
    build_http_event,
    response_from_result,
)
from devserver.apigw.cors import preflight_response_headers, response_cors_headers
from devserver.apigw.iam_authorizer import IamAuthorize
from devserver.apigw.jwt_authorizer import FORBIDDEN, AuthorizerDecision, TokenVerifier, authorize_jwt
from devserver.apigw.routes import RouteTable
from devserver.app.model import ApiSpec, IamAuthorizer, RouteAuthorizer, RouteSpec
from devserver.app.naming import ACCOUNT_ID, api_id_for, execute_api_arn
from devserver.errors import CodedError
from devserver.runtime.invocation import Invocation, Invoker
from devserver.runtime.request_ids import new_request_id
from devserver.terminal import Terminal

__all__ = ["ApiGateway", "read_request", "send_response"]


InvocationObserver = Callable[[str, RouteSpec, Mapping[str, object], Invocation], None]


_OPEN = AuthorizerDecision()
"""A route without an authorizer: nothing to refuse, nothing to add to the event."""


class ApiGateway:
    """Serves one Api; `mount()` gives it (or replaces) its routes."""

    def __init__(
        self,
        api: ApiSpec,
        *,
        app: str,
        stage: str,
        invoke: Invoker,
        terminal: Terminal,
        region: str = "us-east-1",
        verify_token: TokenVerifier | None = None,
        authorize_iam: IamAuthorize | None = None,
    ) -> None:
        self.invoke = invoke
        self.terminal = terminal
        self.region = region
        self.verify_token = verify_token
        """Checks tokens for routes with a JWT authorizer; with none, such routes refuse every request."""
        self.authorize_iam = authorize_iam
        """Decides for routes with an `iam` authorizer; with none, such routes refuse every request."""
        self.observers: list[InvocationObserver] = []
        self.gateway_id = api_id_for(app, stage, api.id)
        self.mount(api)

    def mount(self, api: ApiSpec) -> None:
        table: RouteTable[RouteSpec] = RouteTable([(route.key, route) for route in api.routes])
        self._state = (api, table)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        api, table = self._state
        request = await read_request(scope, receive)
        if api.cors and _is_preflight(request):  # API Gateway answers CORS preflights itself: no route, no line
            await send_response(send, HttpResponse(204, preflight_response_headers(request.headers), b""))
            return
        response, invocation = await self._answer(api, table, request)
        # The request's line is printed once. A failed invocation's traceback is in the terminal by the time the
        # client sees its 500; anything else is printed once the client has its answer, out of its way.
        failed = invocation is not None and invocation.error is not None
        if failed:
            self.terminal.request(request.method, request.raw_path, response.status, invocation)
        try:
            await send_response(send, response, _cors(api, request))
        finally:
            if not failed:
                self.terminal.request(request.method, request.raw_path, response.status, invocation)

    async def _answer(
        self, api: ApiSpec, table: RouteTable[RouteSpec], request: HttpRequest
    ) -> tuple[HttpResponse, Invocation | None]:
        """The response to `request`, and the invocation that made it (None when no function ran)."""
        try:
            match = table.match(request.method, request.path)
        except RequestPathError:
            return BAD_REQUEST, None
        if match is None:
            return NOT_FOUND, None
        route = match.target
        decision = _OPEN if route.authorizer is None else await self._authorize(route.authorizer, request)
        if decision.refusal is not None:
            return decision.refusal, None
        request_id = new_request_id()
        event = build_http_event(
            request,
            route_key=match.route_key,
            path_parameters=match.path_parameters,
            api_id=self.gateway_id,
            account_id=ACCOUNT_ID,
            request_id=request_id,
            now=time.time(),
        )
        if decision.context is not None:
            cast(dict[str, object], event["requestContext"])["authorizer"] = decision.context
        invocation = await self.invoke(route.function, event, request_id=request_id)
        for observe in self.observers:
            observe("api", route, event, invocation)
        return _response_for(invocation), invocation

    async def _authorize(self, authorizer: RouteAuthorizer | IamAuthorizer, request: HttpRequest) -> AuthorizerDecision:
        if isinstance(authorizer, IamAuthorizer):
            if self.authorize_iam is None:
                return AuthorizerDecision(refusal=FORBIDDEN)
            arn = execute_api_arn(self.region, self.gateway_id, request.method, request.path)
            return await self.authorize_iam(request, arn)
        return authorize_jwt(authorizer, request.headers, self.verify_token or _refuse_every_token)


def _refuse_every_token(auth_id: str, token: str, client_ids: Sequence[str]) -> Mapping[str, Any]:
    raise CodedError("NotAuthorizedException", f"no Auth {auth_id!r} is running to check tokens", status=401)


def _response_for(invocation: Invocation) -> HttpResponse:
    # A handler error is the client's 500 with API Gateway's own body; the traceback goes to the terminal only.
    if invocation.error is not None:
        return INTERNAL_SERVER_ERROR
    return response_from_result(invocation.result)


def _is_preflight(request: HttpRequest) -> bool:
    if request.method != "OPTIONS":
        return False
    names = {name.lower() for name, _ in request.headers}
    return "origin" in names and "access-control-request-method" in names


async def read_request(scope: Scope, receive: Receive) -> HttpRequest:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    headers = tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"])
    client = scope.get("client") or ("127.0.0.1", 0)
    server = scope.get("server") or ("localhost", None)
    raw_path = scope.get("raw_path") or scope["path"].encode()
    return HttpRequest(
        method=scope["method"],
        raw_path=raw_path.decode("latin-1"),
        raw_query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=b"".join(chunks),
        source_ip=client[0],
        protocol=f"HTTP/{scope.get('http_version', '1.1')}",
        host=f"{server[0]}:{server[1]}" if server[1] else str(server[0]),
    )


def _cors(api: ApiSpec, request: HttpRequest) -> list[tuple[str, str]]:
    return response_cors_headers(request.headers) if api.cors else []


async def send_response(send: Send, response: HttpResponse, extra_headers: list[tuple[str, str]] | None = None) -> None:
    pairs = [*response.headers, *(extra_headers or ()), ("content-length", str(len(response.body)))]
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
