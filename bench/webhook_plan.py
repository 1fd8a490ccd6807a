"""The webhook deliveries the benchmarks send (bench.webhooks, bench.mixed_traffic): built from
the captured post_created fixture, each a new post (or a redelivery) signed as Discourse signs."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "discourse"


FIXTURE = FIXTURES / "post_created.request.json"


OTHER_TOPIC = 99  # every benchmark post is in a topic other than the intro topic: recorded, ignored
FIRST_POST_ID = 1_000_000


@dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]
    post_id: int
    expect: str  # the bot's "result": "ignored" (first time) or "duplicate" (redelivery)


class Planner:
    """Builds deliveries from the captured ``post_created`` webhook (Discourse 2025.12).

    New posts get a fresh post id; a redelivery repeats the exact body of a post sent in an
    earlier, finished block with a new ``X-Discourse-Event-Id``. Redeliveries never pick a post
    still in flight, so the concurrent phase does not race two deliveries of one post.
    """

    def __init__(self, secret: str, dup_share: float, seed: int, keep_alive: bool) -> None:
        fx = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self._template: dict[str, Any] = fx["body"]
        skip = {"Content-Length", "X-Discourse-Event-Signature"}
        if keep_alive:
            skip.add("Connection")
        self._headers = {k: str(v) for k, v in fx["headers"].items() if v is not None and k not in skip}
        self._secret = secret.encode()
        self._dup_share = dup_share
        self._rng = random.Random(seed)
        self._next_post = FIRST_POST_ID
        self._next_event = 1
        self._sent: list[tuple[int, bytes, str]] = []  # (post id, body, signature) of finished blocks
        self._pending: list[tuple[int, bytes, str]] = []
        self.new_posts = 0
        self.redeliveries = 0

    def _headers_for(self, signature: str) -> dict[str, str]:
        headers = dict(self._headers)
        headers["X-Discourse-Event-Id"] = str(self._next_event)
        headers["X-Discourse-Event-Signature"] = signature
        self._next_event += 1
        return headers

    def block(self, size: int) -> list[Delivery]:
        out: list[Delivery] = []
        fresh: list[tuple[int, bytes, str]] = []
        for _ in range(size):
            if self._sent and self._rng.random() < self._dup_share:
                post_id, body, signature = self._rng.choice(self._sent)
                out.append(Delivery(body, self._headers_for(signature), post_id, "duplicate"))
                self.redeliveries += 1
                continue
            post_id = self._next_post
            self._next_post += 1
            payload = copy.deepcopy(self._template)
            payload["post"].update(
                {"id": post_id, "topic_id": OTHER_TOPIC, "post_url": f"/t/topic/{OTHER_TOPIC}/1"}
            )
            body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
            signature = "sha256=" + hmac.new(self._secret, body, hashlib.sha256).hexdigest()
            out.append(Delivery(body, self._headers_for(signature), post_id, "ignored"))
            fresh.append((post_id, body, signature))
            self.new_posts += 1
        self._pending = fresh
        return out

    def block_done(self) -> None:
        self._sent.extend(self._pending)
        self._pending = []

    def one(self) -> tuple[Delivery, Callable[[], None]]:
        """One delivery for callers with many in flight, and the callback to call once it has been
        answered (only then may it be redelivered)."""
        (delivery,) = self.block(1)
        fresh, self._pending = self._pending, []
        return delivery, lambda: self._sent.extend(fresh)
