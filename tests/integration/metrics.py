"""Reading services' /metrics in tests: scrape some instances, sum a sample over them."""

from collections.abc import Sequence

import httpx
from prometheus_client.parser import text_string_to_metric_families

from devstack.parts import ServiceProcess


async def scrape(parts: Sequence[ServiceProcess]) -> list[str]:
    """Each instance's /metrics text (open, like /health: no API key)."""
    texts = []
    async with httpx.AsyncClient(timeout=10) as http:
        for part in parts:
            answer = await http.get(f"http://127.0.0.1:{part.port}/metrics")
            answer.raise_for_status()
            texts.append(answer.text)
    return texts


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """The labels and value of every sample called `name` (e.g. `x_total`, `y_count`)."""
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def total(texts: Sequence[str], name: str, **labels: str) -> float:
    """`name` summed over the instances and over every series carrying `labels`."""
    return sum(
        value
        for text in texts
        for found, value in samples(text, name)
        if labels.items() <= found.items()
    )
