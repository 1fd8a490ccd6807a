"""Block Kit validation: what Slack refuses in views.* and chat.* payloads."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from bot.sandbox.slack.common import (
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    ApiError,
    JSONDict,
    assign_ids,
    invalid_arguments,
)


def validate_view(spec: Any, allowed_types: set[str]) -> JSONDict:
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except ValueError as exc:
            raise ApiError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] view is not valid JSON"]}
            ) from exc
    if not isinstance(spec, dict):
        raise invalid_arguments(["[ERROR] view must be an object"])
    problems: list[str] = []
    vtype = spec.get("type")
    if vtype not in allowed_types:
        problems.append(f"[ERROR] must be one of {sorted(allowed_types)} [json-pointer:/view/type]")
    if vtype == "modal":
        title = spec.get("title")
        if not isinstance(title, dict) or title.get("type") != "plain_text" or not title.get("text"):
            problems.append("[ERROR] missing required field: title [json-pointer:/view/title]")
        elif len(str(title["text"])) > 24:
            problems.append("[ERROR] must be less than 25 characters [json-pointer:/view/title/text]")
        for key in ("submit", "close"):
            obj = spec.get(key)
            if obj is None:
                continue
            if not isinstance(obj, dict) or obj.get("type") != "plain_text":
                problems.append(f"[ERROR] must be a plain_text object [json-pointer:/view/{key}]")
            elif len(str(obj.get("text", ""))) > 24:
                problems.append(f"[ERROR] must be less than 25 characters [json-pointer:/view/{key}/text]")
    blocks = spec.get("blocks")
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view/blocks]")
        blocks = []
    elif len(blocks) > MAX_VIEW_BLOCKS:
        problems.append("[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]")
    seen_ids: set[str] = set()
    has_input = False
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:/view/blocks/{i}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_ids:
                problems.append(f"[ERROR] duplicate block_id [json-pointer:/view/blocks/{i}/block_id]")
            seen_ids.add(str(block_id))
            if len(str(block_id)) > 255:
                problems.append(
                    f"[ERROR] must be less than 256 characters [json-pointer:/view/blocks/{i}/block_id]"
                )
        if block["type"] == "input":
            has_input = True
            if not isinstance(block.get("label"), dict):
                problems.append(
                    f"[ERROR] missing required field: label [json-pointer:/view/blocks/{i}/label]"
                )
            if not isinstance(block.get("element"), dict) or not block["element"].get("type"):
                problems.append(
                    f"[ERROR] missing required field: element [json-pointer:/view/blocks/{i}/element]"
                )
    if vtype == "modal" and has_input and spec.get("submit") is None:
        problems.append(
            "[ERROR] submit is required when an input block is present [json-pointer:/view/submit]"
        )
    if len(str(spec.get("private_metadata") or "")) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(spec.get("callback_id") or "")) > 255:
        problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    if problems:
        raise ApiError("invalid_arguments", response_metadata={"messages": problems})
    return spec


def normalize_blocks(raw: Any, rng: random.Random) -> list[JSONDict]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ApiError("invalid_blocks_format") from exc
    if not isinstance(raw, list):
        raise ApiError("invalid_blocks_format")
    if len(raw) > MAX_MESSAGE_BLOCKS:
        raise ApiError(
            "invalid_blocks", response_metadata={"messages": ["[ERROR] no more than 50 items allowed"]}
        )
    for i, block in enumerate(raw):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise ApiError(
                "invalid_blocks",
                response_metadata={
                    "messages": [f"[ERROR] missing required field: type [json-pointer:/blocks/{i}]"]
                },
            )
    return assign_ids(copy.deepcopy(raw), rng)
