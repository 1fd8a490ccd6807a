"""Typed outbound messages and the neutral reference to a message a decision came from.

Every message the program sends is a frozen dataclass deriving from `Message`, its `kind` a
`Literal` class constant: the service builds it with everything the message shows, including which
actions are still allowed. The outbox keeps a message as its kind and its JSON data (`encode`), so
rows written before a restart stay deliverable; at the edge a renderer gets the typed message back
(`decode`) and draws it for its platform. A renderer is registered for a kind explicitly, in the
platform's registry (handlers/slack/renderers.py), never by being imported.

`MessageRef` names the message a click or a decision refers to (the review card that is redrawn
when an application is decided) without the program knowing Slack's `channel`/`ts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import TypeAdapter, ValidationError

from storage.enums import Platform


class Message:
    """The base of every outbound message kind (each a frozen dataclass with a `kind`).

    `data_keys` renames fields in the row's data (field name -> key), for a key a field cannot be
    called: a request's kind is "kind" in its rows, and `kind` already names the message kind."""

    kind: ClassVar[str]
    data_keys: ClassVar[Mapping[str, str]] = {}


M = TypeVar("M", bound=Message)


_ADAPTERS: dict[type[Message], TypeAdapter[Any]] = {}


def _adapter(cls: type[Message]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def encode(message: Message) -> dict[str, Any]:
    """The message's data as the outbox row keeps it (JSON types only; the kind is kept apart)."""
    data: dict[str, Any] = _adapter(type(message)).dump_python(message, mode="json")
    for field_name, key in type(message).data_keys.items():
        if field_name in data:
            data[key] = data.pop(field_name)
    return data


def decode(cls: type[M], data: Mapping[str, Any]) -> M:
    """The typed message back from a row's data. Unknown keys are ignored (a row written by an
    older version); a missing or mistyped field raises `ValueError`, naming the fields but never
    their values: this version cannot render the row, and retrying will not help."""
    fields = dict(data)
    for field_name, key in cls.data_keys.items():
        if key in fields:
            fields[field_name] = fields.pop(key)
    try:
        message: M = _adapter(cls).validate_python(fields)
    except ValidationError as err:
        # Only where and what: pydantic's own text quotes the row's values (personal data, a
        # one-time code), and this message ends up in the log and on the failed row.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'the row'}: {e['type']}" for e in err.errors()[:5]
        )
        raise ValueError(f"a {cls.kind} row does not fit its message ({problems})") from None
    return message


@dataclass(frozen=True)
class MessageRef:
    """A message on a platform that a decision refers to: where it is and its id there (a Slack
    message's `ts`, a forum post's id)."""

    platform: Platform
    channel: str
    id: str


def slack_message(channel: str | None, ts: str | None) -> MessageRef | None:
    """The neutral reference to a Slack message (`ts` is its id there); None when either part is
    missing, as for a click on the Home tab, which is not a message."""
    return MessageRef(Platform.SLACK, channel, ts) if channel and ts else None


@dataclass(frozen=True)
class Notice(Message):
    """A plain line of text (a confirmation, a note to the review channel)."""

    kind: ClassVar[Literal["notice"]] = "notice"
    text: str


@dataclass(frozen=True)
class ForumReply(Message):
    """A forum post whose Markdown was written at the edge that answers (a reply to a forum
    command), posted as it is."""

    kind: ClassVar[Literal["forum_reply"]] = "forum_reply"
    markdown: str
