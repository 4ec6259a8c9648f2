"""Classes named by class-tagged vectors in values_vectors.json (`waymark_values_fixtures.Point` ...).

The tests put this folder on sys.path so that decoding can import them by qualified name, as a worker would.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import BaseModel, Field


class Color(enum.Enum):
    RED = "red"
    GREEN = 2


class Size(enum.IntEnum):
    SMALL = 1
    LARGE = 3


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclass
class Box:
    label: str
    items: list[Point] = field(default_factory=list)
    count: int = field(default=0, init=False)


class Item(BaseModel):
    sku: str
    quantity: int = 1


class Order(BaseModel):
    id: int
    items: list[Item]
    note: str | None = Field(default=None, alias="comment")


class PaymentDeclined(Exception):
    """An exception whose __init__ formats its arguments: the message is not simply the first argument."""

    def __init__(self, order_id: int, reason: str = "declined") -> None:
        super().__init__(f"order {order_id}: {reason}")
        self.order_id = order_id


class OutOfStock(LookupError):
    pass


class Rejected(Exception):
    """Instance attributes of several kinds (`attrs` in the encoding), a private one included; the `__init__`
    takes keyword-only arguments, so it cannot be called with the args alone."""

    def __init__(self, sku: str, *, left: int, tags: tuple[str, ...] = ()) -> None:
        super().__init__(f"{sku} rejected")
        self.sku = sku
        self.left = left
        self.tags = tags
        self._retry_after = None


class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1


class Tier(enum.IntEnum):
    FREE = 0
    PRO = 2


class Mode(enum.StrEnum):
    FAST = "fast"


def with_attrs(exc: BaseException, **attrs: object) -> BaseException:
    exc.__dict__.update(attrs)
    return exc


def suppressed(exc: BaseException, suppress: bool = True) -> BaseException:
    """`raise exc from None` (True), or a cause whose context is shown after all (False)."""
    exc.__suppress_context__ = suppress
    return exc


class PaymentError(Exception):
    """Class attributes of immutable data (`class_attrs` in the encoding), resolved through the MRO; a method and a
    list are not data and do not travel."""

    code = "payment"
    retryable = False
    limits = (1, 2)
    history: ClassVar[list[int]] = []

    def describe(self) -> str:
        return self.code


class CardDeclined(PaymentError):
    code = "declined"
