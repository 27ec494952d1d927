"""/metrics counts each answered request under its route template, method and status."""

import re

from tests.unit.test_web import client


def count(text: str, method: str, route: str, status: str) -> float:
    pattern = (
        rf'^http_requests_total{{method="{method}",route="{re.escape(route)}",'
        rf'status="{status}"}} (\S+)$'
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_requests_are_counted_by_route_template_and_status() -> None:
    async with client() as http:
        before = (await http.get("/metrics")).text
        await http.post("/v1/echo", json={"text": "ok"})
        await http.post("/v1/echo", json={"text": "refuse"})
        await http.post("/v1/echo", json={"text": "ok"}, headers={"X-API-Key": "wrong-key-xx"})
        await http.get("/no/such/path")
        after = await http.get("/metrics", headers={"X-API-Key": ""})  # open, like /health
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    for method, route, status in [
        ("POST", "/v1/echo", "200"),
        ("POST", "/v1/echo", "409"),
        ("POST", "/v1/echo", "401"),
        ("GET", "unmatched", "404"),
    ]:
        grown = count(after.text, method, route, status) - count(before, method, route, status)
        assert grown == 1, (method, route, status)
