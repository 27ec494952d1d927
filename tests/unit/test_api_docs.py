"""/docs and /redoc load their assets from the service itself, so they work offline."""

import re
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from servicekit.api_docs import mount_api_docs
from servicekit.web import create_service_app

EXPECTED_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
router = APIRouter(prefix="/v1")


@router.get("/things")
async def things() -> list[str]:
    return []


@asynccontextmanager
async def no_lifespan(app):
    yield


def client(app: FastAPI | None = None) -> httpx.AsyncClient:
    app = app or create_service_app("T", "test", "1", no_lifespan, router, ["k" * 20], {})
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://t")  # no X-API-Key


def referenced_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_same_origin_assets_that_answer(page: str) -> None:
    async with client() as http:
        answer = await http.get(page)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert not re.search(r"https?://", answer.text), "the page must not load from a CDN"
        urls = referenced_urls(answer.text)
        assert any(url.endswith(".js") for url in urls)
        for url in urls:
            assert url.startswith("/docs-assets/"), url
            asset = await http.get(url)
            assert asset.status_code == 200, url
            assert EXPECTED_TYPES[Path(url).suffix] in asset.headers["content-type"], url


async def test_openapi_json_stays_where_it_was_and_open() -> None:
    async with client() as http:
        answer = await http.get("/openapi.json")
        assert answer.status_code == 200
        assert "/v1/things" in answer.json()["paths"]
        assert not {"/docs", "/redoc"} & set(answer.json()["paths"])


async def test_docs_without_installed_assets_say_how_to_install_them(tmp_path: Path) -> None:
    app = FastAPI(docs_url=None, redoc_url=None)
    mount_api_docs(app, node_modules=tmp_path / "node_modules")
    async with client(app) as http:
        for page in ("/docs", "/redoc"):
            answer = await http.get(page)
            assert answer.status_code == 503
            assert "make install" in answer.text
        assert (await http.get("/docs-assets/swagger-ui/swagger-ui.css")).status_code == 404
