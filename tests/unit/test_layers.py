"""The business layers stay free of the technologies their adapters use: importing every
business module of a service loads no FastAPI, RabbitMQ, MongoDB, Redis, HTTP client or
Prometheus client."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADAPTER_LIBRARIES = ["fastapi", "aio_pika", "pymongo", "redis", "httpx", "prometheus_client"]


@pytest.mark.parametrize("service", ["OrderService", "PaymentService", "DistanceService"])
def test_business_modules_import_no_adapter_library(service: str) -> None:
    modules = sorted(path.stem for path in (ROOT / service / "business").glob("*.py"))
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        f"    importlib.import_module('{service}.business.' + name)\n"
        f"print(sorted(m for m in {ADAPTER_LIBRARIES!r} if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
