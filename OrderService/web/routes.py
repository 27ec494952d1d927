"""`/v1/orders`: place, list, look up, cancel and delete orders."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from OrderService.bootstrap import OrderPorts
from OrderService.business import cancel, place, queries
from OrderService.business.models import OrderQuery, PlaceOrder
from OrderService.business.state_machine import OrderStatus
from OrderService.web.schemas import (
    CUSTOMER_ID,
    ORDER_ID,
    OrderPage,
    OrderRequest,
    OrderResponse,
    order_json,
)
from servicekit.openapi_responses import (
    BODY_ERRORS,
    DATABASE_DOWN,
    error,
    invalid,
    invalid_uuid,
    not_found,
)
from servicekit.tracing import tag_current_span

router = APIRouter(prefix="/v1/orders", tags=["orders"])


async def _ports(request: Request) -> OrderPorts:
    return request.app.state.ports


Ports = Annotated[OrderPorts, Depends(_ports)]
OrderId = Annotated[UUID, Path(examples=[ORDER_ID])]
# What the operations on one order answer besides their success.
ONE_ORDER = {
    **not_found("such order", f"order {ORDER_ID} not found"),
    **invalid_uuid("path", "order_id"),
    **DATABASE_DOWN,
}
PLACE_ANSWERS = {
    202: {
        "description": "The order, placed (status `created`)",
        "headers": {"Location": {"description": "/v1/orders/{id}", "schema": {"type": "string"}}},
    },
    **error(
        409,
        "The Idempotency-Key was used before for a different request",
        "Idempotency-Key was already used for another request",
    ),
    **BODY_ERRORS,
    **invalid(
        ["body", "items", 0, "quantity"],
        "Input should be greater than or equal to 1",
        "greater_than_equal",
    ),
    **DATABASE_DOWN,
}
TOO_LATE = error(
    400,
    "Too late: a driver is already on the way, or the order has ended",
    "order is driverAvailable: too late to cancel",
)


@router.post("", status_code=202, response_model=OrderResponse, responses=PLACE_ANSWERS)
async def place_order(
    body: OrderRequest,
    ports: Ports,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            description="Send the same key again to retry safely: one order, one charge",
            examples=["order-7d1c2e9a-2026-12-01"],
        ),
    ] = None,
) -> OrderResponse:
    """Place an order (status `created`); PaymentService is asked to charge it right after."""
    items = [item.model_dump(mode="json") for item in body.items]
    command = PlaceOrder(str(body.customer_id), items, idempotency_key)
    placed = await place.place_order(command, ports.orders, ports.charges)
    tag_current_span(placed.order.id)
    response.headers["Location"] = f"/v1/orders/{placed.order.id}"
    return OrderResponse.of(placed.order)


@router.get(
    "",
    response_model=OrderPage,
    responses={**invalid_uuid("query", "customer_id"), **DATABASE_DOWN},
)
async def list_orders(
    ports: Ports,
    status: Annotated[OrderStatus | None, Query(examples=["created"])] = None,
    customer_id: Annotated[UUID | None, Query(examples=[CUSTOMER_ID])] = None,
    limit: Annotated[int, Query(ge=1, le=100, examples=[20])] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000, examples=[0])] = 0,
) -> OrderPage:
    """Orders, newest first, optionally only one status or one customer's."""
    query = OrderQuery(status, str(customer_id) if customer_id else None, limit, offset)
    return OrderPage.of(await queries.list_orders(query, ports.orders))


@router.get("/{order_id}", response_model=OrderResponse, responses=ONE_ORDER)
async def get_order(order_id: OrderId, ports: Ports) -> Response:
    """One order with its status history (served from the cache when it is there)."""
    order = await queries.get_order(str(order_id), ports.orders)
    return Response(order_json(order), media_type="application/json")


@router.post(
    "/{order_id}/cancel",
    status_code=202,
    response_model=OrderResponse,
    responses={**ONE_ORDER, **TOO_LATE},
)
async def cancel_order(order_id: OrderId, ports: Ports) -> OrderResponse:
    """Cancel before a driver is available; the delivery is cancelled and a payment reimbursed."""
    return OrderResponse.of(await cancel.cancel_order(str(order_id), ports.orders))


@router.delete("/{order_id}", status_code=204, responses=ONE_ORDER)
async def delete_order(order_id: OrderId, ports: Ports) -> Response:
    """Remove an order and its cached copy."""
    await queries.delete_order(str(order_id), ports.orders)
    return Response(status_code=204)
