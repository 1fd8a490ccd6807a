"""How a call to a platform failed (raised by the ports' implementations); it decides what the
outbox worker, or a webhook handler, does next."""

from __future__ import annotations


class DeliveryError(Exception):
    pass


class RateLimited(DeliveryError):
    """The platform said 429; try again after `retry_after` seconds (its Retry-After)."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(f"{message} (retry after {retry_after:g}s)")
        self.retry_after = retry_after


class Transient(DeliveryError):
    """Outage, timeout, 5xx: retry with exponential backoff."""


class Permanent(DeliveryError):
    """The platform refused the request itself (bad id, no permission): retrying will not help."""
