"""The outbox and the platforms: `outbox failures`, `outbox retry` and `sync discourse`."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

import click

from bot.cli.base import settings_of
from bot.cli.database import require_ready, run_work
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


@sync.command("discourse")
@click.option("--no-deliver", is_flag=True, help="Only queue the fixes; the running bot delivers them.")
@click.option(
    "--timeout", default=3600.0, show_default=True, help="Seconds to wait for the fixes to be delivered."
)
@click.pass_context
def sync_discourse(ctx: click.Context, no_deliver: bool, timeout: float) -> None:
    """Compare the forum's badge holders and group members with the records; fix and report."""
    settings = settings_of(ctx)
    if not settings.discourse.enabled:
        raise click.ClickException("no forum configured: set [discourse] url, api_key and api_username")
    require_ready(settings)

    async def go() -> int:
        from bot.runtime import build_runtime

        rt = await build_runtime(settings)
        try:
            report = await rt.services.sync.reconcile(actor="cli")
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
