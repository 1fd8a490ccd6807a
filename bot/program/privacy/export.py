"""`export person`: everything the bot holds about one person, table by table, as JSON-ready data."""

from __future__ import annotations

from typing import Any

from bot.program.privacy.identity import Identity, audit_subjects
from storage.privacy import PrivacyRepo


async def collect(repo: PrivacyRepo, ident: Identity) -> dict[str, Any]:
    """Everything held about one person, as JSON-ready data (link codes without their hash)."""
    pid, slack, forum = ident.person_id, ident.slack_user_id, ident.forum_username
    t = repo.t

    async def rows(table: str, *where: Any) -> list[dict[str, Any]]:
        """The rows of `table` that match any of `where`, JSON-ready."""
        found = await repo.select_rows(table, where[0] if len(where) == 1 else repo.any_of(*where))
        return [repo.encode_row(table, r) for r in found]

    def by_person(table: str) -> Any:
        return t(table).c.person_id == pid

    def by_slack(table: str, column: str = "slack_user_id") -> Any:
        return repo.col_in(table, column, [slack])

    def by_forum(table: str) -> Any:
        return repo.col_in(table, "forum_username", [forum])

    ambassadors = await rows("ambassadors", by_person("ambassadors"))
    applications = await rows("applications", by_person("applications"))
    requests = await rows("requests", by_person("requests"))
    request_ids = [r["id"] for r in requests]
    nominations_of = await rows("nominations", by_slack("nominations", "nominee_slack_id"))
    organising = await rows(
        "user_group_organisers", by_slack("user_group_organisers"), by_forum("user_group_organisers")
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
            "group_memberships", by_person("group_memberships"), by_forum("group_memberships")
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
            repo.col_in("user_groups", "id", group_ids),
            by_slack("user_groups", "requester_slack_id"),
            by_slack("user_groups", "mentor_slack_id"),
        ),
        "requests": requests,
        "request_notes": await rows(
            "request_notes",
            repo.col_in("request_notes", "request_id", request_ids),
            by_slack("request_notes", "author"),
        ),
        "rsvps": await rows("rsvps", by_slack("rsvps")),
        "bookings": await rows("bookings", by_slack("bookings")),
        "events_hosted": await rows("event_series", by_slack("event_series", "host_slack_id")),
        "calendar_feed": bool(await rows("calendar_tokens", by_slack("calendar_tokens"))),
        "audit": await rows(
            "audit_log",
            repo.audit_about(
                audit_subjects(
                    ident, [a["id"] for a in applications], [n["id"] for n in nominations_of], request_ids
                ),
                [slack] if slack else [],
            ),
        ),
    }
    return {"format": "ambassador-bot-person", "person_id": pid, **data}
