"""The directory profile modal was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.directory.profiles import SaveResult
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.directory.views import PROFILE_VIEW


async def _save(s: kit.Sent) -> SaveResult:
    sent = s.submission
    return await s.services.profiles.save(sent.user.id, dict(sent.values), sent.user.name)


def _saved(result: SaveResult, s: kit.Sent) -> Block:
    note = " Your onboarding step “profile” is done." if result.step_completed else ""
    find = f"`{s.services.settings.slack.command} find`"
    if result.listed:
        said = f"Saved. People can now find you with {find}.{note}"
    else:  # `find` lists active ambassadors only
        said = f"Saved. Your profile will be listed in {find} once you are an ambassador."
    return blocks.notice_modal(said, title="Profile saved")


on_submit = kit.on_submit(_save, _saved)


def register(app: AsyncApp) -> None:
    app.view(PROFILE_VIEW)(on_submit)
