"""Block Kit of events: the typed reminder, cancellation and booking messages (`templates()`),
the answers to `/ambassador events` and `office-hours`, the event series form and the renewal form
(opened from the renewal reminder in terms.views)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.program.events.messages import (
    BookingCancelled,
    BookingConfirmed,
    BookingForHost,
    BookingReminder,
    EventCancelled,
    EventReminder,
)
from bot.program.events.office_hours import Slot
from bot.program.events.series import Occurrence, occurrence_key
from bot.program.home.messages import HomeEvent
from handlers.slack.blocks import (
    Block,
    MessageRenderer,
    button,
    context,
    escape,
    input_block,
    section,
    text_input,
    typed,
)

RSVP_PREFIX = "event_rsvp_"
RSVP_LABELS = {"going": "Going", "maybe": "Maybe", "no": "Not going"}
BOOK = "office_hours_book"
CANCEL_BOOKING = "office_hours_cancel"
RENEW = "renewal_start"
RENEWAL_VIEW = "renewal_submit"
EVENT_VIEW = "event_form_submit"


@dataclass(frozen=True)
class FormSpec:
    """A text field of this feature's forms (a `blocks.FormField`)."""

    key: str
    label: str
    hint: str = ""
    required: bool = False
    max_len: int = 300
    multiline: bool = False


EVENT_FIELDS: tuple[FormSpec, ...] = (
    FormSpec("key", "Key (short id, e.g. monthly-meetup)", required=True),
    FormSpec("title", "Title", required=True),
    FormSpec("kind", "Kind: meetup or office_hours", "meetup", required=True),
    FormSpec(
        "rrule", "Recurrence (RRULE)", "e.g. FREQ=MONTHLY;BYDAY=1TH;UNTIL=20271224T000000Z", required=True
    ),
    FormSpec("start", "First occurrence, local time", "e.g. 2026-01-01 17:00", required=True),
    FormSpec("timezone", "Timezone", "e.g. Europe/London", required=True),
    FormSpec("duration_minutes", "Duration in minutes", "60", required=True),
    FormSpec("link", "Link (video call, agenda)"),
    FormSpec("host", "Host"),
    FormSpec("slack_channel", "Channel id for reminders", "default: the ambassadors' channel"),
    FormSpec("reminders", "Reminders before the start", "e.g. 7d,1d,1h"),
    FormSpec("slot_minutes", "Office hours: 1-to-1 slot length in minutes"),
)
RENEWAL_FIELDS: tuple[FormSpec, ...] = (
    FormSpec("reaffirm", "Do you re-affirm the ambassador guidelines? (yes)", required=True, max_len=20),
    FormSpec(
        "plans", "What will you focus on in your next term?", required=True, max_len=3000, multiline=True
    ),
)
USER_FIELDS = frozenset({"host"})  # picked with users_select


def when(iso_or_dt: str | datetime, tz: str | None = None, reader_tz: str | None = None) -> str:
    """A time as Slack shows it to each reader, in the reader's own timezone (the ``<!date^…>``
    token with ``{date_short_pretty}`` and ``{time}``, https://api.slack.com/reference/surfaces/
    formatting#date-formatting), with the event's zone `tz` beside it. The fallback (shown where
    the token cannot be drawn) is the same wall time: in `reader_tz` when the reader is known,
    else in the event's zone, else UTC."""
    dt = datetime.fromisoformat(iso_or_dt) if isinstance(iso_or_dt, str) else iso_or_dt
    local = dt.astimezone(_zone(reader_tz) or _zone(tz) or UTC)
    token = f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} {{time}}|{local:%a %d %b %Y %H:%M}>"
    return f"{token} ({escape(tz or 'UTC')})"


