"""The outbox and the platforms: `outbox failures`, `outbox retry` and `sync discourse`."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

import click

from bot.cli.base import settings_of
from bot.cli.database import require_ready, run_work
from bot.cli.roster import operator_option
from bot.program.text import plural


@click.group()
def outbox() -> None:
    """Inspect and retry outbound deliveries."""


@outbox.command("failures")
@click.pass_context
def outbox_failures(ctx: click.Context) -> None:
    """List deliveries that failed or are being retried."""

    async def work(uow: Any) -> list[Any]:
        async with uow() as u:
            return list(await u.outbox.failures(50))

    rows = run_work(settings_of(ctx), work)
    if not rows:
        click.echo("No failed or retrying deliveries.")
    for r in rows:
        click.echo(f"#{r.id} {r.kind} {r.key} [{r.status}, {plural(r.attempts, 'attempt')}]: {r.last_error}")


@outbox.command("retry")
@click.pass_context
def outbox_retry(ctx: click.Context) -> None:
    """Queue every failed delivery again (after you fixed the cause)."""

    async def work(uow: Any) -> int:
        async with uow() as u:
            count: int = await u.outbox.retry_failed(datetime.now(UTC))
            return count

    click.echo(f"{plural(run_work(settings_of(ctx), work), 'failed delivery')} queued again.")


@click.group()
def sync() -> None:
    """Bring the bot's records and the platforms in line."""


async def _adopt(rt: Any, yes: bool, operator: str) -> None:
    """`--adopt`: list the badge holders unknown here first, then (confirmed) make them active
    ambassadors from today, as an import does, before the reconciliation."""
    from bot.program.permissions import ServiceDeps
    from bot.program.roster.service import ImportOptions, RosterService, plural

    unknown = await rt.services.sync.unknown_holders()
    if not unknown:
        click.echo("Every holder of the ambassador badge is known here; nobody to adopt.")
        return
    click.echo(f"{plural(len(unknown), 'badge holder')} unknown here: {', '.join(unknown)}")
    if not yes and not click.confirm("Adopt them as active ambassadors, their term starting today?"):
        click.echo("Nobody adopted.")
        return
    deps = ServiceDeps(rt.uow, rt.settings, rt.services.roles, rt.clock, rt.worker)
    report = await RosterService(deps, None, None).adopt(unknown, ImportOptions(operator, source="forum"))
    for line in report.refused:
        click.echo(f"  not adopted: {unknown[line.line - 1]}: {line.reason}")
    adopted = [p.line.forum_username for p in report.planned] if report.written else []
    click.echo(f"Adopted {plural(len(adopted), 'ambassador')}: {', '.join(adopted) or '-'}")
    if adopted:
        click.echo("They have no Slack account here yet; to give them one, import a CSV such as:")
        click.echo("  email,name,forum_username,term_start")
        for p in report.planned:
            click.echo(f"  <their email>,{p.line.name},{p.line.forum_username},{p.line.term_start:%Y-%m-%d}")


@sync.command("discourse")
@click.option("--no-deliver", is_flag=True, help="Only queue the fixes; the running bot delivers them.")
@click.option(
    "--timeout", default=3600.0, show_default=True, help="Seconds to wait for the fixes to be delivered."
)
@click.option(
    "--adopt",
    is_flag=True,
    help="First list the badge holders unknown here and (once you confirm) make them ambassadors.",
)
@click.option("--yes", is_flag=True, help="With --adopt: adopt without asking (for scripts).")
@operator_option
@click.pass_context
def sync_discourse(
    ctx: click.Context, no_deliver: bool, timeout: float, adopt: bool, yes: bool, operator: str
) -> None:
    """Compare the forum's badge holders and group members with the records; fix and report."""
    settings = settings_of(ctx)
    if not settings.discourse.enabled:
        raise click.ClickException("no forum configured: set [discourse] url, api_key and api_username")
    require_ready(settings)

    async def go() -> int:
        from bot.runtime import build_runtime

        rt = await build_runtime(settings)
        try:
            if adopt:
                await _adopt(rt, yes, operator)
            report = await rt.services.sync.reconcile(actor=operator)
            for line in report.lines():
                click.echo(line)
            if no_deliver or report.changes == 0:
                return 0
            click.echo(f"Delivering {plural(report.changes, 'fix')}, paced under the forum's limit…")
            waiting = await rt.worker.drain_until_idle(timeout)
            if waiting:
                click.echo(f"{plural(waiting, 'delivery')} still waiting; the running bot will finish them.")
                return 1
            click.echo("All fixes delivered.")
            return 0
        finally:
            await rt.close()

    sys.exit(asyncio.run(go()))


COMMANDS = (outbox, sync)
