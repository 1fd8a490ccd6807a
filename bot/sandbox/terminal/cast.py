"""Who and what is in the sandbox: its people, channels, forum topics and the bot's settings."""

from __future__ import annotations

from bot.config import Settings, settings_from_mapping
from bot.sandbox.discourse import DiscourseStandIn
from bot.sandbox.slack import SlackStandIn
from bot.sandbox.world import Secrets, add_topic, build_standins, platform_sections

SIGNING_SECRET = "sandbox-signing-secret"  # noqa: S105 - sandbox-only credentials
BOT_TOKEN = "xoxb-sandbox"  # noqa: S105
FORUM_KEY = "sandbox-forum-key"
WEBHOOK_SECRET = "sandbox-webhook-secret"  # noqa: S105
SECRETS = Secrets(BOT_TOKEN, SIGNING_SECRET, FORUM_KEY, WEBHOOK_SECRET)

# name -> (Slack user id, forum username, moderator?); a Slack id "" is someone only on the forum.
PEOPLE: dict[str, tuple[str, str, bool]] = {
    "alice": ("U0ALICE", "alice", False),
    "bob": ("U0BOB", "bob", False),
    "carol": ("U0CAROL", "carol", True),
    "dave": ("", "dave", False),
}
CHANNELS = {"C0MODS": "moderators", "C0AMBS": "ambassadors", "C0GENERAL": "general"}
BADGE_ID, GROUP = 101, "ambassadors"
INTRO_TOPIC, GENERAL_TOPIC = 20, 21

EVENTS = [
    {
        "key": "monthly-meetup",
        "title": "Monthly ambassador meetup",
        "rrule": "FREQ=MONTHLY;BYDAY=1TH",
        "start": "2026-01-01T17:00",
        "timezone": "Europe/London",
        "host": "U0CAROL",
        "link": "https://meet.example.org/ambassadors",
        "reminders": ["7d", "1d", "1h"],
    },
    {
        "key": "office-hours",
        "title": "Advocates' office hours",
        "kind": "office_hours",
        "rrule": "FREQ=WEEKLY;BYDAY=TU,TH",
        "start": "2026-01-06T15:00",
        "timezone": "America/Los_Angeles",
        "slot_minutes": 20,
        "host": "U0CAROL",
        "reminders": ["1h"],
    },
]


def sandbox_settings(db_url: str, slack_url: str, forum_url: str) -> Settings:
    moderators = [uid for uid, _f, mod in PEOPLE.values() if mod and uid]
    sections = platform_sections(slack_url, forum_url, SECRETS, moderators, "C0MODS", BADGE_ID, GROUP)
    sections["slack"]["ambassador_channel"] = "C0AMBS"
    sections["discourse"]["intro_topic_id"] = INTRO_TOPIC
    return settings_from_mapping(
        {
            "database": {"url": db_url},
            **sections,
            "program": {"guidelines_url": "https://example.org/ambassador-guidelines"},
            "events": EVENTS,
            "outbox": {
                "poll_seconds": 0.2,
                "lease_seconds": 10,
                "base_backoff_seconds": 1,
                "max_backoff_seconds": 10,
            },
        },
        env={},
    )


def make_standins() -> tuple[SlackStandIn, DiscourseStandIn]:
    slack, forum = build_standins(
        SECRETS,
        slack_users=((uid, name) for name, (uid, _f, _m) in PEOPLE.items() if uid),
        channels=CHANNELS.items(),
        forum_users=((username, None) for _uid, username, _m in PEOPLE.values()),
        badges=(("Ambassador", BADGE_ID), ("Speaker", None)),
        group=(GROUP, None),
    )
    for topic_id, title in ((INTRO_TOPIC, "Introduce yourself"), (GENERAL_TOPIC, "General chat")):
        add_topic(forum, topic_id, title, slug=title.lower().replace(" ", "-"), category_id=4, user_id=-1)
    return slack, forum
