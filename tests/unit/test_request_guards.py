"""What the shared app answers before a route runs: 405 naming every method the path has
(whichever of its routes Starlette tried first), and 422 for a query parameter given twice."""

from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter

from servicekit.web import create_service_app

KEY = "k" * 20
router = APIRouter(prefix="/v1/things")


@router.get("/{thing_id}")
async def get_thing(thing_id: str, size: int = 1) -> dict[str, str | int]:
    return {"id": thing_id, "size": size}


@router.delete("/{thing_id}", status_code=204)
async def delete_thing(thing_id: str) -> None:
    return None


@router.post("/{thing_id}/archive")
async def archive_thing(thing_id: str) -> dict[str, str]:
    return {"id": thing_id}


@asynccontextmanager
async def no_lifespan(app):
    yield


def client() -> httpx.AsyncClient:
    app = create_service_app("T", "test", "1", no_lifespan, router, [KEY], {})
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://t", headers={"X-API-Key": KEY})


async def test_allow_names_the_methods_of_every_route_of_the_path() -> None:
    async with client() as http:
        answer = await http.put("/v1/things/7")
    assert answer.status_code == 405
    assert answer.json() == {"detail": "Method Not Allowed"}
    assert set(answer.headers["allow"].split(", ")) == {"GET", "DELETE"}


async def test_allow_names_only_the_methods_of_that_path() -> None:
    async with client() as http:
        answer = await http.get("/v1/things/7/archive")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


async def test_a_query_parameter_given_twice_is_422_naming_it() -> None:
    async with client() as http:
        answer = await http.get("/v1/things/7?size=1&size=2")
        once = await http.get("/v1/things/7?size=2")
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"loc": ["query", "size"], "msg": "Give this parameter once", "type": "repeated"}
    ]
    assert once.json() == {"id": "7", "size": 2}


async def test_the_key_is_checked_before_the_query() -> None:
    async with client() as http:
        answer = await http.get("/v1/things/7?size=1&size=2", headers={"X-API-Key": "wrong"})
    assert answer.status_code == 401
