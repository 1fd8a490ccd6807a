"""One person's data: everything the bot holds about them (`export person`) and forgetting them
(`forget`).

What `forget` does, table by table (rows that other records or finance need stay, anonymised):

- people: kept as a tombstone: display name "forgotten person #<id>"; Slack id, forum username,
  forum user id, link time and timezone cleared (so nobody can be found by them any more).
- profiles, link_codes, group_memberships, calendar_tokens, rsvps, bookings,
  user_group_organisers (their own rows), nominations *of* them: deleted.
- applications: kept for the program's numbers; name becomes the tombstone, every free-text
  answer (forum username, location, timezone, expertise, links, motivation, decision reason) is
  emptied; a pending one is closed as rejected ("withdrawn: person forgotten").
- ambassadors: kept (terms count in reports); an active term ends now and the status becomes alumni.
  onboarding_steps and badge_grants: kept, they hold no personal text.
- requests (finance records): kept with reference, kind, amount, currency, dates and status; the
  summary and the free-text details are replaced; an open one is rejected. Notes on their requests
  and notes they wrote lose their text.
- Their Slack id anywhere else (a decision they took, a group they asked for or mentor, an event
  they host, audit actor...) becomes "forgotten#<id>"; their names and forum username inside any
  other text or JSON column (audit before/after, outbox payloads, reminders, other people's free
  text) are replaced the same way.
- outbox: rows still waiting that address or mention them are cancelled (nothing more is sent to
  them or about them).
- audit_log: rows stay (accountability) but hold only the tombstone; one row
  "person.forgotten" by the CLI operator records the deletion with row counts only.

Nothing is removed from Slack or the forum themselves: messages already posted and the forum
account are the platforms' (the forum badge and group membership are left as they are).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.program.commands import user_ref
from bot.program.errors import NotFound
from bot.program.ports import Clock
from storage.enums import AmbassadorStatus, ApplicationStatus, OutboxStatus, Platform, RequestStatus
from storage.privacy import PrivacyRepo, is_json, is_text
from storage.requests import OPEN_STATUSES
from storage.uow import UnitOfWork

OPERATOR = "cli"
FORGOTTEN_ACTION = "person.forgotten"
_MIN_TOKEN = 3  # shorter names are not searched for inside other text (too many false hits)
_DERIVED = ("audit_log", "outbox", "reminders", "processed_events")  # records about what happened
_CODE = re.compile(r"[a-z][a-z0-9_.:-]{0,31}|[A-Z]{2,4}-\d{1,6}|\d[\d.:TZ+-]*")  # statuses, refs, dates


def tombstone_name(person_id: int) -> str:
    return f"forgotten person #{person_id}"


def tombstone_id(person_id: int) -> str:
    return f"forgotten#{person_id}"


@dataclass(frozen=True)
class Identity:
    person_id: int
    slack_user_id: str | None
    forum_username: str | None
    names: tuple[str, ...]  # display name, names and forum usernames given in applications
    forgotten: bool


@dataclass
class ForgetReport:
    person_id: int
    already_forgotten: bool = False
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    outbox_cancelled: int = 0

    def lines(self) -> list[str]:
        out = [f"  delete     {t}: {n}" for t, n in sorted(self.deleted.items()) if n]
        out += [f"  anonymise  {t}: {n}" for t, n in sorted(self.anonymised.items()) if n]
        if self.outbox_cancelled:
            out.append(f"  cancel     outbox messages waiting to be sent: {self.outbox_cancelled}")
        return out


class _Rollback(Exception):
    def __init__(self, report: ForgetReport) -> None:
        super().__init__("dry run")
        self.report = report


def _count(counts: dict[str, int], table: str, n: int) -> None:
    if n:
        counts[table] = counts.get(table, 0) + n


class PrivacyService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    # -- who ---------------------------------------------------------------------------------

    async def _identify(self, repo: PrivacyRepo, who: str) -> Identity:
        ref = who.strip()
        people = repo.t("people")
        where = None
        if re.fullmatch(r"#?\d{1,12}", ref):
            where = people.c.id == int(ref.lstrip("#"))
        elif (slack := user_ref(ref)) is not None:
            where = people.c.slack_user_id == slack
        elif ref:
            where = people.c.forum_username == ref.lstrip("@")
        rows = await repo.select_rows("people", where) if where is not None else []
        if not rows and ref and where is not None and not ref.lstrip("#").isdigit():
            rows = await repo.select_rows(
                "people", repo.lower_eq("people", "forum_username", ref.lstrip("@").lower())
            )
        if not rows:
            raise NotFound(
                f"No one is known as {ref[:80]!r} (give a Slack user id like U0123ABC, a forum "
                "username or a person number like #12)."
            )
        p = rows[0]
        apps = await repo.select_rows("applications", repo.t("applications").c.person_id == p["id"])
        names = {p["display_name"] or ""}
        for a in apps:
            names.update((a["name"] or "", a["forum_username"] or ""))
        if p["forum_username"]:
            names.add(p["forum_username"])
        forgotten = p["slack_user_id"] is None and p["display_name"] == tombstone_name(p["id"])
        names.discard(tombstone_name(p["id"]))
        return Identity(
            person_id=int(p["id"]),
            slack_user_id=p["slack_user_id"],
            forum_username=p["forum_username"],
            names=tuple(sorted(n for n in names if len(n.strip()) >= _MIN_TOKEN)),
            forgotten=forgotten,
        )

    # -- export --------------------------------------------------------------------------------

    async def export(self, who: str) -> dict[str, Any]:
        """Everything held about one person, as JSON-ready data."""
        async with self._uow() as uow:
            repo = uow.privacy
            ident = await self._identify(repo, who)
            if ident.forgotten:
                raise NotFound(f"Person #{ident.person_id} was forgotten; nothing about them is held.")
            return await self._collect(repo, ident)

    async def _collect(self, repo: PrivacyRepo, ident: Identity) -> dict[str, Any]:
        pid, slack, forum = ident.person_id, ident.slack_user_id, ident.forum_username
        t = repo.t

        async def rows(table: str, where: Any) -> list[dict[str, Any]]:
            return [repo.encode_row(table, r) for r in await repo.select_rows(table, where)]

        def by_person(table: str) -> Any:
            return t(table).c.person_id == pid

        def by_slack(table: str, column: str = "slack_user_id") -> Any:
            return repo.col_in(table, column, [slack])

        ambassadors = await rows("ambassadors", by_person("ambassadors"))
        applications = await rows("applications", by_person("applications"))
        requests = await rows("requests", by_person("requests"))
        request_ids = [r["id"] for r in requests]
        nominations_of = await rows("nominations", by_slack("nominations", "nominee_slack_id"))
        organising = await rows(
            "user_group_organisers",
            repo.any_of(
                by_slack("user_group_organisers"),
                repo.col_in("user_group_organisers", "forum_username", [forum]),
            ),
        )
        group_ids = sorted({o["group_id"] for o in organising})
        data: dict[str, Any] = {
            "person": (await rows("people", t("people").c.id == pid)),
            "ambassador_terms": ambassadors,
            "onboarding_steps": await rows(
                "onboarding_steps",
                repo.col_in("onboarding_steps", "ambassador_id", [a["id"] for a in ambassadors]),
            ),
            "applications": applications,
            "profile": await rows("profiles", by_person("profiles")),
            "badges": await rows("badge_grants", by_person("badge_grants")),
            "forum_groups": await rows(
                "group_memberships",
                repo.any_of(
                    by_person("group_memberships"),
                    repo.col_in("group_memberships", "forum_username", [forum]),
                ),
            ),
            "forum_link_codes": [
                {k: v for k, v in r.items() if k != "code_hash"}
                for r in await rows("link_codes", by_person("link_codes"))
            ],
            "nominations_of_them": nominations_of,
            "nominations_by_them": await rows("nominations", by_slack("nominations", "nominator_slack_id")),
            "groups_organised": organising,
            "groups": await rows(
                "user_groups",
                repo.any_of(
                    repo.col_in("user_groups", "id", group_ids),
                    by_slack("user_groups", "requester_slack_id"),
                    by_slack("user_groups", "mentor_slack_id"),
                ),
            ),
            "requests": requests,
            "request_notes": await rows(
                "request_notes",
                repo.any_of(
                    repo.col_in("request_notes", "request_id", request_ids),
                    by_slack("request_notes", "author"),
                ),
            ),
            "rsvps": await rows("rsvps", by_slack("rsvps")),
            "bookings": await rows("bookings", by_slack("bookings")),
            "events_hosted": await rows("event_series", by_slack("event_series", "host_slack_id")),
            "calendar_feed": bool(await rows("calendar_tokens", by_slack("calendar_tokens"))),
            "audit": await rows(
                "audit_log",
                repo.audit_about(
                    [
                        ("person", [str(pid)]),
                        ("application", [str(a["id"]) for a in applications]),
                        ("nomination", [str(n["id"]) for n in nominations_of]),
                        ("request", [str(i) for i in request_ids]),
                        ("slack_user", [slack] if slack else []),
                    ],
                    [slack] if slack else [],
                ),
            ),
        }
        return {"format": "ambassador-bot-person", "person_id": pid, **data}

    # -- forget --------------------------------------------------------------------------------

    async def forget(self, who: str, *, dry_run: bool = False) -> ForgetReport:
        """Delete or anonymise everything personal about one person (see the module docstring).
        With dry_run, the same work is done and rolled back: the report says what would change."""
        try:
            async with self._uow() as uow:
                repo = uow.privacy
                ident = await self._identify(repo, who)
                report = ForgetReport(ident.person_id)
                if ident.forgotten:
                    report.already_forgotten = True
                    return report
                await self._forget(uow, repo, ident, report)
                if dry_run:
                    raise _Rollback(report)
                return report
        except _Rollback as rb:
            return rb.report

    async def _forget(
        self, uow: UnitOfWork, repo: PrivacyRepo, ident: Identity, report: ForgetReport
    ) -> None:
        pid, slack, forum = ident.person_id, ident.slack_user_id, ident.forum_username
        now = self._clock.now()
        tomb_id, tomb = tombstone_id(pid), tombstone_name(pid)
        t = repo.t
        deleted, anon = report.deleted, report.anonymised
        about = await self._audit_about(repo, ident)

        # 1. Rows that are only about them.
        for table, where in (
            ("profiles", t("profiles").c.person_id == pid),
            ("link_codes", t("link_codes").c.person_id == pid),
            (
                "group_memberships",
                repo.any_of(
                    t("group_memberships").c.person_id == pid,
                    repo.col_in("group_memberships", "forum_username", [forum]),
                ),
            ),
            ("calendar_tokens", repo.col_in("calendar_tokens", "slack_user_id", [slack])),
            ("rsvps", repo.col_in("rsvps", "slack_user_id", [slack])),
            ("bookings", repo.col_in("bookings", "slack_user_id", [slack])),
            (
                "user_group_organisers",
                repo.any_of(
                    repo.col_in("user_group_organisers", "slack_user_id", [slack]),
                    repo.col_in("user_group_organisers", "forum_username", [forum]),
                ),
            ),
        ):
            _count(deleted, table, await repo.delete_rows(table, where))
        nominations_of = await repo.select_rows(
            "nominations", repo.col_in("nominations", "nominee_slack_id", [slack])
        )
        _count(
            deleted,
            "nominations",
            await repo.delete_rows(
                "nominations", repo.col_in("nominations", "id", [n["id"] for n in nominations_of])
            ),
        )

        # 2. Rows that stay, anonymised.
        _count(
            anon,
            "people",
            await repo.update_rows(
                "people",
                t("people").c.id == pid,
                {
                    "slack_user_id": None,
                    "forum_username": None,
                    "forum_user_id": None,
                    "forum_linked_at": None,
                    "display_name": tomb,
                    "timezone": None,
                },
            ),
        )
        apps = t("applications")
        await repo.update_rows(
            "applications",
            (apps.c.person_id == pid) & (apps.c.status == ApplicationStatus.PENDING),
            {
                "status": ApplicationStatus.REJECTED,
                "pending_person_id": None,
                "decided_at": now,
                "decided_by": OPERATOR,
            },
        )
        _count(
            anon,
            "applications",
            await repo.update_rows(
                "applications",
                apps.c.person_id == pid,
                {
                    "name": tomb,
                    "forum_username": "",
                    "location": "",
                    "timezone": "",
                    "expertise": "",
                    "links": "",
                    "motivation": "",
                    "decision_reason": "withdrawn: person forgotten",
                },
            ),
        )
        ambs = t("ambassadors")
        _count(
            anon,
            "ambassadors",
            await repo.update_rows(
                "ambassadors",
                (ambs.c.person_id == pid) & (ambs.c.status == AmbassadorStatus.ACTIVE),
                {"status": AmbassadorStatus.ALUMNI, "term_end": now, "updated_at": now},
            ),
        )
        reqs = t("requests")
        my_requests = await repo.select_rows("requests", reqs.c.person_id == pid)
        await repo.update_rows(
            "requests",
            (reqs.c.person_id == pid) & reqs.c.status.in_(OPEN_STATUSES),
            {"status": RequestStatus.REJECTED, "decided_at": now, "decided_by": OPERATOR, "updated_at": now},
        )
        _count(
            anon,
            "requests",
            await repo.update_rows(
                "requests",
                reqs.c.person_id == pid,
                {"requester_slack_id": tomb_id, "summary": f"(from {tomb})", "details": {}},
            ),
        )
        _count(
            anon,
            "request_notes",
            await repo.update_rows(
                "request_notes",
                repo.any_of(
                    repo.col_in("request_notes", "request_id", [r["id"] for r in my_requests]),
                    repo.col_in("request_notes", "author", [slack]),
                ),
                {"text": "(removed: person forgotten)"},
            ),
        )
        await repo.update_rows(
            "user_groups", repo.col_in("user_groups", "open_requester", [slack]), {"open_requester": None}
        )
        await repo.update_rows(
            "user_groups", repo.col_in("user_groups", "mentor_slack_id", [slack]), {"mentor_slack_id": None}
        )
        await repo.update_rows(
            "event_series", repo.col_in("event_series", "host_slack_id", [slack]), {"host_slack_id": None}
        )

        # 3. Every other mention: their Slack id, names and forum username in any text column.
        await self._sweep(repo, ident, about, report)

        await uow.audit.record(
            at=now,
            actor=OPERATOR,
            platform=Platform.CLI,
            action=FORGOTTEN_ACTION,
            subject_type="person",
            subject_id=pid,
            after={
                "note": f"person #{pid} forgotten by CLI operator",
                "deleted": dict(deleted),
                "anonymised": dict(anon),
                "outbox_cancelled": report.outbox_cancelled,
            },
        )

    async def _audit_about(self, repo: PrivacyRepo, ident: Identity) -> set[int]:
        """Audit rows whose subject is them (their person, applications, requests, nominations of
        them): their before/after may quote what they wrote, so it goes (shape and statuses stay)."""
        pid, slack = ident.person_id, ident.slack_user_id
        t = repo.t
        apps = await repo.select_rows("applications", t("applications").c.person_id == pid)
        reqs = await repo.select_rows("requests", t("requests").c.person_id == pid)
        noms = await repo.select_rows("nominations", repo.col_in("nominations", "nominee_slack_id", [slack]))
        rows = await repo.select_rows(
            "audit_log",
            repo.audit_about(
                [
                    ("person", [str(pid)]),
                    ("application", [str(r["id"]) for r in apps]),
                    ("request", [str(r["id"]) for r in reqs]),
                    ("nomination", [str(r["id"]) for r in noms]),
                    ("slack_user", [slack] if slack else []),
                ],
                [],
            ),
        )
        return {int(r["id"]) for r in rows}

    async def _sweep(self, repo: PrivacyRepo, ident: Identity, about: set[int], report: ForgetReport) -> None:
        tomb_id = tombstone_id(ident.person_id)
        by_id = re.compile(re.escape(ident.slack_user_id)) if ident.slack_user_id else None
        by_name = [re.compile(rf"(?<!\w){re.escape(n.strip())}(?!\w)", re.IGNORECASE) for n in ident.names]

        def scrub(value: Any, patterns: list[re.Pattern[str]]) -> Any:
            if isinstance(value, str):
                out = value
                for p in patterns:
                    out = p.sub(tomb_id, out)
                return out
            if isinstance(value, list):
                return [scrub(v, patterns) for v in value]
            if isinstance(value, dict):
                return {
                    scrub(k, patterns) if isinstance(k, str) else k: scrub(v, patterns)
                    for k, v in value.items()
                }
            return value

        def redact(value: Any) -> Any:
            """A JSON value that mentioned them: keep its shape, numbers and short codes such as
            statuses; every other text goes (it may quote them in ways no search finds)."""
            if isinstance(value, str):
                return value if _CODE.fullmatch(value) or value.startswith("forgotten#") else "[forgotten]"
            if isinstance(value, list):
                return [redact(v) for v in value]
            if isinstance(value, dict):
                return {k: redact(v) for k, v in value.items()}
            return value

        for table, cols, rows in await repo.text_rows():
            for row in rows:
                changes: dict[str, Any] = {}
                for col in cols:
                    if table == "link_codes" and col == "code_hash":
                        continue
                    old = row[col]
                    # Their Slack id anywhere (also inside a DM channel id or an outbox key: Slack
                    # ids are distinctive). Their names and forum username only in the derived
                    # tables and in rows that name them by id: elsewhere the same word in someone
                    # else's own text (a URL, a common name) is not about them.
                    new = scrub(old, [by_id] if by_id else [])
                    if (
                        new != old
                        or table in _DERIVED
                        or any(by_id and by_id.search(str(row[c])) for c in cols)
                    ):
                        new = scrub(new, by_name)
                    forced = (
                        table == "audit_log" and row["id"] in about and is_json(repo.column_type(table, col))
                    )
                    if new == old and not forced:
                        continue
                    ctype = repo.column_type(table, col)
                    if is_text(ctype) and isinstance(new, str):
                        length = repo.max_length(table, col)
                        if length:
                            new = new[:length]
                    elif is_json(ctype):
                        new = redact(new)
                    else:
                        continue
                    changes[col] = new
                if not changes:
                    continue
                if table == "outbox":
                    status = await repo.select_rows("outbox", repo.t("outbox").c.id == row["id"])
                    if status and status[0]["status"] in (
                        OutboxStatus.PENDING,
                        OutboxStatus.IN_FLIGHT,
                        OutboxStatus.FAILED,
                    ):
                        changes["status"] = OutboxStatus.CANCELLED
                        # Drop the lease too: a worker's "retry later" (which matches its own
                        # lease) then cannot put the row back in the queue.
                        changes["locked_by"] = None
                        changes["locked_until"] = None
                        changes["last_error"] = "cancelled: the person it was for or about was forgotten"
                        report.outbox_cancelled += 1
                await repo.update_by_id(table, int(row["id"]), changes)
                _count(report.anonymised, table, 1)
