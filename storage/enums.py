"""Closed sets of values that the program decides and storage keeps, spelled once.

Each is a `StrEnum`, so a member is stored and compared as its plain text ("slack") and the rows
already written stay valid; a typo becomes an error mypy catches instead of a record no query finds.
"""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where something happened: the audit trail's `platform`, the source of an inbound
    delivery, the platform a checklist step was ticked on."""

    SLACK = "slack"
    DISCOURSE = "discourse"
    CLI = "cli"  # an operator at the command line (ambassador-bot …)
    BOT = "bot"  # the bot itself, e.g. a scheduled sweep
