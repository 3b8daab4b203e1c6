"""Frameworks users run inside Lambda accept our events, and their answers become the right HTTP responses."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from fastapi import FastAPI, Request
from mangum import Mangum

from devserver.apigw import HttpRequest, build_http_event, response_from_result
from devserver.apigw.events import HttpApiEventV2
from devserver.apigw.routes import RouteTable


def routed_event(table: RouteTable[str], request: HttpRequest) -> HttpApiEventV2:
    found = table.match(request.method, request.path)
    assert found is not None
    return build_http_event(
        request,
        route_key=found.route_key,
        path_parameters=found.path_parameters,
        api_id="api",
        account_id="123456789012",
        request_id="req-1",
        now=1_700_000_000,
    )


def test_a_fastapi_app_under_mangum_sees_the_request_as_the_client_sent_it() -> None:
    app = FastAPI()

    @app.post("/files/{key:path}")
    async def upload(key: str, request: Request) -> dict[str, object]:
        body = await request.body()
        return {
            "key": key,
            "query": dict(request.query_params),
            "cookies": request.cookies,
            "size": len(body),
            "url": str(request.url),
        }

    request = HttpRequest(
        "POST",
        "/files/photos/cat%20one.png",
        "size=large&tag=a&tag=b",
        (("Host", "127.0.0.1:3000"), ("Cookie", "session=abc; theme=dark"), ("Content-Type", "image/png")),
        b"\x89PNG\x00\xff" * 4,
    )
    result = Mangum(app, lifespan="off")(routed_event(RouteTable([("ANY /{proxy+}", "app")]), request), object())
    response = response_from_result(result)
    assert response.status == 200
    assert json.loads(response.body) == {
        "key": "photos/cat one.png",
        "query": {"size": "large", "tag": "b"},
        "cookies": {"session": "abc", "theme": "dark"},
        "size": 24,
        "url": "http://127.0.0.1:3000/files/photos/cat one.png?size=large&tag=a&tag=b",
    }


def test_powertools_http_resolver_routes_our_event_and_reads_path_parameters() -> None:
    resolver = APIGatewayHttpResolver()

    @resolver.get("/pets/<pet_id>")
    def get_pet(pet_id: str) -> dict[str, str]:
        return {"id": pet_id, "route": resolver.current_event.route_key}

    request = HttpRequest("GET", "/pets/42", headers=(("Host", "localhost:3000"),))
    event = routed_event(RouteTable([("GET /pets/{id}", "pets")]), request)
    response = response_from_result(resolver.resolve(dict(event), object()))
    assert response.status == 200
    assert json.loads(response.body) == {"id": "42", "route": "GET /pets/{id}"}
