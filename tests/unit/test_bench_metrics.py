"""The benchmark reads the services' GET /metrics: requests by route and status, calls made."""

from bench.floor.http_counts import parse_metrics, placed_orders, service_counters

TEXT = """# HELP http_requests_total HTTP requests answered
# TYPE http_requests_total counter
http_requests_total{method="POST",route="/v1/orders",status="202"} 7.0
http_requests_total{method="POST",route="/v1/orders",status="409"} 1.0
http_requests_total{method="GET",route="/v1/orders/{order_id}",status="200"} 30.0
http_requests_total{method="GET",route="/health/live",status="200"} 4.0
http_requests_total{method="GET",route="/metrics",status="200"} 2.0
# HELP http_requests_created HTTP requests answered
http_requests_created{method="POST",route="/v1/orders",status="202"} 1.7e+09
http_client_requests_total{service="CustomerService",method="GET",outcome="200"} 7.0
http_client_requests_total{service="PaymentService",method="POST",outcome="ConnectError"} 2.0
process_cpu_seconds_total 3.25
"""


def test_parse_metrics_reads_names_labels_and_values() -> None:
    samples = parse_metrics(TEXT)
    assert ("process_cpu_seconds_total", {}, 3.25) in samples
    name, labels, value = samples[0]
    assert (name, value) == ("http_requests_total", 7.0)
    assert labels == {"method": "POST", "route": "/v1/orders", "status": "202"}


def test_service_counters_leave_probes_and_scrapes_out() -> None:
    counts = service_counters("OrderService", TEXT)
    assert counts == {
        "http.OrderService.POST /v1/orders 202": 7.0,
        "http.OrderService.POST /v1/orders 409": 1.0,
        "http.OrderService.GET /v1/orders/{order_id} 200": 30.0,
        "calls.OrderService -> CustomerService GET 200": 7.0,
        "calls.OrderService -> PaymentService POST ConnectError": 2.0,
    }
    assert placed_orders(counts) == 7.0
