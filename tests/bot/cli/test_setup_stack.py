"""`setup discourse` on the sandbox's forum, with the running bot: the webhook it makes points at
the bot, `doctor` is then satisfied with it, and a delivery the way that webhook is configured
(its secret, JSON) is accepted by the bot."""

from __future__ import annotations

from bot.cli.setup import Options, run_setup
from bot.doctor import run_doctor
from bot.sandbox.harness.stack import BADGE_ID, GROUP, start_stack


async def test_setup_then_doctor_then_a_delivery_the_webhook_would_send(db_url: str) -> None:
    async with start_stack(db_url) as stack:
        settings = stack.settings.replace(server={"public_url": stack.bot_url})
        lines: list[str] = []
        opts = Options(badge_name="Ambassador", group=GROUP, public_url=stack.bot_url, dry_run=False)
        values = await run_setup(settings, opts, lines.append)
        assert f"  found         badge 'Ambassador' (id {BADGE_ID})" in lines
        assert values == {}  # the sandbox's config already names the badge, group and secret
        (hook,) = stack.forum.web_hooks.values()
        assert hook["payload_url"] == f"{stack.bot_url}/discourse/webhooks"

        report: list[str] = []
        assert await run_doctor(settings, report.append), "\n".join(report)
        assert any("ok    webhook 1 to" in line for line in report)

        stack.forum_actor.secret = hook["secret"]
        answer = await stack.forum_actor.ping()
        assert answer.status_code == 200 and answer.json() == {"ok": True, "event": "ping"}
