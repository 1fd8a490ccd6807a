"""Linking a Slack person to their forum account.

Self-service proves ownership: the bot sends a one-time code by forum private message and the
person types it back in Slack. Only a hash of the code is stored; a code lasts 15 minutes, allows 5
attempts, works once, and asking for a new code voids the old one. Moderators may link by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Settings
from bot.program import home, outbox
from bot.program.applications import FORUM_USERNAME
from bot.program.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.program.forum_accounts import ForumAccounts, require_account
from bot.program.permissions import require_moderator
from bot.program.ports import Clock, NoSignal, OutboxSignal
from bot.program.roles import Roles
from storage.enums import Platform
from storage.linking import LinkCode
from storage.models import Person
from storage.uow import UnitOfWork

CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
CODES_PER_HOUR = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(person_id: int, username: str, code: str) -> str:
    return hashlib.sha256(f"{person_id}:{username.lower()}:{normalise_code(code)}".encode()).hexdigest()


def check_username(username: str) -> str:
    name = username.strip().lstrip("@")
    if not FORUM_USERNAME.match(name):
        raise InvalidInput(
            "That doesn't look like a forum username (letters, digits, _ . and -, 2 to 60 characters)."
        )
    return name


@dataclass(frozen=True)
class LinkStarted:
    forum_username: str
    expires_at: datetime


@dataclass(frozen=True)
class Linked:
    slack_user_id: str
    forum_username: str
    previous: str | None


class LinkingService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        settings: Settings,
        roles: Roles,
        clock: Clock,
        signal: OutboxSignal | None = None,
        make_code: Callable[[], str] = new_code,
        forum: ForumAccounts | None = None,
    ) -> None:
        self._uow = uow
        self._settings = settings
        self._roles = roles
        self._clock = clock
        self._signal = signal or NoSignal()
        self._make_code = make_code
        self._forum = forum

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

    async def start(self, slack_user_id: str, forum_username: str, display_name: str = "") -> LinkStarted:
        username = check_username(forum_username)
        if not self._settings.discourse.enabled:
            raise Conflict("The forum is not connected to this bot, so there is nothing to link yet.")
        username = await self._forum_name(username)
        command = self._settings.slack.command
        now = self._clock.now()
        code = self._make_code()
        async with self._uow() as uow:
            person = await uow.people.get_or_create_slack(slack_user_id, display_name)
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
            await uow.audit.record(
                at=now,
                actor=slack_user_id,
                platform=Platform.SLACK,
                action="link.code_sent",
                subject_type="person",
                subject_id=person.id,
                after={"forum_username": username},
            )
            await outbox.queue(
                uow,
                f"link:{link.id}:code",
                outbox.DISCOURSE_POST,
                {
                    "raw": (
                        f"Hello {username},\n\nSomeone (hopefully you) asked to link this forum account to "
                        f"their Slack account in {self._settings.program.name}. Your one-time code is:\n\n"
                        f"**{code}**\n\nIn Slack, type `{command} link confirm {code}` within "
                        f"{int(CODE_TTL.total_seconds() // 60)} minutes. If this wasn't you, ignore this "
                        "message: nothing changes without the code."
                    ),
                    "title": "Your ambassador-bot link code",
                    "archetype": "private_message",
                    "target_recipients": username,
                    # The code must not stay in the database once sent (or given up on).
                    outbox.REDACT_AFTER: ["raw"],
                },
                now,
            )
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
                await uow.audit.record(
                    at=now,
                    actor=slack_user_id,
                    platform=Platform.SLACK,
                    action="link.code_wrong",
                    subject_type="person",
                    subject_id=person.id,
                    after={"attempts": link.attempts},
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
        await require_moderator(
            self._uow,
            self._roles,
            self._clock,
            moderator,
            "link.manual",
            "slack_user",
            slack_user_id,
            "Only moderators can link someone else's forum account.",
        )
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
        await uow.audit.record(
            at=now,
            actor=actor,
            platform=Platform.SLACK,
            action=action,
            subject_type="person",
            subject_id=person.id,
            before=before,
            after={"forum_username": username, "linked": True},
        )
        await home.queue_refresh(uow, self._settings, self._roles, person.slack_user_id, now)
        return Linked(person.slack_user_id, username, previous)
