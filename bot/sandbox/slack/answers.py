"""What Slack does with the bot's answer to a ``view_submission``
(https://api.slack.com/surfaces/modals#interactions, "Responding to view submissions"): an empty
200 closes the modal; ``response_action`` ``errors`` shows errors beside the named input blocks,
``update`` replaces the view, ``push`` pushes a new one and ``clear`` closes them all; any other
answer (not 200, not a JSON object) leaves the modal open with an error for the person."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx

from bot.sandbox.slack.common import ApiError, JSONDict

if TYPE_CHECKING:
    from bot.sandbox.slack.standin import SlackStandIn


class ViewAnswer:
    """The answer applied: what a careful reviewer would flag (``problems``) and the errors shown."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.errors: dict[str, str] | None = None


def apply_view_answer(
    standin: SlackStandIn, view_id: str, view: JSONDict, user_id: str, response: httpx.Response
) -> ViewAnswer:
    out = ViewAnswer()
    if response.status_code != 200:
        out.problems.append(f"view_submission answered HTTP {response.status_code}; modal stays open")
        return out
    text = response.text.strip()
    if not text:
        standin.remove_view(view_id)
        return out
    try:
        answer = json.loads(text)
    except ValueError:
        out.problems.append("view_submission answer is not JSON; modal stays open")
        return out
    if not isinstance(answer, dict):
        out.problems.append("view_submission answer is not a JSON object; modal stays open")
        return out
    action = answer.get("response_action")
    try:
        if not answer or action is None:
            standin.remove_view(view_id)
        elif action == "errors":
            _show_errors(out, view, answer.get("errors"))
        elif action == "update":
            standin.apply_view_update(view_id, answer.get("view"))
        elif action == "push":
            standin.apply_view_push(user_id, answer.get("view"))
        elif action == "clear":
            standin.clear_views(user_id)
        else:
            out.problems.append(f"unknown response_action {action!r}")
    except ApiError as exc:
        out.problems.append(f"response_action {action!r} rejected by Slack: {exc.error} {exc.extra}")
    return out


def _show_errors(out: ViewAnswer, view: JSONDict, errors: object) -> None:
    """Errors are keyed by the ``block_id`` of an input block of the view."""
    if not isinstance(errors, dict) or not errors:
        out.problems.append("response_action errors without an errors object")
        return
    out.errors = {str(k): str(v) for k, v in errors.items()}
    input_ids = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
    unknown = sorted(set(out.errors) - input_ids)
    if unknown:
        out.problems.append(f"errors for unknown input block_ids {unknown}")
