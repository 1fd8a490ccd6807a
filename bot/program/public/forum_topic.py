"""The forum's directory topic: the first post of `discourse.directory_topic_id` (a wiki post),
kept in step with the public directory — the same people, with the same fields, as
/program/ambassadors (`listed_ambassadors`).

How it stays in step, and why this way:
- A sweep (every few seconds to a minute, see `sweep_seconds`) draws the post and compares its
  hash with the one this process last queued. Every way the directory can change (an opt-in,
  a field, a lapse to alumni, a forget, a home group) changes the drawn post, so none needs a hook
  of its own, and a change made while the bot was down is seen at the next start. The drawing
  (about 0.1 s for 2 000 listed people) is skipped while the directory's cheap fingerprint
  (`uow.public.version()`, the pages' ETag) stays as it was, except every `FULL_CHECK_EVERY`th
  sweep, which draws anyway: a change the fingerprint cannot see waits ten sweeps at most.
- A change queues one outbox row per topic and *window* (`directory_topic_interval_seconds`),
  due at the window's end: a burst of changes is one edit, edits are at least a window apart, and
  the row's key is claimed in the database (`deliveries.first_time`) in the same transaction, so
  a restart or another replica never queues the window twice.
- The row carries no text: the deliverer draws the post again when it delivers, so a retry after
  an outage sends today's directory (a person forgotten in the meantime is not put back), and it
  leaves the forum's post alone when it already says that.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.config import Settings
from bot.program import outbox
from bot.program.ports import Clock
from bot.program.text import plural
from storage.uow import UnitOfWork

log = logging.getLogger("ambassador_bot.directory_topic")

# Discourse refuses a post longer than its `max_post_length` site setting (32 000 characters by
# default, config/site_settings.yml): past it the post lists whom it can and points to the page.
MAX_POST_CHARS = 32_000
EDIT_REASON = "Directory updated by the ambassador bot"
KEY_PREFIX = "directory-topic"
FULL_CHECK_EVERY = 10

# User text must stay text: no headings, emphasis, links, HTML, tables, strikethrough or
# @mentions (a mention would notify the person at every edit that adds it back).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&@])")


class Listed(Protocol):
    """What one listed person chose to show (bot.program.public.directory.PublicAmbassador);
    None for a field not chosen."""

    @property
    def name(self) -> str | None: ...
    @property
    def location(self) -> str | None: ...
    @property
    def expertise(self) -> str | None: ...
    @property
    def helps_with(self) -> str | None: ...
    @property
    def contact(self) -> str | None: ...
    @property
    def home_group(self) -> str | None: ...


ListedSource = Callable[[UnitOfWork, Settings], Awaitable[Sequence[Listed]]]


@dataclass(frozen=True)
class DirectoryPost:
    """The post's Markdown and the edit reason the forum's revision history shows."""

    raw: str
    reason: str = EDIT_REASON

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw.strip().encode("utf-8")).hexdigest()


def md_text(text: str) -> str:
    """One line of Markdown-safe text."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


_FIELDS = (
    ("location", "Location"),
    ("expertise", "Expertise"),
    ("helps_with", "Can help with"),
    ("contact", "How to reach"),
    ("home_group", "Home user group"),
)


def _section(person: Listed) -> str:
    lines = ["", f"## {md_text(person.name) if person.name else 'An ambassador'}", ""]
    for attr, label in _FIELDS:
        value = getattr(person, attr)
        if value:
            lines.append(f"- **{label}:** {md_text(value)}")
    return "\n".join(lines) + "\n"


