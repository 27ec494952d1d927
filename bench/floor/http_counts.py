"""HTTP requests counted by the services' `GET /metrics` and by the Prism mocks' logs."""

import re
from collections.abc import Mapping

import httpx

from devstack.parts import STATE

SERVICES = ("OrderService", "PaymentService", "DistanceService")
SKIPPED_ROUTES = ("/health", "/metrics")  # probes and our own scrapes
SAMPLE = re.compile(r"^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
PRISM = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) .*Request received")
ID_SEGMENT = re.compile(r"/[0-9a-fA-F-]{16,}|/\d+")
PLACED = "http.OrderService.POST /v1/orders "


def parse_metrics(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Prometheus text format -> (metric name, labels, value) for every sample line."""
    samples = []
    for line in text.splitlines():
        found = SAMPLE.match(line.strip())
        if found is None or line.startswith("#"):
            continue
        labels = {key: value.replace('\\"', '"') for key, value in LABEL.findall(found[2] or "")}
        samples.append((found[1], labels, float(found[3])))
    return samples


def service_counters(service: str, text: str) -> dict[str, float]:
    """Requests a service answered (by method, route, status) and calls it made (by outcome)."""
    counts: dict[str, float] = {}
    for name, labels, value in parse_metrics(text):
        if name == "http_requests_total":
            route = labels.get("route", "?")
            if route.startswith(SKIPPED_ROUTES):
                continue
            key = f"http.{service}.{labels.get('method')} {route} {labels.get('status')}"
        elif name == "http_client_requests_total":
            target, method = labels.get("service"), labels.get("method")
            key = f"calls.{service} -> {target} {method} {labels.get('outcome')}"
        else:
            continue
        counts[key] = counts.get(key, 0.0) + value
    return counts


async def scrape(http: httpx.AsyncClient, urls: Mapping[str, str]) -> dict[str, float]:
    """Every service's request and call counters, flat."""
    counts: dict[str, float] = {}
    for service in SERVICES:
        answer = await http.get(f"{urls[service]}/metrics")
        answer.raise_for_status()
        counts |= service_counters(service, answer.text)
    return counts


def placed_orders(counters: Mapping[str, float]) -> float:
    """Orders OrderService accepted (POST /v1/orders answered 2xx)."""
    return sum(
        value
        for key, value in counters.items()
        if key.startswith(PLACED) and key.removeprefix(PLACED).startswith("2")
    )


def prism_log_sizes() -> dict[str, int]:
    """Byte size of every Prism mock's log (each logs every request it receives)."""
    return {path.stem: path.stat().st_size for path in (STATE / "logs").glob("prism-*.log")}


def prism_requests(before: Mapping[str, int]) -> dict[str, float]:
    """Requests each mock logged since `before`, by mock, method and path (ids as {id})."""
    counts: dict[str, float] = {}
    for name, offset in before.items():
        path = STATE / "logs" / f"{name}.log"
        with path.open("rb") as log:
            log.seek(offset if path.stat().st_size >= offset else 0)
            text = log.read().decode("utf-8", "replace")
        for method, target in PRISM.findall(text):
            route = ID_SEGMENT.sub("/{id}", target.split("?")[0])
            key = f"http.{name.removeprefix('prism-')}.{method.upper()} {route}"
            counts[key] = counts.get(key, 0.0) + 1
    return counts
