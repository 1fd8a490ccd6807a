"""A seeded program for the report, export and backup tests: ambassadors in every state, their
onboarding, requests of each kind and status, meetup RSVPs and user groups (when those features'
tables exist), with awkward values (unicode, long decimals, NULLs, microseconds)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from storage.models import Ambassador, Application, AuditEntry, Base, OnboardingStep, Person
from storage.requests import Request, RequestApproval, RequestNote
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)  # the report's "now": 2026-Q4


def at(y: int, m: int, d: int, h: int = 9, us: int = 0) -> datetime:
    return datetime(y, m, d, h, 0, 0, us, tzinfo=UTC)


# (slack id, name, status, created/term start, term end, steps done at (None = not done)), alumni note
AMBASSADORS: list[tuple[str, str, str, datetime, datetime, list[datetime | None], str]] = [
    (
        "U1A",
        "Ana Álvarez",
        "active",
        at(2026, 10, 5),
        at(2028, 10, 5),
        [at(2026, 10, 6)] * 3 + [at(2026, 10, 15)],
        "",
    ),
    (
        "U1B",
        "Bo 🚀",
        "active",
        at(2026, 11, 1),
        at(2028, 11, 1),
        [at(2026, 11, 2), at(2026, 11, 3), None, None],
        "",
    ),
    ("U1C", "Chen 陈", "active", at(2025, 1, 10), at(2027, 1, 10), [at(2025, 1, 30, us=123456)] * 4, ""),
    ("U1D", "Dana", "active", at(2024, 12, 1), at(2026, 11, 10), [at(2024, 12, 31)] * 4, ""),
    ("U1E", "Eve", "alumni", at(2023, 5, 1), at(2025, 5, 1), [], "ambassador.lapsed"),
    ("U1F", "Femi", "alumni", at(2023, 6, 1), at(2025, 6, 1), [], "ambassador.retired"),
    ("U1G", "Gus", "active", at(2026, 9, 20), at(2027, 2, 10), [None] * 4, ""),
]

EXPECTED = {
    "ambassadors_by_status": {"active": 5, "alumni": 2},
    "new_this_quarter": 2,
    "renewals_due_90_days": 2,
    "lapsed": 1,
    "overdue": 1,
    "onboarding_active": 5,
    "onboarding_complete": 3,
    "onboarding_rate": 0.6,
    "onboarding_median_days": 20.0,
    "open_requests": {"approved": 1, "info_requested": 1, "pending": 1},
    "open_requests_by_kind": {"expense": 1, "hardware": 1, "swag": 1},
    "approved_spend": {"EUR": Decimal("150.50"), "USD": Decimal("20.00")},
    "approved_spend_quarter": {"EUR": Decimal("100.00"), "USD": Decimal("20.00")},
    "new_per_month": {"2026-09": 1, "2026-10": 1, "2026-11": 1},
    "rsvps_per_month": {"2026-09": 2, "2026-10": 3, "2026-12": 1},
    "groups_by_status": {"official": 1, "pending": 2},
}


def table_exists(name: str) -> bool:
    return name in Base.metadata.tables


async def seed(uow_factory: Callable[[], UnitOfWork]) -> None:
    async with uow_factory() as uow:
        s = uow.session
        people: dict[str, Person] = {}
        for slack_id, name, status, start, end, steps, note in AMBASSADORS:
            person = Person(slack_user_id=slack_id, display_name=name, created_at=start)
            s.add(person)
            await s.flush()
            people[slack_id] = person
            app = Application(
                person_id=person.id,
                status="approved",
                name=name,
                forum_username=f"user_{slack_id.lower()}",
                location="Zürich, Schweiz",
                timezone="Europe/Zurich",
                expertise='Kubernetes; "quotes", commas, and\nnewlines',
                motivation='=HYPERLINK("http://evil")',
                submitted_at=start,
                decided_at=start,
                decided_by="U0MOD",
            )
            s.add(app)
            await s.flush()
            amb = Ambassador(
                person_id=person.id,
                status=status,
                term_start=start,
                term_end=end,
                application_id=app.id,
                created_at=start,
                updated_at=start,
            )
            s.add(amb)
            await s.flush()
            for pos, done in enumerate(steps):
                s.add(
                    OnboardingStep(
                        ambassador_id=amb.id,
                        key=f"step{pos}",
                        title=f"Step {pos}",
                        position=pos,
                        completes="moderator",
                        completed_at=done,
                        completed_by="U0MOD" if done else None,
                    )
                )
            if note:
                s.add(
                    AuditEntry(
                        at=end,
                        actor="scheduler",
                        platform="bot",
                        action=note,
                        subject_type="person",
                        subject_id=str(person.id),
                        before={"status": "active"},
                        after={"status": "alumni", "ünïcode": "✓"},
                    )
                )
        # Requests: (kind, status, amount, currency, decided_at)
        rows: list[tuple[str, str, Decimal | None, str | None, datetime | None]] = [
            ("expense", "approved", Decimal("100.00"), "EUR", at(2026, 10, 10)),
            ("expense", "reimbursed", Decimal("50.50"), "EUR", at(2026, 6, 1)),
            ("hardware", "pending", Decimal("300"), "USD", None),
            ("swag", "info_requested", None, None, None),
            ("expense", "rejected", Decimal("999.99"), "EUR", at(2026, 10, 20)),
            ("hardware", "shipped", Decimal("20.00"), "USD", at(2026, 11, 2)),
        ]
        requester = people["U1A"]
        for i, (kind, status, amount, currency, decided) in enumerate(rows):
            req = Request(
                kind=kind,
                person_id=requester.id,
                requester_slack_id="U1A",
                status=status,
                summary=f"Request {i} — “smart quotes” & <tags>",
                details={"items": "Pi 5\nSSD", "note": "✓ ñ 🚀", "n": str(i)},
                amount=amount,
                currency=currency,
                on_date=date(2026, 10, 1 + i),
                approvals_needed=2 if i == 0 else 1,
                version=1 + i,
                created_at=at(2026, 9, 1 + i, us=i * 1111),
                updated_at=at(2026, 9, 1 + i, us=i * 1111),
                decided_at=decided,
                decided_by="U0MOD" if decided else None,
            )
            s.add(req)
            await s.flush()
            if status in ("approved", "reimbursed", "shipped"):
                s.add(RequestApproval(request_id=req.id, approver="U0MOD", at=decided or NOW))
                if i == 0:
                    s.add(RequestApproval(request_id=req.id, approver="U0MOD2", at=decided or NOW))
            if status == "info_requested":
                s.add(
                    RequestNote(
                        request_id=req.id, at=at(2026, 9, 20), author="U0MOD", kind="question", text="Sizes?"
                    )
                )
        await s.flush()
        await _seed_other_features(uow)


async def _seed_other_features(uow: UnitOfWork) -> None:
    """RSVPs and user groups, through the tables as the events and groups features define them."""
    s = uow.session
    if table_exists("event_series") and table_exists("rsvps"):
        series = Base.metadata.tables["event_series"]
        rsvps = Base.metadata.tables["rsvps"]
        common: dict[str, Any] = {"rrule": "FREQ=MONTHLY;BYDAY=1TH", "start_local": "2026-01-01T17:00"}
        ids: dict[int, int] = {}
        for n, (key, kind) in enumerate([("meetup", "meetup"), ("oh", "office_hours")], start=1):
            result = await s.execute(
                series.insert().values(key=key, title=key.title(), kind=kind, timezone="UTC", **common)
            )
            ids[n] = int(result.inserted_primary_key[0])
        answers = [
            (1, at(2026, 9, 3, 17), "going", 2),
            (1, at(2026, 10, 1, 17), "going", 3),
            (1, at(2026, 10, 1, 17), "maybe", 1),
            (2, at(2026, 10, 5, 17), "going", 1),
            (1, at(2026, 12, 3, 17), "going", 1),
            (1, at(2025, 6, 5, 17), "going", 4),  # over a year ago: outside the chart
        ]
        values = []
        for series_id, start, answer, count in answers:
            for n in range(count):
                values.append(
                    {
                        "series_id": ids[series_id],
                        "occurrence_start": start,
                        "slack_user_id": f"U9{answer[:2].upper()}{start:%m%d}{n}",
                        "answer": answer,
                    }
                )
        await s.execute(rsvps.insert(), values)
    if table_exists("user_groups"):
        groups = Base.metadata.tables["user_groups"]
        await s.execute(
            groups.insert(),
            [
                {
                    "title": "Kubernetes Lisboa",
                    "requested_name": "k8s lisbon",
                    "requester_slack_id": "U1A",
                    "status": "official",
                },
                {
                    "title": "Kubernetes Zürich",
                    "requested_name": "zurich",
                    "requester_slack_id": "U1B",
                    "status": "pending",
                    "open_requester": "U1B",
                },
                {
                    "title": "Kubernetes 東京",
                    "requested_name": "tokyo",
                    "requester_slack_id": "U1C",
                    "status": "pending",
                    "open_requester": "U1C",
                    "latitude": 35.6895,
                    "longitude": 139.69171,
                },
            ],
        )
