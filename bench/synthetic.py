"""A deterministic synthetic program at a given scale (people, ambassadors, profiles, onboarding,
reminders, nominations, applications, audit rows), as rows ready for a bulk load: what the database
benchmarks (``db_scale``, ``mixed_traffic``) load with ``bench.db_scale.load``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.program.directory.search import search_text
from bot.sandbox.harness.directory_seed import synthetic
from bot.sandbox.harness.stack import MOD

CHUNK = 50_000
# The default settings the seeded reminders and next due moments follow (bot/config).
RENEWAL_DAYS = (60, 30, 7)
GRACE_DAYS = 14
NUDGE_AFTER_DAYS = 7
STEP_KEYS = (
    ("intro", "Introduce yourself"),
    ("guidelines", "Read the guidelines"),
    ("forum", "Link the forum"),
)

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Scale:
    label: str
    people: int
    active: int
    alumni: int
    audit: int


def scales(people: int, audit: int) -> list[Scale]:
    """The large database and a small one with the same proportions."""
    large = Scale("large", people, max(people // 20, 10), max(people // 100, 2), audit)
    small_people = max(people // 100, 200)
    small = Scale(
        "small",
        small_people,
        max(small_people // 20, 10),
        max(small_people // 100, 2),
        max(audit * small_people // people, 1000),
    )
    return [large, small]


# ---------------------------------------------------------------------------------------------- the data


TABLES: dict[str, tuple[str, ...]] = {
    "people": (
        "id",
        "slack_user_id",
        "forum_username",
        "forum_user_id",
        "forum_linked_at",
        "display_name",
        "timezone",
        "created_at",
    ),
    "applications": (
        "id",
        "person_id",
        "kind",
        "status",
        "pending_person_id",
        "name",
        "forum_username",
        "location",
        "timezone",
        "expertise",
        "links",
        "motivation",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "review_channel",
        "review_ts",
    ),
    "ambassadors": (
        "id",
        "person_id",
        "status",
        "term_start",
        "term_end",
        "application_id",
        "created_at",
        "updated_at",
        "term_due_at",
        "nudge_due_at",
    ),
    "profiles": (
        "id",
        "person_id",
        "bio",
        "expertise",
        "interests",
        "help_with",
        "contact",
        "timezone",
        "city",
        "country",
        "search_text",
        "updated_at",
    ),
    "onboarding_steps": (
        "id",
        "ambassador_id",
        "key",
        "title",
        "position",
        "completes",
        "completed_at",
        "completed_by",
    ),
    "reminders": ("id", "key", "kind", "status", "due_at", "decided_at", "detail"),
    "audit_log": (
        "id",
        "at",
        "actor",
        "platform",
        "action",
        "subject_type",
        "subject_id",
        "before",
        "after",
    ),
}
JSON_COLUMNS = {("reminders", "detail"), ("audit_log", "before"), ("audit_log", "after")}
PERSON_ACTIONS = (
    "profile.updated",
    "onboarding.step_completed",
    "forum.linked",
    "ambassador.term_extended",
    "badge.granted",
    "group.added",
    "nomination.created",
)
STATUS_BEFORE = json.dumps({"status": "pending"})
STATUS_AFTER = json.dumps({"status": "approved"})
FIELDS_AFTER = json.dumps({"fields": ["bio", "expertise"]})


class Program:
    """A deterministic synthetic program of a given scale, relative to ``now``.

    Persons 1..active are active ambassadors (terms spread over two years, all ending in the
    future), the next ``alumni`` are alumni (their lapse is in the audit log), the rest have no
    ambassador row. Every ambassador has an approved application and a directory profile; active
    ones have three onboarding steps (90 % complete). The reminders table holds, as in a bot that
    has been running, every decision due so far: renewal reminders, onboarding nudges and this
    week's digest. The audit log has ``audit`` rows spread over two years about people, their
    applications, nominations and reports.
    """

    def __init__(self, scale: Scale, now: datetime, digest_weekday: int, digest_hour: int) -> None:
        self.scale = scale
        self.now = now.replace(microsecond=0)
        self.digest_weekday = digest_weekday
        self.digest_hour = digest_hour
        self.seeded = synthetic(scale.people, scale.active, alumni=scale.alumni)
        self.ambassadors = scale.active + scale.alumni

    def slack_id(self, person_id: int) -> str:
        return self.seeded[person_id - 1].slack_user_id

    def term(self, amb_id: int) -> tuple[datetime, datetime]:
        if amb_id <= self.scale.active:
            start = self.now - timedelta(days=(amb_id * 37) % 715, hours=1)
        else:
            start = self.now - timedelta(days=800 + amb_id % 300)
        return start, start + timedelta(days=730)

    def tables(self) -> Iterator[tuple[str, Iterator[Row]]]:
        yield "people", self._people()
        yield "applications", self._applications()
        yield "ambassadors", self._ambassadors()
        yield "profiles", self._profiles()
        yield "onboarding_steps", self._steps()
        yield "reminders", self._reminders()
        yield "audit_log", self._audit()

    def _people(self) -> Iterator[Row]:
        created = self.now - timedelta(days=900)
        for pid, p in enumerate(self.seeded, start=1):
            forum = f"user{pid}" if pid <= self.ambassadors else None
            linked = created if forum else None
            yield (pid, p.slack_user_id, forum, pid + 1000 if forum else None, linked, p.name, None, created)

    def _applications(self) -> Iterator[Row]:
        for i in range(1, self.ambassadors + 1):
            start, _end = self.term(i)
            p = self.seeded[i - 1]
            prof = p.profile or {}
            yield (
                i,
                i,
                "new",
                "approved",
                None,
                p.name,
                f"user{i}",
                prof.get("city", ""),
                prof.get("timezone", ""),
                prof.get("expertise", ""),
                "",
                "I want to help.",
                start - timedelta(days=3),
                start,
                MOD,
                None,
                "C0MODS",
                f"{start.timestamp():.6f}",
            )

    def _ambassadors(self) -> Iterator[Row]:
        for i in range(1, self.ambassadors + 1):
            start, end = self.term(i)
            if i > self.scale.active:
                yield (i, i, "alumni", start, end, i, start, start, None, None)
                continue
            # The next due moments as the sweep leaves them (every reminder due so far is decided).
            ahead = [end - timedelta(days=d) for d in RENEWAL_DAYS if end - timedelta(days=d) > self.now]
            term_due = min(ahead, default=end + timedelta(days=GRACE_DAYS))
            nudge = start + timedelta(days=NUDGE_AFTER_DAYS)
            yield (i, i, "active", start, end, i, start, start, term_due, nudge if nudge > self.now else None)

    def _profiles(self) -> Iterator[Row]:
        for i in range(1, self.ambassadors + 1):
            prof = self.seeded[i - 1].profile or {}
            values = {k: prof.get(k, "") for k in ("bio", "expertise", "interests", "help_with")}
            values.update({k: prof.get(k, "") for k in ("contact", "timezone", "city", "country")})
            yield (
                i,
                i,
                values["bio"],
                values["expertise"],
                values["interests"],
                values["help_with"],
                values["contact"],
                values["timezone"],
                values["city"],
                values["country"],
                search_text(values),
                self.now - timedelta(days=30),
            )

    def _steps(self) -> Iterator[Row]:
        sid = 0
        for i in range(1, self.scale.active + 1):
            start, _end = self.term(i)
            complete = i % 10 != 0
            for pos, (key, title) in enumerate(STEP_KEYS):
                sid += 1
                done = complete or pos > 0
                yield (
                    sid,
                    i,
                    key,
                    title,
                    pos,
                    "moderator",
                    start + timedelta(days=pos + 1) if done else None,
                    MOD if done else None,
                )

    def digest_key(self) -> tuple[str, datetime]:
        """The key the sweep gives this week's digest (same rule as ReminderService._digest)."""
        now = self.now
        monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        due = monday + timedelta(days=self.digest_weekday, hours=self.digest_hour)
        if due > now:
            due -= timedelta(days=7)
        return f"digest:{due:%G-W%V}", due

    def _reminders(self) -> Iterator[Row]:
        rid = 0
        decided = self.now - timedelta(hours=2)
        for i in range(1, self.scale.active + 1):
            start, end = self.term(i)
            for days in RENEWAL_DAYS:
                due = end - timedelta(days=days)
                if due <= self.now:
                    rid += 1
                    detail = json.dumps({"days": days, "superseded": False})
                    yield (rid, f"renewal:{i}:{end:%Y%m%d}:{days}", "renewal", "sent", due, decided, detail)
            if start + timedelta(days=NUDGE_AFTER_DAYS) <= self.now:
                rid += 1
                key = f"nudge:{i}:{start:%Y%m%d}"
                status = "sent" if i % 10 == 0 else "skipped"
                yield (
                    rid,
                    key,
                    "nudge",
                    status,
                    start + timedelta(days=NUDGE_AFTER_DAYS),
                    decided,
                    json.dumps({"steps": []}),
                )
        key, due = self.digest_key()
        rid += 1
        yield (rid, key, "digest", "sent", due, decided, "{}")

    def _audit(self) -> Iterator[Row]:
        n, people, ambassadors = self.scale.audit, self.scale.people, self.ambassadors
        first = self.now - timedelta(days=730)
        step = timedelta(days=730) / n
        lapsed_every = max(n // max(self.scale.alumni, 1), 1)
        for r in range(1, n + 1):
            at = first + step * r
            pid = (r * 7919) % people + 1
            kind = r % 20
            if r % lapsed_every == 0 and (r // lapsed_every) <= self.scale.alumni:
                alumnus = self.scale.active + r // lapsed_every
                yield (r, at, "scheduler", "bot", "ambassador.lapsed", "person", str(alumnus), None, None)
            elif kind < 14:
                action = PERSON_ACTIONS[r % len(PERSON_ACTIONS)]
                actor = self.seeded[pid - 1].slack_user_id if kind % 2 else MOD
                yield (r, at, actor, "slack", action, "person", str(pid), None, FIELDS_AFTER)
            elif kind < 18 and pid <= ambassadors:
                yield (
                    r,
                    at,
                    MOD,
                    "slack",
                    "application.approved",
                    "application",
                    str(pid),
                    STATUS_BEFORE,
                    STATUS_AFTER,
                )
            elif kind < 19:
                yield (r, at, MOD, "slack", "nomination.created", "nomination", str(r), None, None)
            else:
                yield (
                    r,
                    at,
                    MOD,
                    "slack",
                    "report.sent",
                    "report",
                    f"{at.year}-Q{(at.month - 1) // 3 + 1}",
                    None,
                    None,
                )
