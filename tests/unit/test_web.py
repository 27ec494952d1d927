"""The shared service app: API key, body limit, error answers, without any server."""

from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter
from pydantic import BaseModel

from servicekit.web import create_service_app

KEY = "k" * 20
router = APIRouter(prefix="/v1")


class Body(BaseModel):
    text: str


class Refused(Exception):
    pass


@router.post("/echo")
async def echo(body: Body) -> dict[str, int]:
    if body.text == "refuse":
        raise Refused("refused for a reason")
    if body.text == "bug":
        raise RuntimeError("secret internal detail")
    return {"length": len(body.text)}


@asynccontextmanager
async def no_lifespan(app):
    yield


def client() -> httpx.AsyncClient:
    app = create_service_app(
        "T", "test", "1", no_lifespan, router, [KEY, "old-key-0123456789"], {Refused: 409},
        max_body_bytes=1024,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://t", headers={"X-API-Key": KEY})


async def test_body_over_the_limit_is_413_even_when_chunked() -> None:
    async with client() as http:
        assert (await http.post("/v1/echo", json={"text": "x" * 2000})).status_code == 413

        async def chunks():
            yield b'{"text": "'
            for _ in range(40):
                yield b"y" * 100
            yield b'"}'

        answer = await http.post(
            "/v1/echo", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 413
        assert (await http.post("/v1/echo", json={"text": "ok"})).json() == {"length": 2}


async def test_business_errors_and_bugs_get_clear_answers() -> None:
    async with client() as http:
        refused = await http.post("/v1/echo", json={"text": "refuse"})
        assert (refused.status_code, refused.json()) == (409, {"detail": "refused for a reason"})
        bug = await http.post("/v1/echo", json={"text": "bug"})
        assert bug.status_code == 500
        assert "secret" not in bug.text  # no internals, no stack trace
        missing = await http.post("/v1/echo", json={"text": "ok"}, headers={"X-API-Key": ""})
        assert missing.status_code == 401


async def test_every_accepted_key_opens_the_api_during_a_rotation() -> None:
    async with client() as http:
        old = await http.post(
            "/v1/echo", json={"text": "a"}, headers={"X-API-Key": "old-key-0123456789"}
        )
        wrong = await http.post("/v1/echo", json={"text": "a"}, headers={"X-API-Key": "x" * 18})
    assert (old.status_code, wrong.status_code) == (200, 401)
