"""The fields of each kind of request form, in the order the form shows them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.program.applications.form import FieldSpec


@dataclass(frozen=True)
class RequestField(FieldSpec):
    """A form field (as the application's) with the kind of value it takes."""

    type: str = "text"  # text | url | date | amount | currency | count | file


FIELDS: dict[str, tuple[RequestField, ...]] = {
    "hardware": (
        RequestField(
            "items", "Items", 2000, multiline=True, hint="One per line, e.g. 2 × Raspberry Pi 5 (8 GB)"
        ),
        RequestField("purpose", "What is it for?", 2000, multiline=True),
        RequestField("link", "Event or project link", 500, type="url", hint="https://…"),
        RequestField("shipping_country", "Shipping country", 100),
        RequestField("needed_by", "Date needed", 10, type="date"),
        RequestField(
            "amount",
            "Estimated cost",
            24,
            required=False,
            type="amount",
            hint="Digits and a dot, e.g. 240.00",
        ),
        RequestField(
            "currency",
            "Currency of the estimate",
            3,
            required=False,
            type="currency",
            hint="ISO 4217, e.g. EUR",
        ),
    ),
    "expense": (
        RequestField("amount", "Amount", 24, type="amount", hint="Digits and a dot, e.g. 125.50"),
        RequestField("currency", "Currency", 3, type="currency", hint="ISO 4217 code, e.g. EUR, USD, JPY"),
        RequestField("spent_on", "Date of the expense", 10, type="date"),
        RequestField("description", "What was it for?", 2000, multiline=True),
        RequestField(
            "receipt_url", "Receipt link", 500, required=False, type="url", hint="Or upload the file below"
        ),
        RequestField("receipt_file", "Receipt file", 0, required=False, type="file"),
    ),
    "swag": (
        RequestField("event", "Event", 200, hint="Name and date of the event"),
        RequestField("attendees", "Expected attendees", 7, type="count"),
        RequestField("address", "Shipping address", 1000, multiline=True),
    ),
}
