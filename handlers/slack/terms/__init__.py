"""Slack listeners of terms (one per module): the renewal form (open, submit) and stepping down
(confirm, cancel); the blocks are in `views`, the renewal form in events.views."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    # Imported here, not above: importing a feature's views (other features use its ids) must not
    # import its listeners, which import other features' views in turn.
    from handlers.slack.terms import renewal_start, renewal_submit, retire_cancel, retire_confirm

    retire_confirm.register(app)
    retire_cancel.register(app)
    renewal_start.register(app)
    renewal_submit.register(app)
