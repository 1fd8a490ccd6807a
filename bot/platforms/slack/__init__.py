"""The whole Slack edge of the bot, and the only package (with the Bolt wiring in bot.slack) that
imports slack_sdk.

- `inbound`: the signature check on the raw bytes of a request, then one strict decode.
- `parse`: the decoded payload typed strictly (slash command, click, form, event), before Bolt
  dispatches it; the listeners in handlers read these frozen dataclasses, never the raw dict.
- `client`: the Web API client the bot and its deliveries share (429s counted), and the user-group
  look-up the moderator roles need.
- `deliverer`: Slack outbox rows delivered through the Web API, paced per channel; the Block Kit
  renderers are handed in by the composition root (bot.runtime), so nothing here imports handlers.
- `files`: files shared with files_upload_v2, at most once.
"""
