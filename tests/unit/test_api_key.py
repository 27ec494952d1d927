"""The API key check compares in constant time: `hmac.compare_digest` against every accepted key,
whichever key was sent and whether or not the first one already matched."""

import hmac
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter

import servicekit.web
from servicekit.web import create_service_app

KEYS = ["current-key-0123456789", "old-key-0123456789ab", "older-key-0123456789"]
router = APIRouter(prefix="/v1")


@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"pong": "yes"}


@asynccontextmanager
async def no_lifespan(app):
    yield


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Every `compare_digest` call the API key check makes (the real comparison still runs)."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a, b) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(servicekit.web.hmac, "compare_digest", recording)
    return calls


@pytest.mark.parametrize("sent", [*KEYS, "wrong-key-0123456789", "current-key-012345678X"])
async def test_every_accepted_key_is_compared_in_constant_time(comparisons, sent) -> None:
    app = create_service_app("T", "test", "1", no_lifespan, router, KEYS, {})
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        answer = await http.get("/v1/ping", headers={"X-API-Key": sent})
    assert answer.status_code == (200 if sent in KEYS else 401)
    # One comparison per accepted key, each with what was sent, even when the first matched.
    assert sorted(comparisons) == sorted((sent.encode(), key.encode()) for key in KEYS)
