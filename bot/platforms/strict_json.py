"""JSON from outside, read strictly: a decoder RecursionError (10 000 nested ``[``), nesting
deeper than either platform ever sends, or anything that is not JSON is `Malformed`."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # Slack's payloads nest about 12 levels (a view's blocks inside a click)


class Malformed(ValueError):
    """The body, though signed, is not something the platform sends; answered 400."""


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("body is not UTF-8") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed("body is not valid JSON") from None
    if too_deep(data, max_depth):
        raise Malformed(f"JSON nested deeper than {max_depth} levels")
    return data


def too_deep(data: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit` (iterative: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