def _zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone `name`, or None when there is none or it is not one (a reader's profile may
    carry a zone this machine's tz database lacks)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _counts_line(counts: Mapping[str, int]) -> str:
    return " · ".join(f"{RSVP_LABELS[a]}: {int(counts.get(a, 0))}" for a in RSVP_LABELS)


def _joined(*parts: str) -> list[Block]:
    """The context line under a message (join link, host), when there is anything to say."""
    shown = [p for p in parts if p]
    return [context(" · ".join(shown))] if shown else []


def _join(link: str) -> str:
    return f"Join: {link}" if link else ""


def event_reminder(msg: EventReminder) -> tuple[str, list[Block]]:
    text = f"Reminder: *{escape(msg.title)}* starts {when(msg.start, msg.timezone)}"
    out: list[Block] = [section(text), *_joined(_join(msg.link), f"Host: <@{msg.host}>" if msg.host else "")]
    out.append(rsvp_buttons(msg.series_id, msg.occurrence, "going"))
    out.append(context(_counts_line(msg.counts)))
    return text, out


def rsvp_buttons(series_id: int, occurrence: str, marked: str | None, prefix: str = "rsvp") -> Block:
    """The Going / Maybe / Not going buttons of one occurrence; `marked` is drawn as the primary
    one (the channel reminder marks Going, the Home tab the viewer's own answer)."""
    value = f"{series_id}|{occurrence}"
    return {
        "type": "actions",
        "block_id": f"{prefix}_{value}",
        "elements": [
            button(label, f"{RSVP_PREFIX}{answer}", value, "primary" if answer == marked else None)
            for answer, label in RSVP_LABELS.items()
        ],
    }


def home_events(events: Sequence[HomeEvent], empty: str) -> list[Block]:
    """The Home tab's upcoming events: each with the viewer's answer and the RSVP buttons (a
    cancelled one has none)."""
    if not events:
        return [section(f"*Upcoming events*\n{empty}")]
    out = [section("*Upcoming events* (times shown in your own timezone)")]
    for e in events:
        line = f"*{escape(e.title)}* — {when(e.start, e.timezone)}"
        if e.status == "cancelled":
            out.append(section(f"{line} ❌ cancelled"))
            continue
        if e.link:
            line += f" · <{e.link}|join>"
        answer = f"Your answer: *{RSVP_LABELS[e.answer]}*" if e.answer in RSVP_LABELS else "Not answered yet."
        out += [section(f"{line}\n{answer}"), rsvp_buttons(e.series_id, e.occurrence, e.answer, "home_rsvp")]
    return out


def with_counts(message_blocks: Sequence[Block], counts: Mapping[str, int]) -> list[Block]:
    """The same reminder with fresh RSVP counts (its last block)."""
    out = [dict(b) for b in message_blocks]
    if out and out[-1].get("type") == "context":
        out[-1] = context(_counts_line(counts))
    return out


def event_cancelled(msg: EventCancelled) -> tuple[str, list[Block]]:
    text = f"❌ *{escape(msg.title)}* on {when(msg.start, msg.timezone)} is cancelled."
    if msg.reason:
        text += f" {escape(msg.reason)}"
    return text, [section(text)]


def booking_confirmed(msg: BookingConfirmed) -> tuple[str, list[Block]]:
    host = f" with <@{msg.host}>" if msg.host else ""
    text = (
        f"You booked a {msg.minutes}-minute slot at *{escape(msg.title)}* on "
        f"{when(msg.start, msg.timezone)}{host}."
    )
    cancel = button("Cancel booking", CANCEL_BOOKING, str(msg.booking_id))
    return text, [section(text), *_joined(_join(msg.link)), {"type": "actions", "elements": [cancel]}]


def booking_for_host(msg: BookingForHost) -> tuple[str, list[Block]]:
    text = (
        f"<@{msg.person}> booked a {msg.minutes}-minute slot of *{escape(msg.title)}* on "
        f"{when(msg.start, msg.timezone)}."
    )
    return text, [section(text)]


def booking_cancelled(msg: BookingCancelled) -> tuple[str, list[Block]]:
    text = (
        f"<@{msg.person}> cancelled their slot of *{escape(msg.title)}* on "
        f"{when(msg.start, msg.timezone)}; it is free again."
    )
    return text, [section(text)]


def booking_reminder(msg: BookingReminder) -> tuple[str, list[Block]]:
    if msg.to is None:  # a row queued before copies were addressed: name both sides
        people = " and ".join(f"<@{p}>" for p in (msg.person, msg.host) if p)
        other = f" between {people}" if people else ""
    else:
        other = f" with <@{msg.other}>" if msg.other else ""
    text = (
        f"⏰ Your office-hours slot{other} at *{escape(msg.title)}* starts {when(msg.start, msg.timezone)}."
    )
    return text, [section(text), *_joined(_join(msg.link))]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {
        EventReminder.kind: typed(EventReminder, event_reminder),
        EventCancelled.kind: typed(EventCancelled, event_cancelled),
        BookingConfirmed.kind: typed(BookingConfirmed, booking_confirmed),
        BookingForHost.kind: typed(BookingForHost, booking_for_host),
        BookingCancelled.kind: typed(BookingCancelled, booking_cancelled),
        BookingReminder.kind: typed(BookingReminder, booking_reminder),
    }


# -- answers to commands ---------------------------------------------------------------------------


def events_list(items: Sequence[Occurrence], reader_tz: str | None = None) -> tuple[str, list[Block]]:
    if not items:
        text = "No upcoming events. Moderators can add one with `/ambassador event add`."
        return text, [section(text)]
    lines = []
    for o in items:
        mark = {"cancelled": " ❌ cancelled", "skipped": " (skipped)"}.get(o.status, "")
        link = f" · <{o.link}|join>" if o.link and o.status == "scheduled" else ""
        lines.append(
            f"• *{escape(o.title)}* — {when(o.start, o.timezone, reader_tz)}{mark}{link}  `{o.series_key}`"
        )
    text = "Upcoming events (times shown in your own timezone):\n" + "\n".join(lines)
    return text, [section(text)]


def slots_message(slots: Sequence[Slot], reader_tz: str | None = None) -> tuple[str, list[Block]]:
    if not slots:
        text = "No free office-hours slots in the next two weeks."
        return text, [section(text)]
    text = "Free office-hours slots (times shown in your own timezone):"
    out: list[Block] = [section(text)]
    for slot in slots:
        host = f" with <@{slot.host}>" if slot.host else ""
        at = when(slot.start, slot.timezone, reader_tz)
        out.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{escape(slot.title)}*{host}\n{at} · {slot.minutes} min",
                },
                "accessory": button("Book", BOOK, f"{slot.series_id}|{occurrence_key(slot.start)}"),
            }
        )
    return text, out[:50]


