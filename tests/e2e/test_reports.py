"""The moderators' report on a seeded database (numbers, the Slack message and its chart) and the
exports (CSV/JSON, from the service and as a file in Slack) parsing back to the same rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.program.permissions import ServiceDeps
from bot.program.ports import SystemClock
from bot.program.reports.exports import ExportService
from bot.program.reports.report import ReportService
from bot.program.roles import Roles
from bot.sandbox.harness.stack import BOB, MOD, Stack
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Ambassador, Application, AuditEntry, Base, Person
from storage.requests import Request
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.e2e.lifecycle import all_text, say
from tests.program_seed import EXPECTED, NOW, seed, table_exists


def reports(stack: Stack) -> ReportService:
    return stack.runtime.services.reports


async def test_report_numbers_on_a_seeded_database(stack: Stack) -> None:
    await seed(stack.runtime.uow)
    report = await reports(stack).build(now=NOW)
    assert report.quarter == "2026-Q4"
    for key in (
        "ambassadors_by_status",
        "new_this_quarter",
        "renewals_due_90_days",
        "lapsed",
        "overdue",
        "onboarding_active",
        "onboarding_complete",
        "onboarding_median_days",
        "open_requests",
        "open_requests_by_kind",
        "approved_spend",
        "approved_spend_quarter",
    ):
        assert getattr(report, key) == EXPECTED[key], key
    assert report.onboarding_rate == pytest.approx(0.6)
    assert all(isinstance(v, Decimal) for v in report.approved_spend.values())
    months = dict(report.new_per_month)
    assert len(months) == 12 and min(months) == "2025-12" and max(months) == "2026-11"
    assert {m: c for m, c in months.items() if c} == EXPECTED["new_per_month"]
    if table_exists("rsvps"):
        assert report.rsvps_per_month is not None
        assert {m: c for m, c in report.rsvps_per_month if c} == EXPECTED["rsvps_per_month"]
    else:
        assert report.rsvps_per_month is None
    if table_exists("user_groups"):
        assert report.groups_by_status == EXPECTED["groups_by_status"]
    else:
        assert report.groups_by_status is None


async def test_report_in_slack_with_a_chart_for_moderators_only(stack: Stack) -> None:
    await seed(stack.runtime.uow)
    answer = await say(stack, BOB, "report")
    assert "Only moderators can see the program report" in answer
    assert "report.refused" in [a.action for a in await audit(stack)]

    answer = await say(stack, MOD, "report")
    assert "arrives in a direct message" in answer
    await stack.settle()
    report_dm, chart_dm = stack.slack.dms_to(MOD)[-2:]  # the numbers, then the chart
    text = all_text(report_dm)
    assert "Program report" in text
    assert chart_dm["files"][0]["name"].endswith(".png") and "Trends" in chart_dm["text"]
    assert "*Ambassadors:* 7 — active 5, alumni 2" in text
    assert "*Lapsed:* 1" in text
    assert "*Open requests:* 3 — approved 1, waiting for information 1, waiting for review 1" in text
    assert "*Approved spend:* 150.50 EUR, 20.00 USD" in text
    if table_exists("user_groups"):
        assert "*User groups:* official 1, pending 2" in text
    # The chart: a PNG shared into the moderator's DM with files_upload_v2.
    files = stack.slack.files_in(stack.slack.im_channel_id(MOD))
    assert len(files) == 1 and files[0]["content"].startswith(b"\x89PNG\r\n\x1a\n")
    assert files[0]["name"].endswith(".png") and len(files[0]["content"]) > 5000
    assert stack.slack.calls_to("files.getUploadURLExternal") and stack.slack.calls_to(
        "files.completeUploadExternal"
    )


async def test_report_without_the_events_and_groups_features(tmp_path: Any) -> None:
    """A database where only the requests branch of the schema exists: no RSVPs, no user groups."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/partial.db")
    try:
        await migrate.upgrade(engine, "0005_requests")
        uow = UnitOfWorkFactory(make_sessionmaker(engine))
        report = await ReportService(ServiceDeps(uow, Settings(), Roles([]), SystemClock())).build(now=NOW)
    finally:
        await engine.dispose()
    assert report.rsvps_per_month is None and report.groups_by_status is None
    assert report.ambassadors_by_status == {} and report.onboarding_rate is None
    from handlers.slack.reports.views import _report

    text, _ = _report(report.as_message("/ambassador"))
    assert "*Meetup RSVPs per month:* not available" in text and "*User groups:* not available" in text


