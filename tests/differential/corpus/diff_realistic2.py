"""More realistic workflows: onboarding with reminders, bulk sends in chunks, tiered Decimal pricing with class
constants, a sales report aggregated by compound keys."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import waymark
from pydantic import BaseModel
from waymark import Workflow, action, workflow
from waymark.testing import Signal

from .diffcase import case


class Customer(BaseModel):
    email: str
    name: str | None = None
    tier: str = "basic"
    signup: datetime


class Bounce(Exception):
    pass


class RateLimited(Exception):
    pass


@action(name="r2_send")
async def send(to: str, subject: str) -> str:
    if "bounce" in to:
        raise Bounce(f"{to} bounced")
    if to.startswith("slow"):
        raise RateLimited("try later")
    return f"sent:{to}"


@action(name="r2_prices")
async def prices(skus: list[str]) -> dict[str, str]:
    return {s: str(Decimal(len(s)) * Decimal("3.333")) for s in skus}


@workflow(name="r2_onboarding")
class Onboarding(Workflow):
    async def run(self, customer: Customer) -> dict[str, object]:
        email = customer.email.strip().lower()
        name = (customer.name or email.split("@")[0]).title()
        deadline = customer.signup + timedelta(days=3)
        reminders = 0
        verified = False
        while not verified and reminders < 3:
            await send(email, f"Welcome {name}, verify by {deadline:%Y-%m-%d}")
            try:
                await waymark.wait_for_signal("verified", timeout=86400)
                verified = True
            except TimeoutError:
                reminders += 1
        status = "active" if verified else "dormant"
        return {
            "email": email,
            "name": name,
            "status": status,
            "reminders": reminders,
            "deadline": deadline.isoformat(),
            "weekday": deadline.strftime("%a"),
        }


@workflow(name="r2_bulk")
class Bulk(Workflow):
    async def run(self, recipients: list[str], chunk: int) -> dict[str, object]:
        sent: list[str] = []
        failures: dict[str, list[str]] = {}
        retry: list[str] = []
        for i in range(0, len(recipients), chunk):
            batch = recipients[i : i + chunk]
            results = await asyncio.gather(*[send(r, "News") for r in batch], return_exceptions=True)
            for r, res in zip(batch, results, strict=True):
                if isinstance(res, BaseException):
                    failures.setdefault(type(res).__name__, []).append(r)
                    if isinstance(res, RateLimited):
                        retry.append(r)
                else:
                    sent.append(res)
            await asyncio.sleep(1)
        summary = ", ".join(f"{k}: {len(v)}" for k, v in sorted(failures.items()))
        return {
            "sent": len(sent),
            "failures": failures,
            "retry": retry,
            "summary": summary,
            "rate": f"{len(sent) / len(recipients):.1%}",
        }


@workflow(name="r2_pricing")
class Pricing(Workflow):
    TIERS = ((Decimal("100"), Decimal("0.05")), (Decimal("500"), Decimal("0.10")))

    def discount(self, subtotal: Decimal) -> Decimal:
        rate = Decimal("0")
        for threshold, r in self.TIERS:
            if subtotal >= threshold:
                rate = r
        return rate

    async def run(self, cart: dict[str, int]) -> dict[str, object]:
        table = await prices(sorted(cart))
        lines = []
        subtotal = Decimal("0.00")
        for sku, qty in sorted(cart.items()):
            unit = Decimal(table[sku])
            line = (unit * qty).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            subtotal += line
            lines.append(f"{sku:<10}{qty:>3} x {unit:>8} = {line:>9}")
        rate = self.discount(subtotal)
        discount = (subtotal * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total = subtotal - discount
        return {
            "lines": lines,
            "subtotal": subtotal,
            "rate": f"{rate:.0%}",
            "discount": discount,
            "total": total,
            "total_str": f"EUR {total:,.2f}",
            "cents": int(total * 100),
        }


@workflow(name="r2_report")
class Report(Workflow):
    def order_key(self, row: dict[str, object]) -> tuple[object, ...]:
        return (-row["revenue"], row["region"], row["product"])

    async def run(self, sales: list[dict[str, object]]) -> list[str]:
        agg: dict[tuple[str, str], dict[str, float]] = {}
        for s in sales:
            k = (s["region"], s["product"])
            cell = agg.setdefault(k, {"units": 0, "revenue": 0.0})
            cell["units"] += s["units"]
            cell["revenue"] += s["units"] * s["price"]
        rows = [{"region": r, "product": p, **v} for (r, p), v in agg.items()]
        rows.sort(key=self.order_key)
        total = sum(r["revenue"] for r in rows)
        out = []
        for r in rows:
            share = r["revenue"] / total * 100 if total else 0
            out.append(f"{r['region']}/{r['product']}: {r['units']} units, {r['revenue']:.2f} ({round(share, 1)}%)")
        return out


CASES = [
    case("onboarding_dormant", Onboarding, Customer(email=" Ana@Example.COM ", signup=datetime(2024, 2, 27, 9, 30))),
    case(
        "onboarding_verified",
        Onboarding,
        Customer(email="bo@x.io", name="bo smith", signup=datetime(2024, 12, 30)),
        signals=[Signal("verified", True, at=90000)],
    ),
    case("bulk", Bulk, ["a@x", "bounce@x", "slow@x", "b@x", "c@x", "bounce2@x", "d@x"], 3),
    case("pricing", Pricing, {"widget": 30, "gadget": 12, "bolt": 200}),
    case("pricing_small", Pricing, {"pin": 3}),
    case(
        "report",
        Report,
        [
            {"region": "eu", "product": "a", "units": 3, "price": 9.99},
            {"region": "us", "product": "b", "units": 1, "price": 120.0},
            {"region": "eu", "product": "a", "units": 2, "price": 9.99},
            {"region": "eu", "product": "c", "units": 10, "price": 1.5},
        ],
    ),
]
