"""Block Kit for meetups, office hours, reminders and renewals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.program.events import Occurrence, Slot
from handlers.slack.blocks import Block, MessageRenderer, button, context, escape, section

RSVP_PREFIX = "event_rsvp_"
RSVP_LABELS = {"going": "Going", "maybe": "Maybe", "no": "Not going"}
BOOK = "office_hours_book"
CANCEL_BOOKING = "office_hours_cancel"
RENEW = "renewal_start"
RENEWAL_VIEW = "renewal_submit"
EVENT_VIEW = "event_form_submit"

EVENT_FIELDS: tuple[tuple[str, str, str, bool], ...] = (
    ("key", "Key (short id, e.g. monthly-meetup)", "", True),
    ("title", "Title", "", True),
    ("kind", "Kind: meetup or office_hours", "meetup", True),
    ("rrule", "Recurrence (RRULE)", "e.g. FREQ=MONTHLY;BYDAY=1TH;UNTIL=20271224T000000Z", True),
    ("start", "First occurrence, local time", "e.g. 2026-01-01 17:00", True),
    ("timezone", "Timezone", "e.g. Europe/London", True),
    ("duration_minutes", "Duration in minutes", "60", True),
    ("link", "Link (video call, agenda)", "", False),
    ("host", "Host", "", False),
    ("slack_channel", "Channel id for reminders", "default: the ambassadors' channel", False),
    ("reminders", "Reminders before the start", "e.g. 7d,1d,1h", False),
    ("slot_minutes", "Office hours: 1-to-1 slot length in minutes", "", False),
)


USER_FIELDS = frozenset({"host"})  # picked with users_select


def when(iso_or_dt: str | datetime, tz: str | None = None) -> str:
    """A time every reader sees in their own timezone (Slack's date token), with a fallback."""
    dt = datetime.fromisoformat(iso_or_dt) if isinstance(iso_or_dt, str) else iso_or_dt
    local = dt.astimezone(ZoneInfo(tz)) if tz else dt.astimezone(UTC)
    fallback = f"{local:%a %d %b %Y %H:%M} {tz or 'UTC'}"
    return f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _counts_line(counts: Mapping[str, int]) -> str:
    return " · ".join(f"{RSVP_LABELS[a]}: {int(counts.get(a, 0))}" for a in RSVP_LABELS)


def event_reminder(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    title = escape(str(d["title"]))
    text = f"Reminder: *{title}* starts {when(str(d['start']), str(d.get('timezone') or ''))}"
    extra = []
    if d.get("link"):
        extra.append(f"Join: {d['link']}")
    if d.get("host"):
        extra.append(f"Host: <@{d['host']}>")
    value = f"{d['series_id']}|{d['occurrence']}"
    out: list[Block] = [section(text)]
    if extra:
        out.append(context(" · ".join(extra)))
    out.append(
        {
            "type": "actions",
            "block_id": f"rsvp_{value}",
            "elements": [
                button(label, f"{RSVP_PREFIX}{answer}", value, "primary" if answer == "going" else None)
                for answer, label in RSVP_LABELS.items()
            ],
        }
    )
    out.append(context(_counts_line(d.get("counts") or {})))
    return text, out


def with_counts(message_blocks: Sequence[Block], counts: Mapping[str, int]) -> list[Block]:
    """The same reminder with fresh RSVP counts (its last block)."""
    out = [dict(b) for b in message_blocks]
    if out and out[-1].get("type") == "context":
        out[-1] = context(_counts_line(counts))
    return out


def event_cancelled(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    start = when(str(d["start"]), str(d.get("timezone") or ""))
    text = f"❌ *{escape(str(d['title']))}* on {start} is cancelled."
    if d.get("reason"):
        text += f" {escape(str(d['reason']))}"
    return text, [section(text)]


def booking_confirmed(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    text = (
        f"You booked a {d['minutes']}-minute slot at *{escape(str(d['title']))}* on "
        f"{when(str(d['start']), str(d.get('timezone') or ''))}"
        + (f" with <@{d['host']}>" if d.get("host") else "")
        + "."
    )
    out = [section(text)]
    if d.get("link"):
        out.append(context(f"Join: {d['link']}"))
    out.append(
        {"type": "actions", "elements": [button("Cancel booking", CANCEL_BOOKING, str(d["booking_id"]))]}
    )
    return text, out


def booking_for_host(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    text = (
        f"<@{d['person']}> booked a {d['minutes']}-minute slot of *{escape(str(d['title']))}* on "
        f"{when(str(d['start']), str(d.get('timezone') or ''))}."
    )
    return text, [section(text)]


def booking_cancelled(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    text = (
        f"<@{d['person']}> cancelled their slot of *{escape(str(d['title']))}* on "
        f"{when(str(d['start']), str(d.get('timezone') or ''))}; it is free again."
    )
    return text, [section(text)]


def booking_reminder(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    other = f" with <@{d['person']}>" if d.get("person") else ""
    text = f"⏰ Your office-hours slot{other} at *{escape(str(d['title']))}* starts {when(str(d['start']))}."
    out = [section(text)]
    if d.get("link"):
        out.append(context(f"Join: {d['link']}"))
    return text, out


def renewal_reminder(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    end = datetime.fromisoformat(str(d["term_end"]))
    text = (
        f"Your term as an ambassador of {escape(str(d.get('program') or 'the program'))} ends on "
        f"{end:%Y-%m-%d} (in {d['days']} days). Renew to stay on: it takes a minute."
    )
    return text, [
        section(text),
        {"type": "actions", "elements": [button("Renew", RENEW, "renew", "primary")]},
    ]


def renewed(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    end = datetime.fromisoformat(str(d["term_end"]))
    text = f"🎉 Your ambassador term was renewed; it now runs until {end:%Y-%m-%d}. Thank you for staying on!"
    return text, [section(text)]


def onboarding_nudge(d: Mapping[str, Any]) -> tuple[str, list[Block]]:
    steps = "\n".join(f"⬜ {escape(str(s['title']))}" for s in d.get("steps") or [])
    name = escape(str(d.get("name") or ""))
    text = f"Hi {name}! A gentle reminder: these onboarding steps are still open:\n{steps}"
    return text, [section(text), context("`/ambassador onboarding` shows your checklist.")]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        "event_reminder": event_reminder,
        "event_cancelled": event_cancelled,
        "booking_confirmed": booking_confirmed,
        "booking_for_host": booking_for_host,
        "booking_cancelled": booking_cancelled,
        "booking_reminder": booking_reminder,
        "renewal_reminder": renewal_reminder,
        "renewed": renewed,
        "onboarding_nudge": onboarding_nudge,
    }


# -- answers to commands ---------------------------------------------------------------------------


def events_list(items: Sequence[Occurrence]) -> tuple[str, list[Block]]:
    if not items:
        text = "No upcoming events. Moderators can add one with `/ambassador event add`."
        return text, [section(text)]
    lines = []
    for o in items:
        mark = {"cancelled": " ❌ cancelled", "skipped": " (skipped)"}.get(o.status, "")
        link = f" · <{o.link}|join>" if o.link and o.status == "scheduled" else ""
        lines.append(f"• *{escape(o.title)}* — {when(o.start, o.timezone)}{mark}{link}  `{o.series_key}`")
    text = "Upcoming events (times shown in your own timezone):\n" + "\n".join(lines)
    return text, [section(text)]


def slots_message(slots: Sequence[Slot]) -> tuple[str, list[Block]]:
    if not slots:
        text = "No free office-hours slots in the next two weeks."
        return text, [section(text)]
    text = "Free office-hours slots (your timezone):"
    out: list[Block] = [section(text)]
    for slot in slots:
        host = f" with <@{slot.host}>" if slot.host else ""
        out.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{escape(slot.title)}*{host}\n{when(slot.start)} · {slot.minutes} min",
                },
                "accessory": button("Book", BOOK, f"{slot.series_id}|{slot.start.strftime('%Y%m%dT%H%MZ')}"),
            }
        )
    return text, out[:50]


def renewal_modal() -> Block:
    return {
        "type": "modal",
        "callback_id": RENEWAL_VIEW,
        "title": {"type": "plain_text", "text": "Renew your term"},
        "submit": {"type": "plain_text", "text": "Send renewal"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section("A short re-application: moderators review it and your term is extended."),
            {
                "type": "input",
                "block_id": "reaffirm",
                "label": {"type": "plain_text", "text": "Do you re-affirm the ambassador guidelines? (yes)"},
                "element": {"type": "plain_text_input", "action_id": "reaffirm", "max_length": 20},
            },
            {
                "type": "input",
                "block_id": "plans",
                "label": {"type": "plain_text", "text": "What will you focus on in your next term?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "plans",
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


def event_modal(values: Mapping[str, str] | None = None, editing: str | None = None) -> Block:
    out: list[Block] = []
    for key, label, hint, required in EVENT_FIELDS:
        if editing and key == "key":
            continue
        element: Block
        if key in USER_FIELDS:  # a person: Slack's user picker accepts only the workspace's members
            element = {"type": "users_select", "action_id": key}
            if values and values.get(key):
                element["initial_user"] = values[key]
        else:
            element = {"type": "plain_text_input", "action_id": key, "max_length": 300}
            if values and values.get(key):
                element["initial_value"] = values[key]
        block: Block = {
            "type": "input",
            "block_id": key,
            "label": {"type": "plain_text", "text": label},
            "element": element,
            "optional": not required,
        }
        if hint:
            block["hint"] = {"type": "plain_text", "text": hint}
        out.append(block)
    return {
        "type": "modal",
        "callback_id": EVENT_VIEW,
        "private_metadata": editing or "",
        "title": {"type": "plain_text", "text": "Edit event" if editing else "New event series"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": out,
    }
