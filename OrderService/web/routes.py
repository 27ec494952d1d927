"""`/v1/orders`: place, list, look up, cancel and delete orders."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from OrderService.business.charges import ChargeDispatcher
from OrderService.business.orders import OrderWorkflow
from OrderService.business.state_machine import OrderStatus
from OrderService.web.schemas import OrderPage, OrderRequest, OrderResponse, order_json

router = APIRouter(prefix="/v1/orders", tags=["orders"])


async def _workflow(request: Request) -> OrderWorkflow:
    return request.app.state.workflow


Workflow = Annotated[OrderWorkflow, Depends(_workflow)]


async def _charges(request: Request) -> ChargeDispatcher:
    return request.app.state.charges


Charges = Annotated[ChargeDispatcher, Depends(_charges)]
NOT_FOUND = {404: {"description": "No such order"}}


@router.post("", status_code=202, response_model=OrderResponse)
async def place_order(
    body: OrderRequest,
    workflow: Workflow,
    charges: Charges,
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
    order, is_new = await workflow.place(
        str(body.customer_id),
        [item.model_dump(mode="json") for item in body.items],
        idempotency_key,
    )
    if is_new:
        charges.charge_soon(order)
    response.headers["Location"] = f"/v1/orders/{order.id}"
    return OrderResponse.of(order)


@router.get("", response_model=OrderPage)
async def list_orders(
    workflow: Workflow,
    status: OrderStatus | None = None,
    customer_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> OrderPage:
    """Orders, newest first, optionally only one status or one customer's."""
    page = await workflow.list(status, str(customer_id) if customer_id else None, limit, offset)
    return OrderPage.of(page)


@router.get("/{order_id}", response_model=OrderResponse, responses=NOT_FOUND)
async def get_order(order_id: UUID, workflow: Workflow) -> Response:
    """One order with its status history (served from the cache when it is there)."""
    order = await workflow.get(str(order_id))
    return Response(order_json(order), media_type="application/json")


@router.post(
    "/{order_id}/cancel",
    status_code=202,
    response_model=OrderResponse,
    responses={**NOT_FOUND, 400: {"description": "Too late: a driver is already on the way"}},
)
async def cancel_order(order_id: UUID, workflow: Workflow) -> OrderResponse:
    """Cancel before a driver is available; the delivery is cancelled and a payment reimbursed."""
    return OrderResponse.of(await workflow.cancel(str(order_id)))


@router.delete("/{order_id}", status_code=204, responses=NOT_FOUND)
async def delete_order(order_id: UUID, workflow: Workflow) -> Response:
    """Remove an order and its cached copy."""
    await workflow.delete(str(order_id))
    return Response(status_code=204)
