"""The public pages' cache validators (bot/web/cache.py): If-None-Match (strong and weak, lists,
*), If-Modified-Since, and Last-Modified dates that only move forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.web.cache import Bodies, Freshness, etag, http_date, not_modified

T0 = datetime(2026, 12, 2, 10, 0, 0, 500_000, tzinfo=UTC)
TAG = etag("page", 1)


@pytest.mark.parametrize(
    ("inm", "ims", "fresh"),
    [
        (TAG, None, True),
        (f"W/{TAG}", None, True),
        (f'"other", {TAG}', None, True),
        ("*", None, True),
        ('"other"', None, False),
        ('"other"', http_date(T0 + timedelta(days=1)), False),  # If-None-Match wins
        (None, http_date(T0), True),
        (None, http_date(T0 + timedelta(seconds=5)), True),
        (None, http_date(T0 - timedelta(seconds=1)), False),
        (None, "yesterday", False),
        (None, "", False),
        (None, "Wed, 99 Foo 2026 99:99:99 GMT", False),
        (None, None, False),
    ],
)
def test_not_modified(inm: str | None, ims: str | None, fresh: bool) -> None:
    assert not_modified(inm, ims, TAG, T0.replace(microsecond=0)) is fresh


def test_an_etag_is_a_quoted_hash_of_its_parts() -> None:
    assert etag("a", 1) == etag("a", 1) != etag("a", 2)
    assert etag("a").startswith('"') and etag("a").endswith('"')


def test_last_modified_is_when_a_tag_was_first_served_and_always_moves_forward() -> None:
    f = Freshness()
    first = f.last_modified("a", T0)
    assert first == datetime(2026, 12, 2, 10, 0, 1, tzinfo=UTC)  # rounded up to the next second
    assert f.last_modified("a", T0 + timedelta(hours=1)) == first  # the same tag keeps its date
    # A new tag within the same second still gets a later date, so a dated copy of "a" is stale.
    second = f.last_modified("b", T0)
    assert second > first
    assert not not_modified(None, http_date(first), "b", second)
    # A clock that goes back never moves a new date back.
    assert f.last_modified("c", T0 - timedelta(days=1)) > second


def test_kept_bodies_are_bounded_by_size_and_the_least_recent_goes_first() -> None:
    kept = Bodies(max_bytes=10)
    kept.put("a", "aaaa")
    kept.put("b", "bbbb")
    assert kept.get("a") == "aaaa"  # now the most recent
    kept.put("c", "cccc")  # 12 bytes: the least recent ("b") goes
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == ("aaaa", None, "cccc")
    kept.put("huge", "x" * 11)  # bigger than the whole budget: not kept, nothing dropped
    assert kept.get("huge") is None and kept.get("a") == "aaaa"
