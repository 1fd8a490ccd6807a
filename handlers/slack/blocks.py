"""Shared Block Kit helpers: the help answer, the notice message and modal, `render`.

`render(template, data)` / `render_view(template, data)` turn an outbox message (neutral data)
into Slack text + blocks; they look the template up in `handlers.slack.renderers.slack_renderers()`,
the explicit registry built from every feature's views module (nothing registers itself on import).
The other builders serve the command and action handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from bot.program.messages import Message, Notice, decode
from handlers.slack import text as kit

Block = dict[str, Any]
# A message template's renderer (outbox data -> fallback text + blocks) and a view template's.
MessageRenderer = Callable[[Mapping[str, Any]], tuple[str, list[Block]]]
ViewRenderer = Callable[[Mapping[str, Any]], Block]
M = TypeVar("M", bound=Message)


def typed(cls: type[M], build: Callable[[M], tuple[str, list[Block]]]) -> MessageRenderer:
    """The registry entry for a message kind: the row's data decoded into `cls` (a `ValueError`
    when it does not fit: the deliverer fails the row for good), then drawn by `build`."""

    def render(data: Mapping[str, Any]) -> tuple[str, list[Block]]:
        return build(decode(cls, data))

    render.message_type = cls  # type: ignore[attr-defined]  # read by the registry's checks
    return render


def typed_view(cls: type[M], build: Callable[[M], Block]) -> ViewRenderer:
    """`typed` for a whole view (the App Home tab)."""

    def render(data: Mapping[str, Any]) -> Block:
        return build(decode(cls, data))

    render.message_type = cls  # type: ignore[attr-defined]
    return render


MAX_TEXT = kit.SECTION  # the fallback ``text`` of a message is kept to one section's worth

escape = kit.escape
section = kit.section
sections = kit.sections
context = kit.context
button = kit.button


# -- outbox templates --------------------------------------------------------------------------


def _notice(notice: Notice) -> tuple[str, list[Block]]:
    return notice.text, sections(notice.text)[: kit.MESSAGE_BLOCKS]


def templates() -> dict[str, MessageRenderer]:
    """The outbox message templates built here: template name -> renderer."""
    return {Notice.kind: typed(Notice, _notice)}


def render_view(template: str, data: Mapping[str, Any]) -> Block:
    from handlers.slack.renderers import slack_renderers  # the registry imports every views module

    return slack_renderers().render_view(template, data)


def render(template: str, data: Mapping[str, Any]) -> tuple[str, list[Block]]:
    from handlers.slack.renderers import slack_renderers  # the registry imports every views module

    return slack_renderers().render(template, data)


class FormField(Protocol):
    """What a modal's text field is built from (applications, profiles, groups, requests)."""

    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def max_len(self) -> int: ...
    @property
    def required(self) -> bool: ...
    @property
    def multiline(self) -> bool: ...
    @property
    def hint(self) -> str: ...


def text_input(spec: FormField, initial: str | None = None) -> Block:
    """A plain text input for `spec`, limited to its length, prefilled with `initial`."""
    element: Block = {
        "type": "plain_text_input",
        "action_id": spec.key,
        "multiline": spec.multiline,
        "max_length": spec.max_len,
    }
    if initial:
        element["initial_value"] = initial
    return element


def input_block(spec: FormField, element: Block) -> Block:
    """The input block around `element`: `spec`'s label, hint and whether it may stay empty."""
    block: Block = {
        "type": "input",
        "block_id": spec.key,
        "label": {"type": "plain_text", "text": spec.label},
        "element": element,
        "optional": not spec.required,
    }
    if spec.hint:
        block["hint"] = {"type": "plain_text", "text": spec.hint}
    return block


def notice_modal(text: str, title: str = "Ambassador program") -> Block:
    return {
        "type": "modal",
        "title": kit.title(title),
        "close": kit.title("Close"),
        "blocks": sections(text)[: kit.VIEW_BLOCKS] or [section(" ")],
    }