def _form(
    callback_id: str, title: str, submit: str, blocks: list[Block], metadata: str | None = None
) -> Block:
    """A modal form of this feature, with its Cancel button."""
    view: Block = {"type": "modal", "callback_id": callback_id}
    if metadata is not None:
        view["private_metadata"] = metadata
    return view | {
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def renewal_modal() -> Block:
    return _form(
        RENEWAL_VIEW,
        "Renew your term",
        "Send renewal",
        [
            section("A short re-application: moderators review it and your term is extended."),
            *(input_block(spec, text_input(spec)) for spec in RENEWAL_FIELDS),
        ],
    )


def _event_element(spec: FormSpec, initial: str | None) -> Block:
    if spec.key not in USER_FIELDS:
        return text_input(spec, initial)
    # A person: Slack's user picker accepts only the workspace's members.
    element: Block = {"type": "users_select", "action_id": spec.key}
    if initial:
        element["initial_user"] = initial
    return element


def event_modal(values: Mapping[str, str] | None = None, editing: str | None = None) -> Block:
    out = [
        input_block(spec, _event_element(spec, (values or {}).get(spec.key)))
        for spec in EVENT_FIELDS
        if not (editing and spec.key == "key")
    ]
    title = "Edit event" if editing else "New event series"
    return _form(EVENT_VIEW, title, "Save", out, metadata=editing or "")
