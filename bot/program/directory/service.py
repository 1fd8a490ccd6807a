"""`ProfileService`: directory profiles saved (ticking the onboarding profile step of an active
ambassador whose checklist has it), `find`, and the "get help and support" page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.program import home
from bot.program.directory.page import directory_page
from bot.program.directory.profiles import (
    HOME_GROUP,
    MAX_GROUPS,
    GroupChoice,
    SaveResult,
    home_group_choice,
    profile_values,
    validate_profile,
)
from bot.program.directory.search import (
    SHOWN,
    FindResult,
    best,
    query_words,
    rank,
    search_text,
)
from bot.program.groups.reports import HOME_GROUPS
from bot.program.onboarding.steps import active_ambassador, tick_profile_step
from bot.program.permissions import GuardedService
from bot.program.public import directory as public_directory
from storage.enums import Platform
from storage.profiles import Profile


class ProfileService(GuardedService):
    async def current(self, slack_user_id: str) -> dict[str, str]:
        """The form's prefill: the saved profile, else what the application said."""
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            if person is None:
                return profile_values(None)
            profile = await uow.profiles.for_person(person.id)
            app = await uow.lifecycle.latest_application(person.id) if profile is None else None
            return profile_values(profile, person, app)

    async def home_groups(self) -> tuple[GroupChoice, ...]:
        """The groups the profile form offers as a home group: approved and official ones."""
        async with self._uow() as uow:
            groups = await uow.groups.with_status(HOME_GROUPS)
        ordered = sorted(groups, key=lambda g: (g.title.lower(), g.id))[:MAX_GROUPS]
        return tuple(GroupChoice(g.id, g.title) for g in ordered)

    async def save(
        self, slack_user_id: str, form: Mapping[str, str | None], display_name: str = ""
    ) -> SaveResult:
        data = validate_profile(form)
        choices = {c.id: c.title for c in await self.home_groups()}
        home_group = home_group_choice(form.get(HOME_GROUP), choices)
        if home_group is not False:
            data[HOME_GROUP] = str(home_group or "")
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.get_or_create_slack(slack_user_id, display_name)
            profile = await uow.profiles.for_person(person.id)
            if profile is None:
                profile = await uow.profiles.add(Profile(person_id=person.id, updated_at=now))
                before: dict[str, str] = {}
            else:
                before = profile_values(profile)
            changed = tuple(k for k, v in data.items() if before.get(k, "") != v)
            for key, value in data.items():
                if key != HOME_GROUP:
                    setattr(profile, key, value)
            if HOME_GROUP in data:
                profile.home_group_id = int(data[HOME_GROUP]) if data[HOME_GROUP] else None
            profile.search_text = search_text(data)
            profile.updated_at = now
            if changed:
                await uow.audit.record(
                    at=now,
                    actor=slack_user_id,
                    platform=Platform.SLACK,
                    action="profile.updated",
                    subject_type="person",
                    subject_id=person.id,
                    before={k: before[k] for k in changed if k in before} or None,
                    after={k: data[k] for k in changed},
                )
            listed = await active_ambassador(uow, person) is not None
            step_done = await tick_profile_step(uow, self._settings, self._roles, person, slack_user_id, now)
            if not step_done:
                await home.queue_refresh(uow, self._settings, self._roles, slack_user_id, now)
        self._signal.kick()
        return SaveResult(changed, step_done, listed)

    async def find(self, text: str, shown: int = SHOWN) -> FindResult:
        """Score the narrow matching rows here, then read in full only the `shown` best."""
        query, ignored = query_words(text)
        async with self._uow() as uow:
            ids, total = best(await uow.profiles.matching(query), query, shown)
            rows = await uow.profiles.directory_rows(ids)
        hits, _ = rank(rows, query, shown)
        return FindResult(query, tuple(hits), total, ignored)

    async def export_directory(self, generated: datetime | None = None) -> str:
        """The Markdown "get help and support" page: the public directory (listed people only)."""
        when = generated or self._clock.now()
        async with self._uow() as uow:
            listing = await public_directory.directory(uow, self._settings)
        return directory_page(listing.people, self._settings.program.name, when)
