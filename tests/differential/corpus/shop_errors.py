"""Exception classes defined in a module of their own (not a workflow module): the worker sends this module's source
with the bundle, so that a workflow constructing them runs their `__init__`/`__str__` compiled (diff_exc_init)."""

from __future__ import annotations

CURRENCY = "EUR"


class ShopError(Exception):
    def __init__(self, message: str, *, code: int = 500) -> None:
        super().__init__(message)
        self.code = code


class PaymentDeclined(ShopError):
    def __init__(self, order_id: int, amount: int) -> None:
        super().__init__(f"order {order_id}: {amount} {CURRENCY} declined", code=402)
        self.order_id = order_id
        self.amount = amount

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"
