"""The official group handover checklist, and the recognition message of its last step."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.program import outbox
from bot.program.errors import Conflict, InvalidInput, NotFound
from bot.program.groups import reports as group_reports
from bot.program.groups.base import GroupBase
from bot.program.groups.forms import ROLE_WORDS, URL_PATTERN, StepResult, slack_escape
from bot.program.groups.messages import ForumRecognition, GroupRecognition
from bot.program.groups.rendering import TemplateFailed
from bot.program.groups.screening import (
    one_line,
)
from bot.program.messages import MessageRef, Notice, slack_message
from bot.program.permissions import Permission
from storage.enums import UserGroupStatus
from storage.groups import GroupHandoverStep, UserGroup
from storage.uow import UnitOfWork


class Handover(GroupBase):
    """The official group handover checklist, and the recognition message of its last step."""

    async def step_needs(self, actor: str, group_id: int, key: str) -> tuple[str, str]:
        """(step title, what it needs) after the permission check, so a person who may not tick
        the step is told so before any modal opens."""
        async with self._uow() as uow:
            _g, step = await self._check_step(uow, actor, group_id, key)
            return step.title, step.needs

    async def _check_step(
        self, uow: UnitOfWork, actor: str, group_id: int, key: str
    ) -> tuple[UserGroup, GroupHandoverStep]:
        g = await self._load(uow, group_id)
        steps = {s.key: s for s in await uow.groups.steps(g.id)}
        step = steps.get(key)
        if step is None:
            raise NotFound(f"{g.title} has no handover step {key[:40]!r}.")
        allowed = {r for r in step.completes.split(",") if r}
        who = " or ".join(ROLE_WORDS.get(r, r) for r in sorted(allowed))
        refusal = f"“{step.title}” can only be ticked by {who}."
        step_done = f"group.step.{key}"
        await self._require_for(
            actor, Permission.GROUP_HANDOVER_STEP, g, refusal, step_done, frozenset(allowed)
        )
        if step.completed_at is not None:
            raise Conflict(
                f"“{step.title}” was already done by <@{step.completed_by}> on {step.completed_at:%Y-%m-%d}."
            )
        if g.status == UserGroupStatus.OFFICIAL:
            raise Conflict(f"{g.title} is already official.")
        if g.status != UserGroupStatus.APPROVED:
            raise Conflict(f"{g.title} is not approved, so its handover has not started.")
        return g, step

    async def complete_step(
        self,
        actor: str,
        group_id: int,
        key: str,
        value: str | None = None,
        ref: MessageRef | None = None,
    ) -> StepResult:
        now = self._clock.now()
        async with self._uow() as uow:
            g, step = await self._check_step(uow, actor, group_id, key)
            if step.needs == "link":
                value = one_line(value)
                if not value:
                    raise InvalidInput(
                        "A link is needed.", {"value": "Paste the link (or the Slack file's link)."}
                    )
                if not URL_PATTERN.match(value) or len(value) > 1000:
                    raise InvalidInput("Not a link.", {"value": "Give a full link starting with https://"})
            else:
                value = None
            if not await uow.groups.complete_step(g.id, key, actor, now, value):
                raise Conflict(f"“{step.title}” was done by someone else a moment ago.")
            await self._audit(uow, actor, now, g.id, "group.step_done", after={"step": key, "value": value})
            steps = await uow.groups.steps(g.id)
            done = sum(1 for s in steps if s.completed_at is not None)
            official = False
            leaders = 0
            if done == len(steps) and await uow.groups.move(
                g.id,
                (UserGroupStatus.APPROVED,),
                status=UserGroupStatus.OFFICIAL,
                official_at=now,
                updated_at=now,
            ):
                g = await self._load(uow, g.id)
                official = True
                leaders = await self._recognise(uow, g, now)
            posted = slack_message(g.handover_channel, g.handover_ts)
            checklist = await self._handover_card(uow, g)
            key = f"group:{g.id}:handover-update:{uuid.uuid4().hex}"
            await outbox.redraw(uow, key, posted, ref, checklist, now)
            result = StepResult(g.id, g.title, step.title, done, len(steps), official, leaders)
        self._signal.kick()
        return result

    def render_recognition(self, g: UserGroup, leader: str, mentor: str, slack: bool) -> tuple[str, str]:
        """(title, text) of the recognition message from the configured Jinja2 templates.
        For Slack the values are escaped (a group name can't ping @channel); `leader` and
        `mentor` are passed as they should appear (a Slack mention, or a forum name)."""

        def esc(text: str) -> str:
            return slack_escape(text) if slack else text

        values = {
            "group": esc(g.title),
            "leader": leader,
            "community": esc(self._cfg.community),
            "city": esc(g.city),
            "region": esc(g.region),
            "country": esc(g.country),
            "mentor": mentor,
            "program": esc(self._settings.program.name),
        }
        try:
            text = self._renderer.render(self._cfg.recognition_template, values)
            title = self._renderer.render(self._cfg.recognition_title, values)
        except TemplateFailed as err:
            raise Conflict(f"The recognition template in the config does not render: {err}") from None
        return one_line(title)[:200], text.strip()[:3500]

    async def _recognise(self, uow: UnitOfWork, g: UserGroup, now: datetime) -> int:
        """The recognition message, once to every leader: a Slack DM to leaders on Slack, a forum
        private message to the others. Outbox keys are per group and leader, so it can't repeat."""
        mentor_person = await uow.people.by_slack_id(g.mentor_slack_id) if g.mentor_slack_id else None
        # Each delivery's outcome is recorded; the last one posts who got it and who did not.
        report = {"type": "group_recognition", "group_id": g.id, "channel": self.review_channel}
        count = 0
        for o in await uow.groups.organisers(g.id):
            if o.slack_user_id:
                title, text = self.render_recognition(
                    g, f"<@{o.slack_user_id}>", f"<@{g.mentor_slack_id}>" if g.mentor_slack_id else "", True
                )
                key = f"{group_reports.recognition_key_prefix(g.id)}slack:{o.slack_user_id}"
                message = GroupRecognition(title=title, text=text)
                await outbox.dm(uow, key, o.slack_user_id, message, now, on_delivered=report)
                count += 1
            elif o.forum_username and self._settings.discourse.enabled:
                mentor = ""
                if mentor_person is not None:
                    mentor = (
                        f"@{mentor_person.forum_username}"
                        if mentor_person.forum_username and mentor_person.forum_linked_at
                        else mentor_person.display_name
                    )
                title, text = self.render_recognition(g, o.forum_username, mentor, False)
                pm = ForumRecognition(title, text)
                key = f"{group_reports.recognition_key_prefix(g.id)}forum:{o.forum_username.lower()}"
                await outbox.forum_post(uow, key, pm, now, recipients=o.forum_username, on_delivered=report)
                count += 1
        before, after = {"status": UserGroupStatus.APPROVED}, {"status": UserGroupStatus.OFFICIAL}
        await self._audit(
            uow, "bot", now, g.id, "group.official", before, {**after, "leaders_recognised": count}
        )
        official = Notice(
            f"🎉 *{slack_escape(g.title)}* is now an official user group. "
            + (
                f"The recognition message is on its way to {count} "
                f"leader{'s' if count != 1 else ''}; the delivery report follows here."
                if count
                else "No leader can be sent the recognition message (none on Slack, and the "
                "forum is not connected)."
            )
        )
        await outbox.post(uow, f"group:{g.id}:official", self.review_channel, official, now)
        return count
