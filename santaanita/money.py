"""Money as people in Lima read it: ``S/ 1,234.50`` and ``US$ 1,234.50``.

Amounts are ``Decimal`` everywhere (a float cannot hold 0.10 exactly, and sums of pledges
must match the receipts to the cent). Formatting goes through Django's number formatting,
so the active locale's separators apply (``santaanita/formats/es_PE``: comma for thousands,
point for decimals). Knows no domain: the currency codes are ISO 4217.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

CENT = Decimal("0.01")
SYMBOLS = {"PEN": "S/", "USD": "US$"}


def to_decimal(value: object) -> Decimal:
    """A Decimal from an int, a Decimal or a numeric string; floats are refused on purpose."""
    if isinstance(value, float):
        raise TypeError("Money is never a float; pass a Decimal or a string.")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"Not an amount: {value!r}") from exc


def quantize_cents(value: Decimal) -> Decimal:
    """Round half up to the cent, as banks and SUNAT receipts do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: object, currency: str = "PEN") -> str:
    if amount is None or amount == "":
        return ""
    value = quantize_cents(to_decimal(amount))
    symbol = SYMBOLS.get(currency, currency)
    number = number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{symbol}\N{NO-BREAK SPACE}{number}"
