"""`forget`: delete the rows that are only about one person and anonymise the rows that stay, step
by step as the package docstring lists them; `sweep` then removes every other mention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.program.privacy.identity import (
    FORGOTTEN_ACTION,
    OPERATOR,
    Identity,
    audit_subjects,
    tombstone_id,
    tombstone_name,
)
from bot.program.privacy.sweep import sweep
from storage.enums import AmbassadorStatus, ApplicationStatus, Platform, RequestStatus
from storage.privacy import PrivacyRepo
from storage.requests import OPEN_STATUSES
from storage.uow import UnitOfWork


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

    def count_anonymised(self, table: str, n: int) -> None:
        count(self.anonymised, table, n)


def count(counts: dict[str, int], table: str, n: int) -> None:
    if n:
        counts[table] = counts.get(table, 0) + n


async def forget_person(
    uow: UnitOfWork, repo: PrivacyRepo, ident: Identity, report: ForgetReport, now: datetime
) -> None:
    """Everything personal about `ident` deleted or anonymised, in the caller's unit of work, and
    one audit row that says so with row counts only."""
    about = await audit_about(repo, ident)
    await _delete_own_rows(repo, ident, report)
    await _anonymise_kept_rows(repo, ident, report, now)
    # Every other mention: their Slack id, names and forum username in any text column.
    swept = await sweep(repo, ident, about)
    for table, n in swept.anonymised.items():
        report.count_anonymised(table, n)
    report.outbox_cancelled += swept.outbox_cancelled
    pid = ident.person_id
    await uow.audit.record(
        at=now,
        actor=OPERATOR,
        platform=Platform.CLI,
        action=FORGOTTEN_ACTION,
        subject_type="person",
        subject_id=pid,
        after={
            "note": f"person #{pid} forgotten by CLI operator",
            "deleted": dict(report.deleted),
            "anonymised": dict(report.anonymised),
            "outbox_cancelled": report.outbox_cancelled,
        },
    )


async def _delete_own_rows(repo: PrivacyRepo, ident: Identity, report: ForgetReport) -> None:
    """Rows that are only about them."""
    pid, slack, forum = ident.person_id, ident.slack_user_id, ident.forum_username
    t = repo.t
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
        count(report.deleted, table, await repo.delete_rows(table, where))
    nominations_of = await repo.select_rows(
        "nominations", repo.col_in("nominations", "nominee_slack_id", [slack])
    )
    ids = [n["id"] for n in nominations_of]
    count(
        report.deleted,
        "nominations",
        await repo.delete_rows("nominations", repo.col_in("nominations", "id", ids)),
    )


async def _anonymise_kept_rows(
    repo: PrivacyRepo, ident: Identity, report: ForgetReport, now: datetime
) -> None:
    """Rows that stay, anonymised: one update after the other, in this order (a pending
    application is closed before its answers are emptied; an open request is rejected before its
    text is replaced). The counted updates are the ones the report lists."""
    pid, slack = ident.person_id, ident.slack_user_id
    tomb_id, tomb = tombstone_id(pid), tombstone_name(pid)
    t = repo.t
    apps, ambs, reqs = t("applications"), t("ambassadors"), t("requests")
    my_requests = [r["id"] for r in await repo.select_rows("requests", reqs.c.person_id == pid)]
    decided = {"decided_at": now, "decided_by": OPERATOR}
    steps: tuple[tuple[str, Any, dict[str, Any], bool], ...] = (
        (
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
            True,
        ),
        (
            "applications",
            (apps.c.person_id == pid) & (apps.c.status == ApplicationStatus.PENDING),
            {"status": ApplicationStatus.REJECTED, "pending_person_id": None, **decided},
            False,
        ),
        (
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
            True,
        ),
        (
            "ambassadors",
            (ambs.c.person_id == pid) & (ambs.c.status == AmbassadorStatus.ACTIVE),
            {"status": AmbassadorStatus.ALUMNI, "term_end": now, "updated_at": now},
            True,
        ),
        (
            "requests",
            (reqs.c.person_id == pid) & reqs.c.status.in_(OPEN_STATUSES),
            {"status": RequestStatus.REJECTED, **decided, "updated_at": now},
            False,
        ),
        (
            "requests",
            reqs.c.person_id == pid,
            {"requester_slack_id": tomb_id, "summary": f"(from {tomb})", "details": {}},
            True,
        ),
        (
            "request_notes",
            repo.any_of(
                repo.col_in("request_notes", "request_id", my_requests),
                repo.col_in("request_notes", "author", [slack]),
            ),
            {"text": "(removed: person forgotten)"},
            True,
        ),
        (
            "user_groups",
            repo.col_in("user_groups", "open_requester", [slack]),
            {"open_requester": None},
            False,
        ),
        (
            "user_groups",
            repo.col_in("user_groups", "mentor_slack_id", [slack]),
            {"mentor_slack_id": None},
            False,
        ),
        (
            "event_series",
            repo.col_in("event_series", "host_slack_id", [slack]),
            {"host_slack_id": None},
            False,
        ),
    )
    for table, where, values, counted in steps:
        n = await repo.update_rows(table, where, values)
        if counted:
            report.count_anonymised(table, n)


async def audit_about(repo: PrivacyRepo, ident: Identity) -> set[int]:
    """Audit rows whose subject is them (their person, applications, requests, nominations of
    them): their before/after may quote what they wrote, so it goes (shape and statuses stay)."""
    pid, slack = ident.person_id, ident.slack_user_id
    t = repo.t
    apps = await repo.select_rows("applications", t("applications").c.person_id == pid)
    reqs = await repo.select_rows("requests", t("requests").c.person_id == pid)
    noms = await repo.select_rows("nominations", repo.col_in("nominations", "nominee_slack_id", [slack]))
    ids = [[r["id"] for r in rows] for rows in (apps, noms, reqs)]
    rows = await repo.select_rows("audit_log", repo.audit_about(audit_subjects(ident, *ids), []))
    return {int(r["id"]) for r in rows}
