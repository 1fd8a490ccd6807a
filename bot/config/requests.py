"""The `[requests]` section: hardware, expense and swag requests, their limits and budgets."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import field_validator

from bot.config.base import Section
from bot.program.money import MoneyError, config_amount, currency_code


class RequestKindSettings(Section):
    """Limits for one kind of request; amounts per ISO 4217 currency, written as strings."""

    enabled: bool = True
    # (pydantic copies a mutable default per instance; ruff cannot see that Section is a BaseModel)
    # A single request above this amount is refused when it is submitted.
    max_amount: dict[str, Decimal] = {}  # noqa: RUF012
    # Requests above this amount need two different moderators to approve them.
    two_approvers_above: dict[str, Decimal] = {}  # noqa: RUF012
    # Approved spend per calendar quarter (UTC); an approval that would go over it is refused.
    quarterly_budget: dict[str, Decimal] = {}  # noqa: RUF012

    @field_validator("max_amount", "two_approvers_above", "quarterly_budget", mode="before")
    @classmethod
    def _amounts(cls, v: Any) -> Any:
        if not isinstance(v, Mapping):
            return v
        out: dict[str, Decimal] = {}
        for code, amount in v.items():
            try:
                out[currency_code(str(code))] = config_amount(amount)
            except MoneyError as err:
                raise ValueError(str(err)) from None
            except ValueError as err:
                raise ValueError(f"{code}: {err}") from None
        return out


class RequestsSettings(Section):
    # Channel id where requests are reviewed; empty means slack.moderator_channel.
    review_channel: str = ""
    # Only active ambassadors may make requests (set false to let anyone in the workspace ask).
    ambassadors_only: bool = True
    # Currencies accepted (ISO 4217 codes); empty accepts every ISO 4217 currency.
    currencies: tuple[str, ...] = ()
    hardware: RequestKindSettings = RequestKindSettings()
    expense: RequestKindSettings = RequestKindSettings()
    swag: RequestKindSettings = RequestKindSettings()

    @field_validator("currencies")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        try:
            return tuple(currency_code(c) for c in v)
        except MoneyError as err:
            raise ValueError(str(err)) from None

    def kind(self, name: str) -> RequestKindSettings:
        settings: RequestKindSettings = getattr(self, name)
        return settings
