"""The answers every service's API shares, declared once for its OpenAPI document: each status
with the body model that servicekit.web's handlers send and an example of it.

A route merges what applies to it, e.g. `responses={**BODY_ERRORS, **not_found(...)}`;
401 and 422 are declared for the whole API where servicekit.web includes it (a route may
declare its own 422 example, which wins over the API's).
"""

from typing import Any, Literal

from pydantic import BaseModel, Field

from servicekit.http import API_KEY_HEADER

Responses = dict[int | str, dict[str, Any]]


class ErrorAnswer(BaseModel):
    """Every error answer but 422: one sentence saying what went wrong."""

    detail: str


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query, path or header, then the field")
    msg: str
    type: str = Field(description="pydantic's error type, e.g. missing, uuid_parsing")


class ValidationErrorAnswer(BaseModel):
    """422: every field that is missing or not valid, each with where and why."""

    detail: list[FieldError]


def error(
    status: int, description: str, detail: str, headers: dict[str, Any] | None = None
) -> Responses:
    """One error answer: its status, when it is sent, and an example of its body."""
    answer: dict[str, Any] = {
        "model": ErrorAnswer,
        "description": description,
        "content": {"application/json": {"example": {"detail": detail}}},
    }
    if headers:
        answer["headers"] = headers
    return {status: answer}


def invalid(loc: list[str | int], msg: str, kind: str) -> Responses:
    """422 with an example of one field error (the answer lists every one)."""
    example = {"detail": [{"loc": loc, "msg": msg, "type": kind}]}
    return {
        422: {
            "model": ValidationErrorAnswer,
            "description": "Missing or invalid input: every field error, each with where and why",
            "content": {"application/json": {"example": example}},
        }
    }


def not_found(what: str, detail: str) -> Responses:
    return error(404, f"No {what}", detail)


def invalid_uuid(location: str, name: str) -> Responses:
    """422 for a path or query parameter that is not a UUID."""
    msg = "Input should be a valid UUID, invalid character: found `x` at 0"
    return invalid([location, name], msg, "uuid_parsing")


UNAUTHORIZED = error(
    401,
    f"No {API_KEY_HEADER} header, or not an accepted key",
    f"missing or wrong {API_KEY_HEADER} header",
    headers={"WWW-Authenticate": {"description": "ApiKey", "schema": {"type": "string"}}},
)
INVALID_INPUT = invalid(
    ["query", "limit"], "Input should be less than or equal to 100", "less_than_equal"
)
# Every /v1 operation: the key check runs on each, and each validates what it is sent.
API_RESPONSES: Responses = {**UNAUTHORIZED, **INVALID_INPUT}

# Starlette answers in plain text when the declared length is over the limit, and in JSON when
# a body sent without a length goes over it while it is read.
BODY_TOO_LARGE: Responses = {
    413: {
        "model": ErrorAnswer,
        "description": "The request body is over the service's limit (64 KiB)",
        "content": {
            "application/json": {"example": {"detail": "Content Too Large"}},
            "text/plain": {"schema": {"type": "string"}, "example": "Content Too Large"},
        },
    }
}
# What an operation that takes a JSON body can answer besides its own errors.
BODY_ERRORS: Responses = {
    **error(400, "The body is not UTF-8 text", "There was an error parsing the body"),
    **BODY_TOO_LARGE,
}
DATABASE_DOWN = error(
    503,
    "The database cannot be reached; try again after Retry-After seconds",
    "the database is unavailable; try again later",
    headers={"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
)


def upstream_errors(*called: str, example_path: str) -> Responses:
    """502, 503 and 504 of an operation that calls other services before it answers (the
    examples: the last one, at `example_path`); its 503 also covers the database."""
    names, example = " or ".join(called), called[-1]
    unreachable = (
        f"{example}: POST {example_path} failed: ConnectError('All connection attempts failed')"
    )
    database = DATABASE_DOWN[503]["content"]["application/json"]["example"]
    retry_after = {"description": "Seconds to wait (database only)", "schema": {"type": "integer"}}
    return {
        **error(
            502,
            f"{names} answered with an error or a body that cannot be used",
            f"{example}: answered 500: internal error",
        ),
        503: {
            "model": ErrorAnswer,
            "description": f"{names} or the database cannot be reached; try again later",
            "headers": {"Retry-After": retry_after},
            "content": {
                "application/json": {
                    "examples": {
                        "service": {
                            "summary": f"{example} unreachable",
                            "value": {"detail": unreachable},
                        },
                        "database": {"summary": "Database unreachable", "value": database},
                    }
                }
            },
        },
        **error(
            504,
            f"{names} did not answer in time; send the same request again",
            f"{example}: POST {example_path} timed out (ReadTimeout)",
        ),
    }


class Check(BaseModel):
    status: Literal["pass", "fail"]
    critical: bool = Field(description="A failing critical check fails the service")
    latency_ms: float
    error: str | None = Field(None, description="Why it failed (failing checks only)")


class Readiness(BaseModel):
    """`pass` when every check passed, `degraded` when only a non-critical one failed."""

    status: Literal["pass", "degraded", "fail"]
    checks: dict[str, Check]


class HealthReport(Readiness):
    service: str
    version: str


class Liveness(BaseModel):
    status: Literal["pass"]


PASSED = {"status": "pass", "critical": True, "latency_ms": 0.5}
FAILED = {"status": "fail", "critical": True, "latency_ms": 1000.4, "error": "no answer within 1 s"}


def health_responses(service: str | None = None) -> Responses:
    """200 when every check passed, 503 with the same report when one did not: `/health`'s
    full report when `service` is named, else `/health/ready`'s."""
    about = {"service": service, "version": "0.1.0"} if service else {}
    passed = {**about, "status": "pass", "checks": {"mongodb": PASSED, "rabbitmq": PASSED}}
    failed = {**about, "status": "fail", "checks": {"mongodb": FAILED, "rabbitmq": PASSED}}
    model = HealthReport if service else Readiness
    return {
        200: {
            "model": model,
            "description": "Every check passed",
            "content": {"application/json": {"example": passed}},
        },
        503: {
            "model": model,
            "description": "A check failed (for /health also a non-critical one: degraded)",
            "content": {"application/json": {"example": failed}},
        },
    }


LIVE: Responses = {
    200: {
        "model": Liveness,
        "description": "The process answers",
        "content": {"application/json": {"example": {"status": "pass"}}},
    }
}
METRICS: Responses = {
    200: {
        "description": "Prometheus's text exposition format",
        "content": {
            "text/plain": {
                "example": "# HELP http_requests_total Requests answered\n"
                'http_requests_total{method="GET",route="/v1/orders",status="200"} 12.0\n'
            }
        },
    }
}


def request_body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI requestBody of a route that parses `model` from the raw body itself (its
    schema inlined: the document's components only hold the models FastAPI parses)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        return [inline(value) for value in node] if isinstance(node, list) else node

    content = {"application/json": {"schema": inline(schema)}}
    return {"requestBody": {"required": True, "content": content}}
