"""A headless browser opens /docs and /redoc of a running DistanceService and finds the API
rendered: the pages work with nothing but the service (no CDN)."""

import asyncio
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.parts import ServiceProcess
from servicekit.settings import ServiceSettings
from tests.integration.services import delete_service_queues, service_env, start_service

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (scripts/provision.sh installs it)"
)


@pytest.fixture(scope="module")
def distance_service(settings: ServiceSettings, tmp_path_factory) -> Iterator[ServiceProcess]:
    exchange = f"test-docs-{uuid.uuid4().hex[:8]}"
    queue = f"DistanceService-{uuid.uuid4().hex[:6]}"
    env = service_env(settings, exchange, QUEUE_NAME=queue)
    stack, part = start_service("DistanceService", tmp_path_factory.mktemp("docs"), env)
    yield part
    stack.down()
    asyncio.run(delete_service_queues(settings.rabbit_url, queue, exchange=exchange))


def rendered_dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran (up to 10 s of virtual time), as chromium sees it."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)
    return done.stdout


@needs_chromium
def test_swagger_ui_renders_the_operations(distance_service: ServiceProcess, tmp_path) -> None:
    dom = rendered_dom(f"http://127.0.0.1:{distance_service.port}/docs", tmp_path)
    assert "opblock" in dom, dom[-2000:]
    assert "/v1/distances/{order_id}" in dom
    assert "/v1/distance" in dom


@needs_chromium
def test_redoc_renders_the_operations(distance_service: ServiceProcess, tmp_path) -> None:
    dom = rendered_dom(f"http://127.0.0.1:{distance_service.port}/redoc", tmp_path)
    assert "/v1/distances/{order_id}" in dom, dom[-2000:]
    assert "The distance and delivery estimate calculated for an order" in dom
