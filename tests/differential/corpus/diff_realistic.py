"""Realistic workflows, written as a user would: order processing, ETL with retries, fan-out/fan-in reports,
approval flows with signals and timeouts, sagas with compensation, pagination, string building, aggregation,
sorting, money rounding. Each one runs as plain Python and through the compiler and the VM."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import waymark
from pydantic import BaseModel
from waymark import Backoff, RetryPolicy, Workflow, action, workflow
from waymark.testing import Signal

from .diffcase import case

# ---- shared domain -------------------------------------------------------------------------------------------------


class Status(enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    FAILED = "failed"


class LineItem(BaseModel):
    sku: str
    qty: int
    unit_price: Decimal


class Order(BaseModel):
    id: int
    customer: str
    items: list[LineItem]
    coupon: str | None = None


@dataclasses.dataclass
class Shipment:
    order_id: int
    carrier: str
    eta_days: int = 3


class PaymentDeclined(Exception):
    def __init__(self, order_id: int, reason: str) -> None:
        super().__init__(f"order {order_id}: {reason}")
        self.order_id = order_id
        self.reason = reason


class OutOfStock(Exception):
    pass


class TransientError(Exception):
    pass


# ---- actions -------------------------------------------------------------------------------------------------------


@action(name="r_reserve_stock")
async def reserve_stock(sku: str, qty: int) -> bool:
    if sku.startswith("gone"):
        raise OutOfStock(f"{sku} is sold out")
    return qty <= 10


@action(name="r_release_stock")
async def release_stock(sku: str, qty: int) -> None:
    return None


@action(name="r_charge")
async def charge(order_id: int, amount: Decimal) -> str:
    if amount > Decimal("1000"):
        raise PaymentDeclined(order_id, "amount over limit")
    return f"ch_{order_id}_{amount}"


@action(name="r_refund")
async def refund(charge_id: str) -> str:
    return f"re_{charge_id}"


@action(name="r_ship")
async def ship(order_id: int, carrier: str) -> Shipment:
    return Shipment(order_id=order_id, carrier=carrier, eta_days=2 if carrier == "dhl" else 4)


@action(name="r_notify")
async def notify(to: str, message: str) -> None:
    return None


@action(name="r_fetch_page")
async def fetch_page(source: str, cursor: int | None) -> dict[str, object]:
    start = cursor or 0
    rows = [
        {"id": start + i, "value": (start + i) * 7 % 11, "region": ["eu", "us", "apac"][(start + i) % 3]}
        for i in range(4)
    ]
    return {"rows": rows, "next": start + 4 if start + 4 < 14 else None}


@action(name="r_flaky_load", retry=RetryPolicy(attempts=4, backoff=Backoff.exponential(initial=1, factor=2)))
async def flaky_load(batch: list[int]) -> int:
    if sum(batch) % 5 == 0:
        raise TransientError(f"batch {batch} timed out")
    return len(batch)


@action(name="r_region_stats")
async def region_stats(region: str) -> dict[str, float]:
    if region == "mars":
        raise ValueError("no such region: mars")
    base = {"eu": 12.5, "us": 20.0, "apac": 7.25}.get(region, 1.0)
    return {"revenue": base * 1000, "orders": base * 4}


@action(name="r_exchange_rate")
async def exchange_rate(currency: str) -> Decimal:
    return {"EUR": Decimal("1"), "USD": Decimal("0.9213"), "GBP": Decimal("1.1648")}[currency]


# ---- 1. order processing -------------------------------------------------------------------------------------------


@workflow(name="r_order_processing")
class OrderProcessing(Workflow):
    def subtotal(self, order: Order) -> Decimal:
        return sum((item.unit_price * item.qty for item in order.items), Decimal("0"))

    def discount(self, order: Order, subtotal: Decimal) -> Decimal:
        if order.coupon == "TENOFF":
            return (subtotal * Decimal("0.10")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return Decimal("0.00")

    async def run(self, order: Order) -> dict[str, object]:
        self.status = Status.PENDING
        reserved: list[LineItem] = []
        for item in order.items:
            if not await reserve_stock(item.sku, item.qty):
                for done in reversed(reserved):
                    await release_stock(done.sku, done.qty)
                return {"order": order.id, "status": Status.FAILED.value, "reason": f"not enough {item.sku}"}
            reserved.append(item)
        subtotal = self.subtotal(order)
        total = subtotal - self.discount(order, subtotal)
        try:
            charge_id = await charge(order.id, total)
        except PaymentDeclined as exc:
            for done in reserved:
                await release_stock(done.sku, done.qty)
            await notify(order.customer, f"Payment failed: {exc}")
            return {"order": order.id, "status": Status.FAILED.value, "reason": str(exc)}
        self.status = Status.PAID
        shipment = await ship(order.id, "dhl" if total > 100 else "post")
        self.status = Status.SHIPPED
        lines = [f"{i.qty} x {i.sku} @ {i.unit_price}" for i in order.items]
        await notify(order.customer, "Your order:\n" + "\n".join(lines) + f"\nTotal: {total:.2f}")
        return {
            "order": order.id,
            "status": self.status.value,
            "charge": charge_id,
            "total": str(total),
            "eta": shipment.eta_days,
            "carrier": shipment.carrier,
        }


def _order(n: int, coupon: str | None = None, price: str = "19.99") -> Order:
    return Order(
        id=n,
        customer=f"cust{n}@example.com",
        items=[
            LineItem(sku="pen", qty=3, unit_price=Decimal(price)),
            LineItem(sku="pad", qty=1, unit_price=Decimal("4.5")),
        ],
        coupon=coupon,
    )


# ---- 2. ETL with pagination and retries ----------------------------------------------------------------------------


@workflow(name="r_etl")
class Etl(Workflow):
    async def run(self, source: str, batch_size: int) -> dict[str, object]:
        cursor: int | None = None
        rows: list[dict[str, object]] = []
        pages = 0
        while True:
            page = await fetch_page(source, cursor)
            pages += 1
            rows.extend(page["rows"])  # type: ignore[arg-type]
            cursor = page["next"]  # type: ignore[assignment]
            if cursor is None:
                break
        ids = [int(r["id"]) for r in rows if r["value"] != 0]  # type: ignore[call-overload]
        batches = [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]
        loaded = 0
        failed: list[str] = []
        for batch in batches:
            try:
                loaded += await flaky_load(batch)
            except TransientError as exc:
                failed.append(str(exc))
        by_region: dict[str, list[int]] = {}
        for r in rows:
            by_region.setdefault(str(r["region"]), []).append(int(r["value"]))  # type: ignore[call-overload]
        summary = {
            region: {"n": len(v), "max": max(v), "avg": round(sum(v) / len(v), 2)} for region, v in by_region.items()
        }
        return {"pages": pages, "rows": len(rows), "loaded": loaded, "failed": failed, "summary": summary}


# ---- 3. fan-out / fan-in report ------------------------------------------------------------------------------------


@workflow(name="r_report")
class Report(Workflow):
    def revenue(self, item: tuple[str, dict[str, float]]) -> float:
        return item[1]["revenue"]

    async def run(self, regions: list[str]) -> str:
        results = await asyncio.gather(*[region_stats(r) for r in regions], return_exceptions=True)
        ok: dict[str, dict[str, float]] = {}
        errors: list[str] = []
        for region, result in zip(regions, results, strict=True):
            if isinstance(result, Exception):
                errors.append(f"{region}: {type(result).__name__}: {result}")
            else:
                ok[region] = result
        ranked = sorted(ok.items(), key=self.revenue, reverse=True)
        total = sum(stats["revenue"] for stats in ok.values())
        lines = [f"{'Region':<8}{'Revenue':>12}{'Share':>8}"]
        for region, stats in ranked:
            share = stats["revenue"] / total if total else 0.0
            lines.append(f"{region:<8}{stats['revenue']:>12,.2f}{share:>8.1%}")
        lines.append(f"{'TOTAL':<8}{total:>12,.2f}")
        if errors:
            lines.append("errors: " + "; ".join(errors))
        return "\n".join(lines)


# ---- 4. approval with signals and a timeout ------------------------------------------------------------------------


@workflow(name="r_approval")
class Approval(Workflow):
    async def run(self, request_id: str, amount: int, approvers: list[str]) -> dict[str, object]:
        await asyncio.gather(*[notify(a, f"Please approve {request_id} ({amount} EUR)") for a in approvers])
        decisions: dict[str, bool] = {}
        deadline = 3600.0
        while len(decisions) < len(approvers):
            try:
                vote = await waymark.wait_for_signal("vote", timeout=deadline)
            except TimeoutError:
                missing = sorted(set(approvers) - set(decisions))
                await notify("admin", f"{request_id}: no answer from {', '.join(missing)}")
                return {"request": request_id, "status": "expired", "missing": missing}
            who, ok = vote["by"], bool(vote["approve"])
            if who not in approvers:
                continue
            decisions[who] = ok
            if not ok:
                break
        approved = all(decisions.values()) and len(decisions) == len(approvers)
        status = "approved" if approved else "rejected"
        await notify(request_id, f"{request_id} {status}")
        return {"request": request_id, "status": status, "votes": decisions}


# ---- 5. saga with compensation in finally --------------------------------------------------------------------------


@workflow(name="r_saga")
class TripSaga(Workflow):
    async def run(self, trip: dict[str, object]) -> dict[str, object]:
        compensations: list[tuple[str, int]] = []
        booked: list[str] = []
        result: dict[str, object] = {"trip": trip["id"]}
        try:
            for sku in trip["legs"]:  # type: ignore[attr-defined]
                await reserve_stock(sku, 1)
                compensations.append((sku, 1))
                booked.append(sku)
            charge_id = await charge(int(trip["id"]), Decimal(str(trip["price"])))  # type: ignore[call-overload]
            result["charge"] = charge_id
            result["status"] = "booked"
        except (OutOfStock, PaymentDeclined) as exc:
            result["status"] = "cancelled"
            result["error"] = f"{exc.__class__.__name__}: {exc}"
            for sku, qty in reversed(compensations):
                await release_stock(sku, qty)
            compensations.clear()
        finally:
            result["booked"] = booked
            result["compensated"] = not compensations
        return result


# ---- 6. subscription renewals with dates ---------------------------------------------------------------------------


@workflow(name="r_renewals")
class Renewals(Workflow):
    def next_renewal(self, start: date, months: int) -> date:
        month = start.month - 1 + months
        year = start.year + month // 12
        month = month % 12 + 1
        day = min(
            start.day,
            [
                31,
                29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ][month - 1],
        )
        return date(year, month, day)

    async def run(self, started: date, plan_months: int, today: date) -> dict[str, object]:
        renewals: list[str] = []
        current = started
        n = 0
        while current <= today:
            n += 1
            current = self.next_renewal(started, plan_months * n)
            renewals.append(current.isoformat())
        overdue = (today - started).days
        reminder = datetime.combine(current, datetime.strptime("09:30", "%H:%M").time()) - timedelta(days=7)
        return {
            "renewals": renewals,
            "next": current.strftime("%d %B %Y"),
            "weekday": current.strftime("%A"),
            "reminder": reminder,
            "days_since_start": overdue,
            "weeks": overdue // 7,
        }


# ---- 7. invoice with currency conversion and rounding --------------------------------------------------------------


@workflow(name="r_invoice")
class Invoice(Workflow):
    async def run(self, lines: list[dict[str, str]], currency: str) -> dict[str, object]:
        rate = await exchange_rate(currency)
        net = Decimal("0")
        rendered = []
        for n, line in enumerate(lines, start=1):
            amount = (Decimal(line["price"]) * int(line["qty"])).quantize(Decimal("0.01"))
            net += amount
            rendered.append(f"{n:>2}. {line['name'][:12]:<12} {amount:>10}")
        vat = (net * Decimal("0.21")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        gross = net + vat
        converted = (gross * rate).quantize(Decimal("0.01"))
        return {
            "text": "\n".join(rendered),
            "net": net,
            "vat": vat,
            "gross": gross,
            currency: converted,
            "rounded": round(float(converted)),
            "cents": int(converted * 100),
        }


# ---- 8. word statistics / string building --------------------------------------------------------------------------


@workflow(name="r_text_stats")
class TextStats(Workflow):
    async def run(self, text: str, top: int) -> dict[str, object]:
        words = [w.strip(".,;:!?\"'()").lower() for w in text.split()]
        words = [w for w in words if w]
        counts: dict[str, int] = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        ranked = sorted(counts.items(), key=self.rank_key)[:top]
        longest = max(words, key=len)
        unique = sorted(sorted(set(words)), key=len)
        caps = " ".join(w.capitalize() for w in words[:5])
        initials = "".join(w[0].upper() for w in words if len(w) > 3)
        return {
            "total": len(words),
            "distinct": len(counts),
            "top": [f"{w}={n}" for w, n in ranked],
            "longest": longest,
            "shortest_unique": unique[:3],
            "caps": caps,
            "initials": initials,
            "title": text.title()[:20],
            "centered": f"[{'stats':^11}]",
        }

    def rank_key(self, item: tuple[str, int]) -> tuple[int, str]:
        return (-item[1], item[0])


# ---- 9. inventory reconciliation with sets -------------------------------------------------------------------------


@workflow(name="r_reconcile")
class Reconcile(Workflow):
    async def run(self, warehouse: list[int], ledger: list[int]) -> dict[str, object]:
        in_wh, in_ledger = set(warehouse), set(ledger)
        missing = in_ledger - in_wh
        extra = in_wh - in_ledger
        both = in_wh & in_ledger
        for sku in sorted(missing):
            await notify("ops", f"missing {sku}")
        duplicates = sorted({x for x in warehouse if warehouse.count(x) > 1})
        return {
            "missing": list(missing),
            "extra": list(extra),
            "matched": len(both),
            "duplicates": duplicates,
            "all": list(in_wh | in_ledger),
            "first_extra": next(iter(extra), None),
        }


# ---- 10. retry loop with backoff in the workflow -------------------------------------------------------------------


@workflow(name="r_poll")
class PollUntilReady(Workflow):
    async def run(self, job: str, max_polls: int) -> dict[str, object]:
        delay = 5
        history: list[str] = []
        for attempt in range(1, max_polls + 1):
            result = await self.run_action(
                region_stats(job),
                retry=RetryPolicy(attempts=2, backoff=Backoff.fixed(1)),
                timeout=timedelta(seconds=30),
            )
            history.append(f"#{attempt}: {result['orders']:.1f}")
            if result["orders"] > 40:
                return {"job": job, "ready": True, "attempts": attempt, "history": history}
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60)
        else:
            return {"job": job, "ready": False, "attempts": max_polls, "history": history, "delay": delay}


# ---- 11. child workflows per order ---------------------------------------------------------------------------------


@workflow(name="r_batch_orders")
class BatchOrders(Workflow):
    async def run(self, orders: list[Order]) -> dict[str, object]:
        outcomes = await asyncio.gather(*[OrderProcessing().run(order=o) for o in orders], return_exceptions=True)
        statuses: dict[str, list[int]] = {}
        for o, outcome in zip(orders, outcomes, strict=True):
            key = outcome["status"] if isinstance(outcome, dict) else "error"
            statuses.setdefault(key, []).append(o.id)
        return {"statuses": statuses, "count": len(orders)}


# ---- 12. state machine with instance attributes --------------------------------------------------------------------


@workflow(name="r_ticket")
class Ticket(Workflow):
    TRANSITIONS = (("open", "triage"), ("triage", "in_progress"), ("in_progress", "resolved"), ("resolved", "closed"))

    def move(self, to: str) -> None:
        if (self.state, to) not in self.TRANSITIONS:
            raise ValueError(f"cannot go from {self.state!r} to {to!r}")
        self.history.append(f"{self.state}->{to}")
        self.state = to

    async def run(self, steps: list[str]) -> dict[str, object]:
        self.state = "open"
        self.history: list[str] = []
        errors = []
        for step in steps:
            try:
                self.move(step)
            except ValueError as exc:
                errors.append(str(exc))
                continue
            await notify("team", f"ticket is now {self.state}")
            await asyncio.sleep(60)
        return {"state": self.state, "history": self.history, "errors": errors}


CASES = [
    case("order_ok", OrderProcessing, _order(1)),
    case("order_coupon", OrderProcessing, _order(2, "TENOFF", "39.95")),
    case("order_declined", OrderProcessing, _order(3, None, "400")),
    case(
        "order_no_stock",
        OrderProcessing,
        Order(
            id=4,
            customer="x",
            items=[
                LineItem(sku="pen", qty=2, unit_price=Decimal("1")),
                LineItem(sku="ink", qty=50, unit_price=Decimal("2")),
            ],
        ),
    ),
    case("etl", Etl, "crm", 3),
    case("report", Report, ["eu", "us", "mars", "apac"]),
    case(
        "approval_ok",
        Approval,
        "REQ-7",
        250,
        ["ana", "bo"],
        signals=[
            Signal("vote", {"by": "bo", "approve": True}, at=10),
            Signal("vote", {"by": "eve", "approve": False}, at=20),
            Signal("vote", {"by": "ana", "approve": True}, at=30),
        ],
    ),
    case(
        "approval_rejected",
        Approval,
        "REQ-8",
        900,
        ["ana", "bo"],
        signals=[Signal("vote", {"by": "ana", "approve": False}, at=5)],
    ),
    case(
        "approval_expired",
        Approval,
        "REQ-9",
        100,
        ["ana", "bo"],
        signals=[Signal("vote", {"by": "ana", "approve": True}, at=5)],
    ),
    case("saga_ok", TripSaga, {"id": 1, "legs": ["flight", "hotel"], "price": "420.50"}),
    case("saga_stock", TripSaga, {"id": 2, "legs": ["flight", "gone-hotel", "car"], "price": "100"}),
    case("saga_payment", TripSaga, {"id": 3, "legs": ["flight", "hotel"], "price": "4200"}),
    case("renewals", Renewals, date(2024, 1, 31), 1, date(2024, 6, 15)),
    case("renewals_year", Renewals, date(2023, 2, 28), 12, date(2025, 3, 1)),
    case(
        "invoice_usd",
        Invoice,
        [
            {"name": "Consulting hours", "price": "95.50", "qty": "12"},
            {"name": "Travel", "price": "123.456", "qty": "1"},
        ],
        "USD",
    ),
    case("invoice_gbp", Invoice, [{"name": "Licence", "price": "0.333", "qty": "3"}], "GBP"),
    case(
        "text_stats",
        TextStats,
        "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox (quick!) runs away, quick quick.",
        4,
    ),
    case("reconcile", Reconcile, [40, 8, 16, 3, 100, 3, 64, 9, 1000, 1], [16, 2, 1000, 77, 5, 9]),
    case("poll_ready", PollUntilReady, "us", 5),
    case("poll_never", PollUntilReady, "apac", 3),
    case("batch_orders", BatchOrders, [_order(10), _order(11, "TENOFF", "600"), _order(12)]),
    case("ticket", Ticket, ["triage", "resolved", "in_progress", "resolved", "closed"]),
]
