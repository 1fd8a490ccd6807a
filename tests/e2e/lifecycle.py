"""Shared steps for the lifecycle end-to-end tests (nominations, onboarding, directory, ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.sandbox.harness.stack import ALICE, MOD, MOD_CHANNEL, Stack
from storage.models import AuditEntry


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        el.get("action_id", "")
        for block in message.get("blocks", [])
        if block.get("type") == "actions"
        for el in block.get("elements", [])
    ]


def all_text(message: dict[str, Any]) -> str:
    """The text a person sees: the fallback text and every section/context/header text."""
    parts = [str(message.get("text", ""))]
    for block in message.get("blocks", []):
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for el in block.get("elements", []) or []:
            if isinstance(el, dict) and isinstance(el.get("text"), (str, dict)):
                t = el["text"]
                parts.append(str(t.get("text", "")) if isinstance(t, dict) else t)
        for field in block.get("fields", []) or []:
            parts.append(str(field.get("text", "")))
    return "\n".join(parts)


async def say(stack: Stack, user: str, text: str) -> str:
    """Run a slash command; the private answer's text (blocks included)."""
    resp = await stack.actor.slash(user, text)
    assert resp.status_code == 200, resp.text
    if not resp.text.strip():
        return ""
    body = resp.json()
    assert body.get("response_type") == "ephemeral"
    return all_text(body)


async def make_ambassador(stack: Stack, user: str = ALICE, **answers: str) -> None:
    review = await stack.apply(user, **answers)
    resp = await stack.actor.click(MOD, MOD_CHANNEL, review["ts"], "application_approve")
    assert resp.status_code == 200
    await stack.settle()


async def audit_actions(stack: Stack) -> list[str]:
    async with stack.runtime.uow() as uow:
        rows = (await uow.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [a.action for a in rows]


def last_response_text(stack: Stack) -> str:
    """The latest private answer sent through a response_url (button clicks)."""
    return str(stack.slack.responses[-1].get("text", "")) if stack.slack.responses else ""
