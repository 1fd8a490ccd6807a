"""The ambassador confirmed stepping down."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack import kit
from handlers.slack.terms.views import RETIRE_CONFIRM

RETIRED = (
    "Your term has ended: you are now an alumnus of the program. Thank you for everything you did! "
    "The moderators have been told. You can apply again any time."
)


async def _retire(p: kit.Press[int]) -> None:
    await p.services.lifecycle.retire(p.target.user, p.id)


on_confirm = kit.on_button(_retire, lambda _result, _p: RETIRED, home=False, replace=True)


def register(app: AsyncApp) -> None:
    app.action(RETIRE_CONFIRM)(on_confirm)