async def audit(stack: Stack) -> list[AuditEntry]:
    async with stack.runtime.uow() as uow:
        return list((await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


# -- exports -------------------------------------------------------------------------------------


def same(db_value: Any, exported: Any, *, from_csv: bool) -> bool:
    """Whether an exported value reads back as the database value."""
    if db_value is None:
        return exported == ("" if from_csv else None)
    if isinstance(db_value, datetime):
        return datetime.fromisoformat(exported) == db_value
    if isinstance(db_value, date):
        return date.fromisoformat(exported) == db_value
    if isinstance(db_value, Decimal):
        return Decimal(exported) == db_value
    if isinstance(db_value, (dict, list)):
        return (json.loads(exported) if from_csv else exported) == db_value
    if isinstance(db_value, bool):
        return exported == (str(db_value).lower() if from_csv else db_value)
    if isinstance(db_value, (int, float)):
        return type(db_value)(exported) == db_value
    if from_csv and isinstance(db_value, str) and db_value.startswith(("=", "+", "-", "@")):
        return exported == "'" + db_value  # defused for spreadsheets
    return exported == db_value


def parse(content: bytes, fmt: str) -> list[dict[str, Any]]:
    if fmt == "json":
        data = json.loads(content)
        assert isinstance(data, list)
        return data
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


async def db_rows(uow: Callable[[], UnitOfWork], kind: str) -> list[dict[str, Any]]:
    """The rows straight from the models, keyed like the export's columns."""
    async with uow() as w:
        s = w.session
        if kind == "ambassadors":
            result = await s.execute(select(Ambassador, Person).join(Person).order_by(Ambassador.id))
            return [
                {
                    "ambassador_id": a.id,
                    "slack_user_id": p.slack_user_id,
                    "name": p.display_name,
                    "forum_username": p.forum_username,
                    "status": a.status,
                    "term_start": a.term_start,
                    "term_end": a.term_end,
                    "application_id": a.application_id,
                    "created_at": a.created_at,
                }
                for a, p in result.all()
            ]
        if kind == "requests":
            out = []
            for r in (await s.execute(select(Request).order_by(Request.id))).scalars():
                approvers = await w.requests.approvers(r.id)
                row = {c.name: getattr(r, c.name) for c in Request.__table__.columns}
                row.update(reference=r.reference, approvers=",".join(approvers) or None)
                for drop in ("person_id", "version", "review_channel", "review_ts"):
                    row.pop(drop)
                out.append(row)
            return out
        table = {"applications": Application.__table__, "audit": AuditEntry.__table__}.get(kind)
        if table is None:
            table = Base.metadata.tables["user_groups"]
        return [dict(m) for m in (await s.execute(select(table).order_by(table.c.id))).mappings()]


KINDS = ["ambassadors", "applications", "requests", "audit", "groups"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_exports_parse_back_to_the_same_rows(stack: Stack, fmt: str) -> None:
    await seed(stack.runtime.uow)
    service = ExportService(ServiceDeps(stack.runtime.uow, Settings(), Roles([]), SystemClock()))
    for kind in KINDS:
        if kind == "groups" and not table_exists("user_groups"):
            continue
        export = await service.render(kind, fmt)
        parsed = parse(export.content, fmt)
        expected = await db_rows(stack.runtime.uow, kind)
        assert len(parsed) == len(expected) == export.rows > 0, kind
        for got, want in zip(parsed, expected, strict=True):
            assert set(got) == set(want), (kind, set(got) ^ set(want))
            for column, value in want.items():
                if column == "approvers" and value is None:
                    value = ""  # no approvers: an empty list, written as an empty string
                assert same(value, got[column], from_csv=fmt == "csv"), (kind, column, value, got[column])


async def test_export_as_a_file_in_slack(stack: Stack) -> None:
    await seed(stack.runtime.uow)
    assert "Only moderators can export" in await say(stack, BOB, "export requests")
    assert "Formats: csv or json" in await say(stack, MOD, "export requests xlsx")
    assert "Exports: ambassadors" in await say(stack, MOD, "export everything")
    assert "arrives as a file" in await say(stack, MOD, "export requests")
    assert "arrives as a file" in await say(stack, MOD, "export audit json")
    await stack.settle()
    files = sorted(stack.slack.files_in(stack.slack.im_channel_id(MOD)), key=lambda f: str(f["name"]))
    assert [f["name"].split("-")[0] + "." + f["name"].rsplit(".", 1)[-1] for f in files] == [
        "audit.json",
        "requests.csv",
    ]
    audit_file, requests_file = files
    rows = parse(requests_file["content"], "csv")
    assert [r["reference"] for r in rows] == [
        "EX-0001",
        "EX-0002",
        "HW-0003",
        "SW-0004",
        "EX-0005",
        "HW-0006",
    ]
    assert rows[0]["amount"] == "100.00" and rows[0]["approvers"] == "U0MOD,U0MOD2"
    audit_rows = parse(audit_file["content"], "json")
    assert any(r["action"] == "ambassador.lapsed" for r in audit_rows)
    dm_texts = [m["text"] for m in stack.slack.dms_to(MOD)]
    assert any("Here is the requests export you asked for: 6 rows" in t for t in dm_texts)
