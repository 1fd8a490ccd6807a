"""Money: ISO 4217 currency codes and amounts as Decimals (never floats).

Amounts typed by people are parsed strictly: ASCII digits with at most one decimal point and no
more decimals than the currency has (EUR 2, JPY 0, BHD 3). "1e3", "NaN", "12,50", "-5" and
"1 000" are refused with a message that says how to write the amount instead.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

# Active ISO 4217 codes that name money people spend (no precious metals, fund or test codes),
# with the number of decimals of their minor unit.
_MINOR_UNITS: dict[int, str] = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
_TWO_DECIMALS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP "
    "LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR "
    "NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
    "SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR "
    "ZMW ZWG"
)

CURRENCIES: dict[str, int] = {code: 2 for code in _TWO_DECIMALS.split()}
for _digits, _codes in _MINOR_UNITS.items():
    CURRENCIES.update({code: _digits for code in _codes.split()})

MAX_INTEGER_DIGITS = 10  # up to 9 999 999 999 in any currency; the column holds 14 digits + 4
STORAGE_PLACES = Decimal("0.0001")  # the database column's scale (Numeric(18, 4))

_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_CODE = re.compile(r"^[A-Za-z]{3}$")


class MoneyError(ValueError):
    """A bad amount or currency; the message is fit to show a person."""


def currency_code(text: str | None, allowed: tuple[str, ...] = ()) -> str:
    """The upper-case ISO 4217 code, or MoneyError saying what is wrong."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        raise MoneyError("Please give the currency as a three-letter ISO 4217 code, like EUR or USD.")
    shown = raw if len(raw) <= 12 else raw[:12] + "…"
    if not _CODE.match(raw):
        raise MoneyError(f"“{shown}” is not a currency code; use three letters like EUR, USD or JPY.")
    code = raw.upper()
    if code not in CURRENCIES:
        raise MoneyError(f"{code} is not an ISO 4217 currency code; use one like EUR, USD or JPY.")
    if allowed and code not in allowed:
        raise MoneyError(f"This program accepts requests in {', '.join(allowed)} only.")
    return code


def parse_amount(text: str | None, currency: str) -> Decimal:
    """A positive Decimal with no more decimals than `currency` has, or MoneyError."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        raise MoneyError("Please give the amount, like 125.50.")
    shown = raw if len(raw) <= 20 else raw[:20] + "…"
    digits = CURRENCIES.get(currency, 2)
    if raw.startswith("-"):
        raise MoneyError("The amount must be more than zero.")
    if "," in raw:
        raise MoneyError(
            f"“{shown}”: use a dot for decimals and no thousands separators, like 1250.50 (not 1.250,50)."
        )
    if not _AMOUNT.match(raw):
        raise MoneyError(
            f"“{shown}” is not an amount; write digits with at most one decimal point, like 125.50 "
            "(no letters, exponents, spaces or currency signs)."
        )
    whole, _, fraction = raw.partition(".")
    if len(fraction) > digits:
        if digits == 0:
            raise MoneyError(f"{currency} has no decimals; give a whole number like 1200.")
        raise MoneyError(f"{currency} amounts have at most {digits} decimals, like {'1.' + '5' * digits}.")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise MoneyError("That amount is too large for a request.")
    amount = Decimal(raw)
    if amount <= 0:
        raise MoneyError("The amount must be more than zero.")
    return amount


def config_amount(value: object) -> Decimal:
    """An amount written in the config file: a string ("500.00") or an integer, never a float."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError('write amounts as strings, like "500.00" (floats are not exact)')
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, Decimal):
        value = format(value, "f")
    if not isinstance(value, str):
        raise ValueError('write amounts as strings, like "500.00"')
    try:
        return parse_amount(value, "XXX")
    except MoneyError as err:
        raise ValueError(str(err)) from None


def fmt(amount: Decimal | None, currency: str | None) -> str:
    """ "1,250.50 EUR": the currency's own decimals, thousands grouped."""
    if amount is None:
        return "—"
    digits = CURRENCIES.get(currency or "", 2)
    q = amount.quantize(Decimal(1).scaleb(-digits)) if digits else amount.quantize(Decimal(1))
    return f"{q:,} {currency}".strip()


def normalized(amount: Decimal) -> Decimal:
    """The amount at the database's scale, so values compare equal on every engine."""
    return amount.quantize(STORAGE_PLACES)
