"""`/ambassador report` (moderators): the program report, sent as a direct message with a chart."""

from __future__ import annotations

from bot.render.charts import chart_png
from handlers.slack.subcommands.base import SlashCommand

NAME = "report"


async def run(cmd: SlashCommand) -> None:
    reports = cmd.services.reports
    await reports.check(cmd.user)  # a refusal is answered (and audited) before anything else
    # Counting and drawing the chart can take longer than the 3 s Slack waits for an answer.
    await cmd.reply("Putting the report together; it arrives in a direct message from me in a moment.")
    await reports.send(cmd.user, chart_png)  # the chart is drawn here, at the edge
