"""`/v1/orders`: place, list, look up, cancel and delete orders."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from OrderService.bootstrap import OrderPorts
from OrderService.business import cancel, place, queries
from OrderService.business.models import OrderQuery, PlaceOrder
from OrderService.business.state_machine import OrderStatus
from OrderService.web.schemas import OrderPage, OrderRequest, OrderResponse, order_json
from servicekit.tracing import tag_current_span

router = APIRouter(prefix="/v1/orders", tags=["orders"])


async def _ports(request: Request) -> OrderPorts:
    return request.app.state.ports


Ports = Annotated[OrderPorts, Depends(_ports)]
NOT_FOUND = {404: {"description": "No such order"}}


@router.post("", status_code=202, response_model=OrderResponse)
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


@router.get("", response_model=OrderPage)
async def list_orders(
    ports: Ports,
    status: OrderStatus | None = None,
    customer_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> OrderPage:
    """Orders, newest first, optionally only one status or one customer's."""
    query = OrderQuery(status, str(customer_id) if customer_id else None, limit, offset)
    return OrderPage.of(await queries.list_orders(query, ports.orders))


@router.get("/{order_id}", response_model=OrderResponse, responses=NOT_FOUND)
async def get_order(order_id: UUID, ports: Ports) -> Response:
    """One order with its status history (served from the cache when it is there)."""
    order = await queries.get_order(str(order_id), ports.orders)
    return Response(order_json(order), media_type="application/json")


@router.post(
    "/{order_id}/cancel",
    status_code=202,
    response_model=OrderResponse,
    responses={**NOT_FOUND, 400: {"description": "Too late: a driver is already on the way"}},
)
async def cancel_order(order_id: UUID, ports: Ports) -> OrderResponse:
    """Cancel before a driver is available; the delivery is cancelled and a payment reimbursed."""
    return OrderResponse.of(await cancel.cancel_order(str(order_id), ports.orders))


@router.delete("/{order_id}", status_code=204, responses=NOT_FOUND)
async def delete_order(order_id: UUID, ports: Ports) -> Response:
    """Remove an order and its cached copy."""
    await queries.delete_order(str(order_id), ports.orders)
    return Response(status_code=204)