def topic_markdown(
    people: Sequence[Listed], *, program: str, directory_url: str = "", limit: int = MAX_POST_CHARS
) -> str:
    """The whole post: a header, then one section per person in the order given; sections that
    would take it past `limit` characters are left out and counted at the end."""
    count = len(people)
    header = [f"# {md_text(program)}: ambassadors", ""]
    if count:
        verb = "is" if count == 1 else "are"
        header.append(f"{plural(count, 'ambassador')} {verb} happy to help: reach out to them directly.")
    else:
        header.append("No ambassador is listed yet.")
    if directory_url:
        header += ["", f"The full directory, searchable by expertise and place: {directory_url}"]
    header += [
        "",
        "<small>Kept up to date by the ambassador bot from what each ambassador chose to list on "
        "their profile; edits made here are replaced at its next update.</small>",
        "",
    ]
    text = "\n".join(header)
    for shown, person in enumerate(people):
        section = _section(person)
        after = count - shown - 1  # people still to come once this one is in
        room_for_note = len(_more(after, directory_url)) if after else 0
        if len(text) + len(section) + room_for_note > limit:
            return (text + _more(count - shown, directory_url)).strip() + "\n"
        text += section
    return text.strip() + "\n"


def _more(left: int, directory_url: str) -> str:
    where = f" in the full directory: {directory_url}" if directory_url else ", too many for one post"
    return f"\n…and {plural(left, 'more ambassador')}{where}.\n"


def window_of(now: datetime, seconds: int) -> tuple[int, datetime]:
    """The number of the edit window `now` falls in, and when it ends (windows are counted from
    the Unix epoch, so every replica agrees on them)."""
    number = int(now.timestamp()) // seconds
    return number, datetime.fromtimestamp((number + 1) * seconds, UTC)


class DirectoryTopic:
    """Draws the directory topic's post, and queues its edit when the directory changed."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        clock: Clock,
        source: ListedSource,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._clock = clock
        self._source = source
        self._queued: str | None = None  # the hash of the post this process last queued an edit for
        self._version: tuple[object, ...] | None = None  # the fingerprint when that was settled
        self._unchanged = 0  # sweeps skipped since the last drawing

    @property
    def topic_id(self) -> int | None:
        d = self._settings.discourse
        return d.directory_topic_id if d.enabled else None

    @property
    def sweep_seconds(self) -> float:
        """How often the sweep looks: a fifth of the window, between one second and a minute."""
        return float(max(1, min(60, self._settings.discourse.directory_topic_interval_seconds // 5)))

    def directory_url(self) -> str:
        """The web directory's address, when the bot serves the public pages."""
        if not self._settings.web.public_pages:
            return ""
        return self._settings.server.public_url.rstrip("/") + "/program/ambassadors"

    async def post(self) -> DirectoryPost:
        async with self._uow() as uow:
            people = await self._source(uow, self._settings)
        raw = topic_markdown(people, program=self._settings.program.name, directory_url=self.directory_url())
        return DirectoryPost(raw)

    async def sweep(self) -> bool:
        """Queue the edit of this window if the post changed since the last one queued here;
        True when a row was queued."""
        topic_id = self.topic_id
        if topic_id is None:
            return False
        async with self._uow() as uow:
            version = await uow.public.version()
        if version == self._version and self._unchanged < FULL_CHECK_EVERY - 1:
            self._unchanged += 1
            return False
        self._unchanged = 0
        drawn = await self.post()
        if drawn.sha256 == self._queued:
            self._version = version
            return False
        now = self._clock.now()
        number, ends = window_of(now, self._settings.discourse.directory_topic_interval_seconds)
        key = f"{KEY_PREFIX}:{topic_id}:{number}"
        async with self._uow() as uow:
            if not await uow.deliveries.first_time("job", key, now):
                # This window's edit is queued already (here before a restart, or by another
                # replica); it draws the post when it is delivered. The next window looks again.
                return False
            await outbox.queue(uow, key, outbox.DISCOURSE_EDIT_DIRECTORY, {"topic_id": topic_id}, ends)
        self._queued, self._version = drawn.sha256, version
        log.info("directory topic %s: edit queued, due at %s UTC", topic_id, f"{ends:%H:%M:%S}")
        return True
