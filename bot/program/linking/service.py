"""`LinkingService`: a Slack person linked to their forum account.

Self-service proves ownership: the bot sends a one-time code by forum private message and the
person types it back in Slack. A code lasts 15 minutes, allows 5 attempts, works once, and asking
for a new code voids the old one. Moderators may link by hand (`Permission.LINK_MANUAL`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.program import audit, home, outbox
from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.program.forum_accounts import require_account
from bot.program.linking.codes import (
    CODE_TTL,
    CODES_PER_HOUR,
    MAX_ATTEMPTS,
    check_username,
    code_hash,
    new_code,
    normalise_code,
)
from bot.program.linking.messages import LinkCodeMessage
from bot.program.permissions import GuardedService, Permission, Subject
from storage.linking import LinkCode
from storage.models import Person
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class LinkStarted:
    forum_username: str
    expires_at: datetime


@dataclass(frozen=True)
class Linked:
    slack_user_id: str
    forum_username: str
    previous: str | None


async def _audit(
    uow: UnitOfWork, person: Person, actor: str, action: str, now: datetime, **changes: Any
) -> None:
    """One audit line about the person's link (`changes`: before/after)."""
    await audit.log(uow, now, actor, action, ("person", person.id), **changes)


class LinkingService(GuardedService):
    _make_code = staticmethod(new_code)  # one-time codes (a test may swap it on an instance)

    async def _forum_name(self, username: str) -> str:
        """The forum's own spelling of the account, refusing a name the forum does not know (a
        link to it could never be used, and the code PM to it would bounce)."""
        if self._forum is None:
            return username
        return await require_account(self._forum, username)

    async def _holder_check(self, uow: UnitOfWork, person: Person, username: str) -> None:
        other = await uow.people.by_forum_username(username)
        if other is not None and other.id != person.id:
            raise Conflict(
                f"The forum account {username} is already linked to someone else here. "
                "If that is wrong, ask a moderator."
            )

    async def _may_start(self, uow: UnitOfWork, person: Person, username: str, now: datetime) -> None:
        """Refuse a new code for an account already linked to this person or to someone else, and
        beyond CODES_PER_HOUR."""
        if (
            person.forum_username
            and person.forum_username.lower() == username.lower()
            and person.forum_linked_at is not None
        ):
            raise Conflict(f"You are already linked to the forum account {person.forum_username}.")
        await self._holder_check(uow, person, username)
        if await uow.link_codes.created_since(person.id, now - timedelta(hours=1)) >= CODES_PER_HOUR:
            raise Conflict(
                f"You asked for {CODES_PER_HOUR} codes in the last hour. Please wait a while, "
                "or ask a moderator to link your account."
            )

    async def start(self, slack_user_id: str, forum_username: str, display_name: str = "") -> LinkStarted:
        username = check_username(forum_username)
        if not self._settings.discourse.enabled:
            raise Conflict("The forum is not connected to this bot, so there is nothing to link yet.")
        username = await self._forum_name(username)
        now = self._clock.now()
        code = self._make_code()
        async with self._uow() as uow:
            person = await uow.people.get_or_create_slack(slack_user_id, display_name)
            await self._may_start(uow, person, username, now)
            await uow.link_codes.expire_unused(person.id, now)
            link = await uow.link_codes.add(
                LinkCode(
                    person_id=person.id,
                    forum_username=username,
                    code_hash=code_hash(person.id, username, code),
                    created_at=now,
                    expires_at=now + CODE_TTL,
                    attempts=0,
                )
            )
            await _audit(
                uow, person, slack_user_id, "link.code_sent", now, after={"forum_username": username}
            )
            minutes = int(CODE_TTL.total_seconds() // 60)
            settings = self._settings
            told = LinkCodeMessage(username, code, settings.program.name, settings.slack.command, minutes)
            # The code must not stay in the database once sent (or given up on).
            secret: dict[str, Any] = {outbox.REDACT_AFTER: ["data"]}
            await outbox.forum_post(uow, f"link:{link.id}:code", told, now, recipients=username, **secret)
            result = LinkStarted(username, link.expires_at)
        self._signal.kick()
        return result

    async def confirm(self, slack_user_id: str, code: str) -> Linked:
        command = self._settings.slack.command
        if not normalise_code(code):
            raise InvalidInput(
                f"Please give the code from the forum message: `{command} link confirm ABCD-EFGH`."
            )
        now = self._clock.now()
        problem: str | None = None
        async with self._uow() as uow:
            person = await uow.people.by_slack_id(slack_user_id)
            link = await uow.link_codes.latest_unused(person.id) if person else None
            if person is None or link is None:
                raise NotFound(
                    f"No link is waiting for a code. Start with `{command} link <forum-username>`."
                )
            again = f"Ask for a new code with `{command} link {link.forum_username}`."
            if link.expires_at <= now:
                raise Conflict(f"That code has expired (codes last 15 minutes). {again}")
            if link.attempts >= MAX_ATTEMPTS:
                raise Conflict(f"Too many wrong tries for this code. {again}")
            if not hmac.compare_digest(link.code_hash, code_hash(person.id, link.forum_username, code)):
                link.attempts += 1
                left = MAX_ATTEMPTS - link.attempts
                await _audit(
                    uow, person, slack_user_id, "link.code_wrong", now, after={"attempts": link.attempts}
                )
                problem = (
                    f"That code is not right. {left} tr{'y' if left == 1 else 'ies'} left."
                    if left
                    else f"That code is not right, and that was the last try. {again}"
                )
            else:
                link.used_at = now
                result = await self._link(
                    uow, person, link.forum_username, slack_user_id, "link.confirmed", now
                )
        if problem is not None:  # raised after the commit, so the attempt counts
            raise InvalidInput(problem)
        self._signal.kick()
        return result

    async def link_by_moderator(self, moderator: str, slack_user_id: str, forum_username: str) -> Linked:
        await self._guard.require(moderator, Permission.LINK_MANUAL, Subject(slack_user_id))
        username = await self._forum_name(check_username(forum_username))
        now = self._clock.now()
        async with self._uow() as uow:
            person = await uow.people.get_or_create_slack(slack_user_id)
            result = await self._link(uow, person, username, moderator, "link.by_moderator", now)
        self._signal.kick()
        return result

    async def _link(
        self, uow: UnitOfWork, person: Person, username: str, actor: str, action: str, now: datetime
    ) -> Linked:
        if person.slack_user_id is None:
            raise NotAllowed("Only Slack members can be linked.")
        await self._holder_check(uow, person, username)
        previous = person.forum_username
        before = {"forum_username": previous, "linked": person.forum_linked_at is not None}
        if previous is None or previous.lower() != username.lower():
            person.forum_user_id = None  # the old account's id no longer applies
        person.forum_username = username
        person.forum_linked_at = now
        after = {"forum_username": username, "linked": True}
        await _audit(uow, person, actor, action, now, before=before, after=after)
        await home.queue_refresh(uow, self._settings, self._roles, person.slack_user_id, now)
        return Linked(person.slack_user_id, username, previous)
