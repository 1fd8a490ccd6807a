"""Read the values of a submitted modal (view.state.values) into a flat dict."""

from __future__ import annotations

from typing import Any


def form_values(view: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    values = ((view or {}).get("state") or {}).get("values") or {}
    if not isinstance(values, dict):
        return out
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            continue
        for element in actions.values():
            if not isinstance(element, dict):
                continue
            value = element.get("value")
            if value is None and isinstance(element.get("selected_option"), dict):
                value = element["selected_option"].get("value")
            if value is None and element.get("type") == "users_select":
                value = element.get("selected_user")
            out[str(block_id)] = value if isinstance(value, str) or value is None else str(value)
    return out
