"""``sandbox --config FILE``: try your own program (onboarding steps, reminders, events, groups,
request budgets …) in the sandbox. Everything that connects the bot to the platforms stays the
sandbox's own — its stand-ins' URLs, tokens, secrets, moderators, channels, badge and group — so a
real workspace or forum is never called from the sandbox."""

from __future__ import annotations

from typing import Any

from bot.config import Settings

# Whole sections that are the platform connection (or the sandbox's own machinery).
PLATFORM_SECTIONS = frozenset({"server", "database", "slack", "outbox"})
# [discourse] keys that are the connection; the rest (the nightly sync hour) is the program's.
PLATFORM_DISCOURSE_KEYS = frozenset(
    {
        "url",
        "api_key",
        "api_username",
        "webhook_secret",
        "intro_topic_id",
        "intro_category_id",
        "ambassador_badge_id",
        "ambassador_group",
        "admin_requests_per_minute",
        "timeout_seconds",
    }
)


def with_program(sandbox: Settings, mine: Settings) -> Settings:
    """The sandbox's settings with the program parts of ``mine``."""
    data: dict[str, Any] = sandbox.model_dump()
    theirs: dict[str, Any] = mine.model_dump()
    for section, values in theirs.items():
        if section in PLATFORM_SECTIONS:
            continue
        if section == "discourse":
            data[section].update({k: v for k, v in values.items() if k not in PLATFORM_DISCOURSE_KEYS})
        else:
            data[section] = values
    return Settings.model_validate(data)
