"""Delivery errors live beside the ports in bot.program.failures; re-exported for the adapters."""

from bot.program.failures import DeliveryError, Permanent, RateLimited, Transient

__all__ = ["DeliveryError", "Permanent", "RateLimited", "Transient"]
