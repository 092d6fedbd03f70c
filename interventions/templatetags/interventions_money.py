"""``{{ amount|money }}`` → ``S/ 1,234.50``; ``{{ amount|money:"USD" }}`` → ``US$ 1,234.50``."""

from __future__ import annotations

from django import template

from santaanita.money import format_money

register = template.Library()


@register.filter
def money(amount: object, currency: str = "PEN") -> str:
    return format_money(amount, currency or "PEN")


@register.filter
def percent_width(value: object) -> int:
    """A bar width (0-100) for the SVG charts, clamped so a target exceeded draws full."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, round(number)))
