"""The directory profile modal was submitted."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.program.directory.profiles import PUBLIC_FIELDS_KEY, PUBLIC_LISTED, SaveResult
from handlers.slack import blocks, kit
from handlers.slack.blocks import Block
from handlers.slack.directory.views import PROFILE_VIEW


async def _save(s: kit.Sent) -> SaveResult:
    sent = s.submission
    form = dict(sent.values)
    for key in (PUBLIC_LISTED, PUBLIC_FIELDS_KEY):  # checkboxes: the ticked values, if the form had them
        if key in sent.values:
            form[key] = ",".join(sent.multi.get(key, ()))
    return await s.services.profiles.save(sent.user.id, form, sent.user.name)


def _saved(result: SaveResult, s: kit.Sent) -> Block:
    note = " Your onboarding step “profile” is done." if result.step_completed else ""
    find = f"`{s.services.settings.slack.command} find`"
    public = "yes" in s.submission.multi.get(PUBLIC_LISTED, ())
    if result.listed:
        said = f"Saved. People can now find you with {find}.{note}"
        if public:
            said += " You are listed on the public directory with the fields you ticked."
    else:  # `find` and the public directory list active ambassadors only
        said = f"Saved. Your profile will be listed in {find} once you are an ambassador."
        if public:
            said += " The public directory will list you then too."
    return blocks.notice_modal(said, title="Profile saved")


on_submit = kit.on_submit(_save, _saved)


def register(app: AsyncApp) -> None:
    app.view(PROFILE_VIEW)(on_submit)
