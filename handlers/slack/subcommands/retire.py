"""`/ambassador retire`: ask for confirmation before ending the term."""

from __future__ import annotations

from handlers.slack.subcommands.base import SlashCommand
from handlers.slack.terms.views import retire_prompt

NAME = "retire"


async def run(cmd: SlashCommand) -> None:
    prompt = await cmd.services.lifecycle.retire_prompt(cmd.user)
    text, blk = retire_prompt(prompt.ambassador_id, prompt.term_start, prompt.term_end)
    if cmd.respond is None or not cmd.respond.response_url:
        await cmd.reply(text, blk)
        return
    # Sent through the response_url, so the buttons' clicks can replace this very message.
    await cmd.ack()
    await cmd.respond(text=text, blocks=blk, response_type="ephemeral")
