"""The floor for the route benchmarks: a bare uvicorn + Starlette app answering a hello route."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"message": "Hello from sst-dev!"})


app = Starlette(routes=[Route("/", hello)])
